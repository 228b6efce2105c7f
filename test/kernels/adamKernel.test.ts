// The SIMD Adam kernel (wasm) and the Adam class on every backend against an independent
// plain-JS emulation of float32 arithmetic (Math.fround after each operation: a float64 add, mul,
// div or sqrt of float32 inputs rounded once to float32 is the correctly rounded float32 result),
// bit for bit; plus exact checkpoint/resume of the moments, and no tensor leak.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { mulberry32, useDefaultBackend } from "../helpers/setup";
import { wasmApi } from "../../lib/core/wasmAssembler";
import { Adam } from "../../lib/train/adam";
import { adamKernelAvailable, adamKernelUpdate, adamModuleBytes, AdamCoefficients } from "../../lib/kernels/adamKernel";

useDefaultBackend();


function randomArray(n: number, seed: number, scale: number, positive = false): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (positive ? rand() : 2 * rand() - 1) * scale);
}

/** tf's Adam update written element by element in emulated float32. */
function emulatedUpdate(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, c: AdamCoefficients): [Float32Array, Float32Array, Float32Array] {
  const f = Math.fround;
  const [b1, omb1, b2, omb2, c1, c2, eps, lr] = [c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, c.correction1, c.correction2, c.epsilon, c.learningRate].map(f);
  const w2 = new Float32Array(w.length);
  const m2 = new Float32Array(w.length);
  const v2 = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) {
    m2[i] = f(f(m[i] * b1) + f(g[i] * omb1));
    v2[i] = f(f(v[i] * b2) + f(f(g[i] * g[i]) * omb2));
    const denom = f(f(Math.sqrt(f(v2[i] / c2))) + eps);
    w2[i] = f(w[i] - f(f(f(m2[i] / c1) / denom) * lr));
  }
  return [w2, m2, v2];
}

function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const COEFFICIENTS = (t: number): AdamCoefficients => ({ beta1: 0.9, beta2: 0.999, correction1: 1 - 0.9 ** t, correction2: 1 - 0.999 ** t, epsilon: 1e-7, learningRate: 3e-4 });

describe("wasm SIMD kernel", () => {
  test("the assembled module validates", () => {
    assert.ok(wasmApi.validate(adamModuleBytes()));
  });

  // Sizes around the 4-lane width exercise the scalar tail (n mod 4 = 1, 2, 3) and the vector loop.
  for (const n of [1, 2, 3, 4, 5, 7, 8, 1003, 4096]) {
    test(`one update of ${n} values equals the float32 emulation bit for bit`, (t) => {
      if (!adamKernelAvailable()) return t.skip("the kernel runs on wasm only");
      const w = randomArray(n, 1, 1);
      const g = randomArray(n, 2, 3);
      const m = randomArray(n, 3, 0.1);
      const v = randomArray(n, 4, 0.01, true);
      for (const t of [1, 7, 5000]) {
        const c = COEFFICIENTS(t);
        const expected = emulatedUpdate(w, g, m, v, c);
        const inputs = [w, g, m, v].map((a) => tf.tensor1d(a));
        const out = adamKernelUpdate(inputs[0], inputs[1], inputs[2], inputs[3], c);
        out.forEach((tensor, k) => {
          const i = firstMismatch(tensor.dataSync(), expected[k]);
          assert.equal(i, -1, `output ${["w", "m", "v"][k]} at step ${t}, index ${i}: ${tensor.dataSync()[i]} vs ${expected[k][i]}`);
        });
        // The inputs are untouched (nothing is updated in place: XNNPACK caches weights by id).
        assert.equal(firstMismatch(inputs[0].dataSync(), w), -1);
        assert.equal(firstMismatch(inputs[2].dataSync(), m), -1);
        tf.dispose([...inputs, ...out]);
      }
    });
  }

  test("mismatched shapes are refused by name", (t) => {
    if (!adamKernelAvailable()) return t.skip("the kernel runs on wasm only");
    const a = tf.zeros([4]);
    const b = tf.zeros([5]);
    assert.throws(() => adamKernelUpdate(a, b, a, a, COEFFICIENTS(1)), /g must be float32 of shape \[4\]/);
    tf.dispose([a, b]);
  });
});

