import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { SoftmaxPlusPlus, softmaxPlusPlus, softmaxPlusPlusUnitDelta, withExtraCategory } from "../../lib/bijectors/softmaxPlusPlus";
import { zeroTemperatureLimit } from "../../lib/discrete/zeroTemperature";
import { autodiffJacobian, finiteDifferenceJacobian, logAbsDet, normalStream } from "../helpers/autodiff";

const EPS32 = 2 ** -23;

/** softmax++ by its definition (appendix eq. (6)) in Float64: ψ_k = e^{y_k/τ}/(Σ e^{y_j/τ} + δ), ψ_K = δ/(…). */
function referencePsi(y: number[], tau: number, delta: number): number[] {
  const e = y.map((v) => Math.exp(v / tau));
  const s = e.reduce((a, b) => a + b, 0) + delta;
  return [...e.map((v) => v / s), delta / s];
}

/** log ψ in Float64 with a max shift, for inputs where the definition overflows. */
function referenceLogPsi(y: number[], tau: number, delta: number): number[] {
  const logits = [...y.map((v) => v / tau), Math.log(delta)];
  const m = Math.max(...logits);
  const lse = m + Math.log(logits.reduce((a, l) => a + Math.exp(l - m), 0));
  return logits.map((l) => l - lse);
}

function randomInputs(shape: number[], scale: number, seed: number): tf.Tensor {
  const next = normalStream(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: size }, () => scale * next()), shape);
}

before(async () => {
  await initBackend();
});

describe("softmaxPlusPlus forward", () => {
  test("matches the Float64 definition to a few float32 ulps", () => {
    for (const [tau, delta] of [[0.5, 1], [0.1, 0.3], [2, 4]]) {
      const y = randomInputs([20, 5], 1, 11);
      const psi = new SoftmaxPlusPlus({ temperature: tau, delta }).forward(y);
      const got = psi.dataSync();
      const ys = y.dataSync();
      for (let b = 0; b < 20; b++) {
        const ref = referencePsi(Array.from(ys.slice(b * 5, b * 5 + 5)), tau, delta);
        for (let k = 0; k < 6; k++) {
          // float32: y/τ rounds (½ ulp), exp and the log-sum add a few ulps each; 16 ulps relative is the budget
          assert.ok(Math.abs(got[b * 6 + k] - ref[k]) <= 16 * EPS32 * ref[k] * (1 + Math.abs(ys[b * 5 + Math.min(k, 4)] / tau)), `tau=${tau} delta=${delta} b=${b} k=${k}: ${got[b * 6 + k]} vs ${ref[k]}`);
        }
      }
      tf.dispose([y, psi]);
    }
  });

  test("the authors' test vector: y = 0, K−1 = 2, δ = 1 gives (1/3, 1/3, 1/3)", () => {
    const psi = softmaxPlusPlus(tf.zeros([2]), { temperature: 0.7 });
    for (const v of psi.dataSync()) assert.ok(Math.abs(v - 1 / 3) < 1e-7); // one float32 ulp at 1/3 is 3e-8
    psi.dispose();
  });

  test("shapes over batch shapes, and a per-batch temperature tensor", () => {
    for (const batch of [[], [3], [2, 3]]) {
      const y = randomInputs([...batch, 4], 1, 3);
      const { value, logDet } = new SoftmaxPlusPlus({ temperature: 0.3 }).forwardAndLogDet(y);
      assert.deepEqual(value.shape, [...batch, 5]);
      assert.deepEqual(logDet.shape, batch);
      tf.dispose([y, value, logDet]);
    }
    const y = randomInputs([2, 3, 4], 1, 5);
    const tau = tf.tensor([0.2, 1, 3]);
    const psi = new SoftmaxPlusPlus({ temperature: tau }).forward(y);
    const ys = y.dataSync();
    const got = psi.dataSync();
    for (let b = 0; b < 6; b++) {
      const ref = referencePsi(Array.from(ys.slice(b * 4, b * 4 + 4)), [0.2, 1, 3][b % 3], 1);
      for (let k = 0; k < 5; k++) assert.ok(Math.abs(got[b * 5 + k] - ref[k]) < 1e-6, `b=${b}`); // 1e-6: ψ ≤ 1 with a few ulps of error
    }
    tf.dispose([y, tau, psi]);
  });
});

