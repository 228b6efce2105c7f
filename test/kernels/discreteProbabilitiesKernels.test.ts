import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend, switchBackend, type BackendName } from "../../lib/core/backend";
import { discreteProbabilities, discreteLogProbabilities } from "../../lib/discrete/discreteProbabilities";
import { FORWARD_KERNEL, FORWARD_JACOBIAN_KERNEL, BACKWARD_KERNEL, jacobianLimit } from "../../lib/kernels/discreteProbabilitiesKernels";
import { discreteLogProbabilitiesForward64, discreteLogProbabilitiesBackward64 } from "../../lib/kernels/discreteProbabilitiesRule64";
import { mulberry32, refDiscreteProbabilities } from "../helpers/prop2Reference";

before(async () => {
  await initBackend();
});

/** Random parameters in the documented box: eq. (15) (|μ| ≤ 5, σ ∈ [0.5, 2.5]), every 3rd event at scale ratio 8. */
function boxParameters(rand: () => number, events: number, m: number): { mu: Float32Array; sigma: Float32Array } {
  const mu = new Float32Array(events * m);
  const sigma = new Float32Array(events * m);
  for (let e = 0; e < events; e++) {
    for (let j = 0; j < m; j++) {
      const wide = e % 3 === 2;
      const s = wide ? (j === 0 || rand() < 0.5 ? 3.2 : 0.4) : 0.5 + 2 * rand();
      sigma[e * m + j] = s;
      mu[e * m + j] = wide ? s * (6 * rand() - 3) : 10 * rand() - 5;
    }
  }
  return { mu, sigma };
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

type Path = "kernel" | "ops";

/**
 * Values and gradients of Σ c·P and Σ c·log P by one path. `light` skips P and its gradient (the op
 * path is slow on cpu at K = 50; log P and its gradient exercise the same kernels).
 */
function evaluate(path: Path, loc: tf.Tensor, scale: tf.Tensor, c: tf.Tensor, { nodes = 24, light = false } = {}) {
  return tf.tidy(() => {
    const options = { implementation: path, validate: false, nodes } as const;
    const probs = light ? [] : Array.from(discreteProbabilities(loc, scale, options).dataSync());
    const logProbs = Array.from(discreteLogProbabilities(loc, scale, options).dataSync());
    const grad = (useLog: boolean) =>
      tf
        .grads((l: tf.Tensor, s: tf.Tensor) => {
          const out = useLog ? discreteLogProbabilities(l, s, options) : discreteProbabilities(l, s, options);
          return tf.sum(tf.mul(out, c));
        })([loc, scale])
        .map((g) => Array.from(g.dataSync()));
    return { probs, logProbs, gradP: light ? [[], []] : grad(false), gradLogP: grad(true) };
  });
}

for (const backend of ["wasm", "cpu"] as BackendName[]) {
  describe(`kernel path on ${backend}`, () => {
    before(async () => {
      assert.ok(await switchBackend(backend), `${backend} backend unavailable`);
    });

    test("\"auto\" runs the kernels here; \"ops\" does not", async () => {
      const loc = tf.tensor2d([[0.2, -0.3, 1]]);
      const scale = tf.tensor2d([[1, 0.6, 2]]);
      const names = async (implementation: "auto" | "ops") =>
        (await tf.profile(() => discreteProbabilities(loc, scale, { implementation }))).kernelNames;
      assert.ok((await names("auto")).includes(FORWARD_KERNEL));
      assert.ok(!(await names("ops")).includes(FORWARD_KERNEL));
      tf.dispose([loc, scale]);
    });

    test("equals the op path (values, log-values, gradients) for batch shapes [], [3], [2, 3] and K ∈ {2, 3, 10, 50}", () => {
      const rand = mulberry32(backend === "wasm" ? 11 : 12);
      for (const K of [2, 3, 10, 50]) {
        const m = K - 1;
        for (const batch of [[], [3], [2, 3]]) {
          const events = batch.reduce((a, b) => a * b, 1);
          const { mu, sigma } = boxParameters(rand, events, m);
          const loc = tf.tensor(mu, [...batch, m]);
          const scale = tf.tensor(sigma, [...batch, m]);
          const c = tf.tensor(Float32Array.from({ length: events * K }, () => rand() - 0.5), [...batch, K]);
          // K = 50: the n = 8 rule (the comparison is of the two paths for the same rule, and `nodes`
          // must reach both) and log P only, to keep the op path's [..., 49, 49, 2n] tensors quick on cpu.
          const options = K === 50 ? { nodes: 8, light: true } : {};
          const kernel = evaluate("kernel", loc, scale, c, options);
          const ops = evaluate("ops", loc, scale, c, options);
          const where = `K=${K} batch=[${batch}]`;
          // 2e-6 on probabilities: the op path's float32 rounding (≤ 1e−6 measured), the kernel's is 6e−8.
          assert.ok(maxAbs(kernel.probs, ops.probs) < 2e-6, `${where} P: ${maxAbs(kernel.probs, ops.probs)}`);
          for (let i = 0; i < kernel.logProbs.length; i++) {
            // log P: 1e-5 relative + 1e-5: the op path sums up to 49 float32 log Φ terms, each rounded to
            // 6e−8 of its size, and its float32 quadrature arguments move P by ~1e−6 relative.
            const [a, b] = [kernel.logProbs[i], ops.logProbs[i]];
            assert.ok(Math.abs(a - b) < 1e-5 * Math.abs(b) + 1e-5, `${where} log P[${i}]: ${a} vs ${b}`);
          }
          for (const [name, gk, go] of [
            ["d/dloc Σc·P", kernel.gradP[0], ops.gradP[0]],
            ["d/dscale Σc·P", kernel.gradP[1], ops.gradP[1]],
          ] as const) {
            // 2e-5: float32 autodiff through the op path's logsumexp and exp (≤ 1e−5 measured).
            assert.ok(maxAbs(gk, go) < 2e-5, `${where} ${name}: ${maxAbs(gk, go)}`);
          }
          for (const [name, gk, go] of [
            ["d/dloc Σc·log P", kernel.gradLogP[0], ops.gradLogP[0]],
            ["d/dscale Σc·log P", kernel.gradLogP[1], ops.gradLogP[1]],
          ] as const) {
            // 1e-4 relative + 5e-5: gradients of log P reach a few hundred (λ ≈ |z| in the lower tail),
            // where the op path's float32 z and φ/Φ carry ~1e−6 relative each.
            for (let i = 0; i < gk.length; i++) {
              assert.ok(Math.abs(gk[i] - go[i]) < 1e-4 * Math.abs(go[i]) + 5e-5, `${where} ${name}[${i}]: ${gk[i]} vs ${go[i]}`);
            }
          }
          tf.dispose([loc, scale, c]);
        }
      }
    });

    test("the two gradient modes (Jacobian from the forward, recomputing backward) agree", () => {
      const rand = mulberry32(5);
      const m = 9;
      const { mu, sigma } = boxParameters(rand, 6, m);
      const loc = tf.tensor(mu, [2, 3, m]);
      const scale = tf.tensor(sigma, [2, 3, m]);
      const c = tf.tensor(Float32Array.from({ length: 6 * (m + 1) }, () => rand() - 0.5), [2, 3, m + 1]);
      const run = async () => {
        const profile = await tf.profile(() => evaluate("kernel", loc, scale, c));
        return { grads: profile.result as ReturnType<typeof evaluate>, kernels: profile.kernelNames };
      };
      return (async () => {
        const withJacobian = await run();
        const saved = jacobianLimit.elements;
        jacobianLimit.elements = 0;
        let recomputed: Awaited<ReturnType<typeof run>>;
        try {
          recomputed = await run();
        } finally {
          jacobianLimit.elements = saved;
        }
        assert.ok(withJacobian.kernels.includes(FORWARD_JACOBIAN_KERNEL) && !withJacobian.kernels.includes(BACKWARD_KERNEL));
        assert.ok(recomputed.kernels.includes(BACKWARD_KERNEL) && !recomputed.kernels.includes(FORWARD_JACOBIAN_KERNEL));
        for (const key of ["gradP", "gradLogP"] as const) {
          for (const arg of [0, 1]) {
            const [a, b] = [withJacobian.grads[key][arg], recomputed.grads[key][arg]];
            // 1e-5 relative: the same Float64 numbers, summed in a different order and rounded to float32.
            for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-5 * Math.abs(b[i]) + 1e-7, `${key}[${arg}][${i}]: ${a[i]} vs ${b[i]}`);
          }
        }
        tf.dispose([loc, scale, c]);
      })();
    });

    test("no tensor or backend-buffer leaks (forward, both gradient modes, a thrown error)", () => {
      const loc = tf.tensor2d([[0.2, -0.3, 1], [6, 0, -2]]);
      const scale = tf.tensor2d([[1, 0.6, 2], [1, 1, 0.5]]);
      const bad = tf.tensor2d([[1, 0, 1], [1, 1, 1]]);
      const backendData = () => tf.engine().backend.numDataIds();
      const beforeTensors = tf.memory().numTensors;
      const beforeData = backendData();
      discreteProbabilities(loc, scale).dispose();
      const objective = (l: tf.Tensor, s: tf.Tensor) => tf.sum(discreteLogProbabilities(l, s));
      tf.grads(objective)([loc, scale]).forEach((g) => g.dispose());
      const saved = jacobianLimit.elements;
      jacobianLimit.elements = 0;
      try {
        tf.grads(objective)([loc, scale]).forEach((g) => g.dispose());
      } finally {
        jacobianLimit.elements = saved;
      }
      assert.throws(() => discreteProbabilities(loc, bad), /scale must be finite and > 0/);
      assert.equal(tf.memory().numTensors, beforeTensors);
      assert.equal(backendData(), beforeData);
      tf.dispose([loc, scale, bad]);
    });

    test("validate: false with σ ≤ 0 gives NaN for that event only", () => {
      const out = tf.tidy(() =>
        Array.from(discreteProbabilities(tf.tensor2d([[0.1, 0.2], [0.1, 0.2]]), tf.tensor2d([[1, 1], [1, 0]]), { validate: false }).dataSync()),
      );
      assert.ok(out.slice(0, 3).every(Number.isFinite), `${out}`);
      assert.ok(out.slice(3).every(Number.isNaN), `${out}`);
    });

    test("errors: unknown implementation is rejected", () => {
      const loc = tf.tensor1d([0, 1]);
      assert.throws(() => discreteProbabilities(loc, loc, { implementation: "fast" as never }), /implementation must be "auto", "kernel" or "ops", got fast/);
      loc.dispose();
    });
  });
}

