import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { StickBreaking } from "../../lib/bijectors/stickBreaking";
import { autodiffJacobian, logAbsDet, normalStream } from "../helpers/autodiff";

const logit = (v: number) => Math.log(v) - Math.log1p(-v);

before(async () => {
  await initBackend();
});

describe("StickBreaking", () => {
  test("the authors' test vectors (docs/paper.md §9, test 9): fractions v → sticks η, n entries, no remainder", () => {
    const v = [
      [0.1, 2 / 9, 0.428571, 0.75],
      [0.3, 0.4, 0.5, 0.6],
      [0.3, 0.285714, 0.2, 0.5],
    ];
    const eta = [
      [0.1, 0.2, 0.3, 0.3],
      [0.3, 0.28, 0.21, 0.126],
      [0.3, 0.2, 0.1, 0.2],
    ];
    const kappa = tf.tensor(v.map((row) => row.map(logit)));
    const got = new StickBreaking().forward(kappa).arraySync() as number[][];
    assert.deepEqual([got.length, got[0].length], [3, 4]);
    // the printed fractions have 6 digits (0.428571 for 3/7): 2e-6 absolute on η
    got.forEach((row, i) => row.forEach((x, k) => assert.ok(Math.abs(x - eta[i][k]) < 2e-6, `${i},${k}: ${x} vs ${eta[i][k]}`)));
    kappa.dispose();
  });

  test("log-det equals log|det| of the autodiff Jacobian; inverse round trip; inverse log-det = −forward", () => {
    const next = normalStream(8);
    for (const n of [1, 3, 7]) {
      for (const batch of [[], [3], [2, 3]]) {
        const size = batch.reduce((a, b) => a * b, 1) * n;
        const kappa = tf.tensor(Array.from({ length: size }, () => next()), [...batch, n]);
        const bij = new StickBreaking();
        const { value, logDet } = bij.forwardAndLogDet(kappa);
        const ld = logDet.dataSync();
        autodiffJacobian((x) => bij.forward(x), kappa, n).forEach((j, i) => {
          // float32 triangular Jacobian with entries ≲ 0.25: 1e-5 relative on log|det| ~ −5n
          assert.ok(Math.abs(ld[i] - logAbsDet(j)) < 1e-5 * Math.max(1, Math.abs(ld[i])), `n=${n}: ${ld[i]} vs ${logAbsDet(j)}`);
        });
        const back = bij.inverseAndLogDet(value);
        const a = kappa.dataSync();
        const b = back.value.dataSync();
        // κ_k = log η_k − log r_k with r_k = 1 − Σ_{j≤k} η_j: the float32 sum carries k+1 ulps of 1, so the
        // error is ≈ (k+1)·2⁻²⁴/r_k (r_k = Π_{j≤k} σ(−κ_j) in Float64) plus ulps of κ itself
        let worstRemainder = 1;
        for (let i = 0; i < a.length; i++) {
          const k = i % n;
          let r = 1;
          for (let j = i - k; j <= i; j++) r *= 1 / (1 + Math.exp(a[j]));
          worstRemainder = Math.min(worstRemainder, r);
          const tol = 4 * 2 ** -24 * ((k + 2) / r + Math.abs(a[i]));
          assert.ok(Math.abs(a[i] - b[i]) < tol, `${a[i]} vs ${b[i]} (tol ${tol})`);
        }
        const c = back.logDet.dataSync();
        // the inverse log-det sums n such logs: n times the worst remainder error
        for (let i = 0; i < c.length; i++) assert.ok(Math.abs(c[i] + ld[i]) < 4 * 2 ** -24 * (n * (n + 1) / worstRemainder + Math.abs(ld[i])), `${c[i]} vs ${ld[i]}`);
        tf.dispose([kappa, value, logDet, back.value, back.logDet]);
      }
    }
  });

  test("extreme logits: sticks stay finite and positive in log space, gradients finite", () => {
    const kappa = tf.tensor([[-60, 30, -30, 60]]);
    const bij = new StickBreaking();
    const { value, logDet } = bij.forwardAndLogDet(kappa);
    assert.ok(value.dataSync().every((v) => Number.isFinite(v) && v >= 0));
    assert.ok(Number.isFinite(logDet.dataSync()[0]));
    const g = tf.grad((k: tf.Tensor) => bij.forwardLogDetJacobian(k))(kappa);
    assert.ok(g.dataSync().every(Number.isFinite));
    tf.dispose([kappa, value, logDet, g]);
  });
});