describe("softmaxPlusPlus log-det", () => {
  test("the notes' test vector (finite differences: −6.5372357571; δ = 2.5: −6.0222657600)", () => {
    const y = tf.tensor([0.3, -0.5, 1.2]);
    const a = new SoftmaxPlusPlus({ temperature: 0.5 }).forwardLogDetJacobian(y).dataSync()[0];
    const b = new SoftmaxPlusPlus({ temperature: 0.5, delta: 2.5 }).forwardLogDetJacobian(y).dataSync()[0];
    // float32 sum of four logs of size ~3: a few ulps of 6.5 ≈ 2e-6
    assert.ok(Math.abs(a - -6.5372357571) < 3e-6, `${a}`);
    assert.ok(Math.abs(b - -6.0222657600) < 3e-6, `${b}`);
    y.dispose();
  });

  test("equals log|det| of the autodiff Jacobian (last output dropped), K−1 ∈ {1,2,5,9}, several τ, δ, batch shapes", () => {
    for (const n of [1, 2, 5, 9]) {
      for (const [tau, delta] of [[0.1, 1], [0.5, 0.3], [1, 1], [3, 4]]) {
        for (const batch of [[], [3], [2, 3]]) {
          // y/τ of order 1 keeps ψ away from the vertices, so the float32 Jacobian is well conditioned
          const y = randomInputs([...batch, n], tau, 100 * n + batch.length);
          const bij = new SoftmaxPlusPlus({ temperature: tau, delta });
          const logDet = bij.forwardLogDetJacobian(y).dataSync();
          const jac = autodiffJacobian((v) => bij.forward(v), y, n);
          jac.forEach((j, b) => {
            const expected = logAbsDet(j);
            // float32 Jacobian entries (rel. ~1e-7) through an LU of size ≤ 9: 2e-5 absolute on log|det| ~ 10–40
            assert.ok(Math.abs(logDet[b] - expected) < 2e-5 * Math.max(1, Math.abs(expected)), `n=${n} tau=${tau} delta=${delta} batch=${batch}: ${logDet[b]} vs ${expected}`);
          });
          y.dispose();
        }
      }
    }
  });

  test("equals log|det| of a Float64 central-difference Jacobian of the definition", () => {
    const next = normalStream(7);
    for (const n of [2, 5, 9]) {
      for (const [tau, delta] of [[0.15, 1], [0.7, 0.2], [2, 10]]) {
        const yArr = Array.from({ length: n }, () => tau * next());
        const expected = logAbsDet(finiteDifferenceJacobian((v) => referencePsi(v, tau, delta), yArr, n, 1e-6 * tau));
        const y = tf.tensor(yArr);
        const got = new SoftmaxPlusPlus({ temperature: tau, delta }).forwardLogDetJacobian(y).dataSync()[0];
        // finite differences are good to ~1e-8 relative; the float32 closed form to a few ulps of |log det|
        assert.ok(Math.abs(got - expected) < 1e-6 * Math.max(1, Math.abs(expected)) * 4, `n=${n} tau=${tau}: ${got} vs ${expected}`);
        y.dispose();
      }
    }
  });

  test("the appendix's printed determinant (eq. (4)) is negative where the true one is positive", () => {
    // Independent Float64 evaluation of eq. (4) as printed, for τ = 0.15, K = 5 and a positive y.
    const tau = 0.15;
    const y = [1, 0.5, 0.3, 0.2];
    const e = y.map((v) => Math.exp(v / tau));
    const s = e.reduce((a, b) => a + b, 0) + 1;
    const printed = Math.pow(1 / (s * s), 4) * (1 - tau * e.reduce((a, v, i) => a + v / y[i], 0)) * Math.pow(tau, -4) * y.reduce((a, v, i) => a * v * e[i], 1);
    const trueLogDet = new SoftmaxPlusPlus({ temperature: tau }).forwardLogDetJacobian(tf.tensor(y)).dataSync()[0];
    const fd = logAbsDet(finiteDifferenceJacobian((v) => referencePsi(v, tau, 1), y, 4, 1e-7));
    assert.ok(printed < 0, `printed eq. (4) = ${printed}`);
    assert.ok(Math.abs(trueLogDet - fd) < 1e-5 * Math.abs(fd)); // as above
  });
});