describe("Float64 rule (the kernels' body) without tfjs", () => {
  test("forward agrees with adaptive integration (test helper, independent) to 1e−7, beyond float32", () => {
    const rand = mulberry32(99);
    for (const K of [2, 3, 10, 50]) {
      const m = K - 1;
      const events = K === 50 ? 2 : 6;
      const { mu, sigma } = boxParameters(rand, events, m);
      const out = new Float64Array(events * K);
      discreteLogProbabilitiesForward64(Float64Array.from(mu), Float64Array.from(sigma), m, 24, out);
      for (let e = 0; e < events; e++) {
        const want = refDiscreteProbabilities(Array.from(mu.subarray(e * m, e * m + m)), Array.from(sigma.subarray(e * m, e * m + m)), 1e-11);
        const got = Array.from(out.subarray(e * K, e * K + K), Math.exp);
        // 5e-7: the quadrature error of the n = 24 rule in the box (prop2-findings: ≤ 1.5e−6 worst case at
        // K = 50, ≤ 4e−7 for K ≤ 10), no float32 rounding on top.
        assert.ok(maxAbs(got, want) < (K === 50 ? 1.5e-6 : 5e-7), `K=${K} event ${e}: ${maxAbs(got, want)}`);
      }
    }
  });

  test("analytic gradients (Jacobian mode and VJP mode) equal central differences of the Float64 forward", () => {
    const rand = mulberry32(3);
    // Ratios chosen away from the split point 5.5 so the differences do not straddle it; the second
    // event uses the split rule for category 1 (μ/σ = 7) and the first two scales at ratio 8.
    const cases: Array<[number[], number[]]> = [
      [[0.5, -0.2, 0.1, 1.2, -3], [1, 0.7, 1.3, 2.0, 0.6]],
      [[7, -0.2, 2.1, 1.2, -3], [1, 8, 1.3, 2.0, 0.6]],
      [[-4, 3, 4.5, -1, 0.3], [2.5, 0.5, 1, 1.5, 0.8]],
    ];
    for (const [mu, sigma] of cases) {
      const m = mu.length;
      const K = m + 1;
      const dy = Float64Array.from({ length: K }, () => rand() - 0.5);
      const objective = (l: number[], s: number[]) => {
        const out = new Float64Array(K);
        discreteLogProbabilitiesForward64(l, s, m, 24, out);
        return out.reduce((acc, v, k) => acc + dy[k] * v, 0);
      };
      const dLoc = new Float64Array(m);
      const dScale = new Float64Array(m);
      discreteLogProbabilitiesBackward64(mu, sigma, dy, m, 24, dLoc, dScale);
      const jacobian = new Float64Array(K * 2 * m);
      discreteLogProbabilitiesForward64(mu, sigma, m, 24, new Float64Array(K), jacobian);
      const h = 1e-5;
      for (let j = 0; j < m; j++) {
        for (const which of ["loc", "scale"] as const) {
          const vec = which === "loc" ? mu : sigma;
          const plus = vec.slice();
          const minus = vec.slice();
          plus[j] += h;
          minus[j] -= h;
          const fd =
            which === "loc"
              ? (objective(plus, sigma) - objective(minus, sigma)) / (2 * h)
              : (objective(mu, plus) - objective(mu, minus)) / (2 * h);
          const vjp = which === "loc" ? dLoc[j] : dScale[j];
          let viaJacobian = 0;
          for (let k = 0; k < K; k++) viaJacobian += dy[k] * jacobian[k * 2 * m + (which === "loc" ? 0 : m) + j];
          // 1e-6 relative + 1e-8: O(h²) ≈ 1e−10 and cancellation ≈ 1e−16·|log P|/h ≈ 1e−10 in the difference.
          assert.ok(Math.abs(vjp - fd) < 1e-6 * Math.abs(fd) + 1e-8, `μ=${mu} ${which}[${j}]: VJP ${vjp} vs FD ${fd}`);
          assert.ok(Math.abs(viaJacobian - fd) < 1e-6 * Math.abs(fd) + 1e-8, `μ=${mu} ${which}[${j}]: Jacobian ${viaJacobian} vs FD ${fd}`);
        }
      }
    }
  });
});