describe("Adam (kernel on wasm, tfjs ops elsewhere)", () => {
  const shapes = [[13, 7], [7], [3, 4]];
  const init = () => shapes.map((s, i) => tf.variable(tf.tensor(randomArray(s.reduce((a, b) => a * b, 1), 10 + i, 1), s)));
  const grad = (step: number) => shapes.map((s, i) => tf.tensor(randomArray(s.reduce((a, b) => a * b, 1), 100 * step + i, 2), s));

  test("10 steps equal the float32 emulation bit for bit (weights and both moments)", () => {
    const vars = init();
    const adam = new Adam(vars, { learningRate: 3e-4 });
    const ref = vars.map((v) => ({ w: v.dataSync() as Float32Array, m: new Float32Array(v.size), v: new Float32Array(v.size) }));
    for (let step = 1; step <= 10; step++) {
      const gs = grad(step);
      adam.apply(gs);
      gs.forEach((g, i) => {
        [ref[i].w, ref[i].m, ref[i].v] = emulatedUpdate(ref[i].w, g.dataSync() as Float32Array, ref[i].m, ref[i].v, COEFFICIENTS(step));
      });
      tf.dispose(gs);
    }
    vars.forEach((v, i) => {
      assert.equal(firstMismatch(v.dataSync(), ref[i].w), -1, `weight ${i}`);
      assert.equal(firstMismatch(adam.firstMoments[i].dataSync(), ref[i].m), -1, `m ${i}`);
      assert.equal(firstMismatch(adam.secondMoments[i].dataSync(), ref[i].v), -1, `v ${i}`);
    });
    // The weights moved (the comparison is not between untouched tensors).
    assert.notEqual(vars[0].dataSync()[0], randomArray(91, 10, 1)[0]);
    adam.dispose();
    tf.dispose(vars);
  });

  test("restoring weights, moments and step into a new Adam continues bit for bit", () => {
    const a = init();
    const b = init();
    const adamA = new Adam(a, { learningRate: 3e-4 });
    for (let step = 1; step <= 5; step++) {
      const gs = grad(step);
      adamA.apply(gs);
      tf.dispose(gs);
    }
    // What a checkpoint does: read every tensor as float32, write it back with assign.
    const adamB = new Adam(b, { learningRate: 3e-4 });
    a.forEach((v, i) => {
      tf.tidy(() => b[i].assign(tf.tensor(v.dataSync(), v.shape)));
      tf.tidy(() => adamB.firstMoments[i].assign(tf.tensor(adamA.firstMoments[i].dataSync(), v.shape)));
      tf.tidy(() => adamB.secondMoments[i].assign(tf.tensor(adamA.secondMoments[i].dataSync(), v.shape)));
    });
    adamB.step = adamA.step;
    for (let step = 6; step <= 10; step++) {
      const gs = grad(step);
      adamA.apply(gs);
      adamB.apply(gs);
      tf.dispose(gs);
    }
    a.forEach((v, i) => assert.equal(firstMismatch(v.dataSync(), b[i].dataSync()), -1, `weight ${i}`));
    adamA.dispose();
    adamB.dispose();
    tf.dispose([...a, ...b]);
  });

  test("no tensor or backend buffer leaks over 50 steps", () => {
    const vars = init();
    const adam = new Adam(vars, { learningRate: 3e-4 });
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const gs = grad(1);
    adam.apply(gs);
    const tensors = tf.memory().numTensors;
    const buffers = backend.numDataIds();
    for (let i = 0; i < 50; i++) adam.apply(gs);
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(backend.numDataIds(), buffers);
    adam.dispose();
    tf.dispose([...vars, ...gs]);
  });
});