describe("softmaxPlusPlus inverse", () => {
  test("inverse(forward(y)) = y and inverse log-det = −forward log-det", () => {
    for (const [tau, delta] of [[0.1, 1], [1, 0.5], [5, 3]]) {
      const y = randomInputs([4, 3, 6], 2 * tau, 21);
      const bij = new SoftmaxPlusPlus({ temperature: tau, delta });
      const { value, logDet } = bij.forwardAndLogDet(y);
      const back = bij.inverseAndLogDet(value);
      const a = y.dataSync();
      const b = back.value.dataSync();
      // y = τ(log ψ_k − log ψ_K + log δ): each log carries ~ulp(|y/τ| + |LSE|), |y/τ| ≲ 8 here
      for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 32 * EPS32 * tau * 10, `tau=${tau}: ${a[i]} vs ${b[i]}`);
      const f = logDet.dataSync();
      const g = back.logDet.dataSync();
      for (let i = 0; i < f.length; i++) assert.ok(Math.abs(f[i] + g[i]) < 1e-5 * Math.abs(f[i])); // two float32 log-dets of ψ that round-tripped
      tf.dispose([y, value, logDet, back.value, back.logDet]);
    }
  });

  test("inverseFromLog is exact where ψ underflows", () => {
    const bij = new SoftmaxPlusPlus({ temperature: 0.01 });
    const y = tf.tensor([2, -2]); // y/τ = ±200: ψ_2 = e^{−400} is 0 in float32
    const logPsi = bij.logForward(y);
    const back = bij.inverseFromLog(logPsi).dataSync();
    assert.ok(Math.abs(back[0] - 2) < 1e-6 && Math.abs(back[1] + 2) < 1e-6, `${back}`); // ulp(200)·τ ≈ 2e-7
    tf.dispose([y, logPsi]);
  });
});

describe("softmaxPlusPlus at extremes", () => {
  test("y/τ = ±200, τ = 0.01, δ ≠ 1: finite outputs, logs, log-det and gradients; no 1 − Σ cancellation", () => {
    for (const delta of [1, 1e-3, 1e3]) {
      for (const yArr of [[2, -2, 0.5], [-2, -2, -2], [2, 2, 2], [2, -2, -1.999]]) {
        const bij = new SoftmaxPlusPlus({ temperature: 0.01, delta });
        const y = tf.tensor(yArr);
        const logPsi = bij.logForward(y).dataSync();
        const ref = referenceLogPsi(yArr, 0.01, delta);
        for (let k = 0; k < 4; k++) {
          assert.ok(Number.isFinite(logPsi[k]), `log ψ_${k} = ${logPsi[k]}`);
          // logs of size up to 400: a few ulps of 400 ≈ 1e-4
          assert.ok(Math.abs(logPsi[k] - ref[k]) < 1e-4, `delta=${delta} y=${yArr} k=${k}: ${logPsi[k]} vs ${ref[k]}`);
        }
        const { value, logDet } = bij.forwardAndLogDet(y);
        const psi = Array.from(value.dataSync());
        assert.ok(psi.every((v) => Number.isFinite(v) && v >= 0));
        assert.ok(Math.abs(psi.reduce((a, b) => a + b, 0) - 1) < 1e-6); // at most 4 roundings of numbers ≤ 1
        assert.ok(Number.isFinite(logDet.dataSync()[0]));
        const grads = [
          tf.grad((v: tf.Tensor) => bij.forwardLogDetJacobian(v))(y),
          tf.grad((v: tf.Tensor) => tf.sum(tf.mul(bij.forward(v), tf.tensor([1, 2, 3, 4]))))(y),
          tf.grad((v: tf.Tensor) => tf.sum(bij.logForward(v)))(y),
        ];
        for (const g of grads) assert.ok(g.dataSync().every(Number.isFinite), `gradient ${g.dataSync()}`);
        tf.dispose([y, value, logDet, ...grads]);
      }
    }
  });

  test("the authors' 1 − Σψ form loses log ψ_K where ours keeps it", () => {
    const y = tf.tensor([1, -3]);
    const bij = new SoftmaxPlusPlus({ temperature: 0.01 }); // y_1/τ = 100: ψ_K = e^{−100}
    const logPsi = bij.logForward(y).dataSync();
    const psi = Array.from(bij.forward(y).dataSync());
    const naive = Math.log(Math.fround(1 - Math.fround(psi[0] + psi[1])));
    assert.equal(naive, -Infinity);
    assert.ok(Math.abs(logPsi[2] - -100) < 1e-5); // ulp(100) ≈ 8e-6
    y.dispose();
  });
});

describe("softmax++ with δ = 1: the one-softmax form and the category of a draw", () => {
  test("softmaxPlusPlusUnitDelta matches the Float64 definition and the log-space softmaxPlusPlus (number and tensor τ)", () => {
    const y = randomInputs([50, 4], 2, 23);
    const ys = y.dataSync();
    for (const tau of [0.1, 0.5, 2]) {
      for (const temperature of [tau, tf.scalar(tau)]) {
        const fast = softmaxPlusPlusUnitDelta(y, temperature).dataSync();
        const library = softmaxPlusPlus(y, { temperature }).dataSync();
        for (let b = 0; b < 50; b++) {
          const ref = referencePsi(Array.from(ys.slice(b * 4, b * 4 + 4)), tau, 1);
          for (let k = 0; k < 5; k++) {
            // the same float32 budget as the forward test above, for each route against Float64
            const budget = 16 * EPS32 * ref[k] * (1 + Math.abs(ys[b * 4 + Math.min(k, 3)] / tau)) + 1e-30;
            assert.ok(Math.abs(fast[b * 5 + k] - ref[k]) <= budget, `fast tau=${tau} b=${b} k=${k}: ${fast[b * 5 + k]} vs ${ref[k]}`);
            assert.ok(Math.abs(fast[b * 5 + k] - library[b * 5 + k]) <= 2 * budget, `fast vs library tau=${tau} b=${b} k=${k}`);
          }
        }
        if (typeof temperature !== "number") temperature.dispose();
      }
    }
    y.dispose();
  });

  test("argmax of withExtraCategory(y) is argmax ψ at every τ and the τ → 0 category of zeroTemperatureLimit", () => {
    const y = randomInputs([200, 3], 1, 31);
    const scores = withExtraCategory(y);
    assert.deepEqual(scores.shape, [200, 4]);
    const category = tf.tidy(() => Array.from(tf.argMax(scores, -1).dataSync()));
    const limit = tf.tidy(() => Array.from(tf.argMax(zeroTemperatureLimit(y), -1).dataSync()));
    assert.deepEqual(category, limit); // no ties at max y = 0 among continuous draws
    for (const tau of [0.03, 1, 10]) {
      const psiCategory = tf.tidy(() => Array.from(tf.argMax(softmaxPlusPlus(y, { temperature: tau }), -1).dataSync()));
      assert.deepEqual(psiCategory, category, `tau=${tau}`);
    }
    // Both kinds of category occur, so the comparison is not vacuous.
    assert.ok(category.includes(3) && category.some((k) => k < 3));
    tf.dispose([y, scores]);
  });
});

describe("softmaxPlusPlus parameters", () => {
  test("bad temperature and delta throw errors naming the parameter and the value", () => {
    assert.throws(() => new SoftmaxPlusPlus({ temperature: 0 }), /temperature.*> 0.*got 0/);
    assert.throws(() => new SoftmaxPlusPlus({ temperature: -1 }), /temperature.*got -1/);
    assert.throws(() => new SoftmaxPlusPlus({ temperature: NaN }), /temperature.*got NaN/);
    assert.throws(() => new SoftmaxPlusPlus({ temperature: 1, delta: 0 }), /delta.*got 0/);
    assert.throws(() => new SoftmaxPlusPlus({ temperature: tf.tensor([1, -2]) }), /temperature\[1\].*got -2/);
    assert.throws(() => new SoftmaxPlusPlus({ temperature: 1 }).inverse(tf.tensor([1])), /K >= 2/);
  });
});
