import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { logNdtr, logNdtr64, ndtr64, ndtri64, logNormalPdf64 } from "../../lib/core/normal";
import { refLogNormalCdf } from "../helpers/prop2Reference";

before(async () => {
  await initBackend();
});

describe("logNdtr64 (Float64 reference)", () => {
  test("matches published values of Φ (Abramowitz & Stegun / high-precision tables)", () => {
    const table: Array<[number, number]> = [
      [0, 0.5],
      [-1, 0.15865525393145707],
      [1.959963984540054, 0.975],
      [-3, 1.3498980316300946e-3],
      [-5, 2.866515718791939e-7],
      [-10, 7.619853024160527e-24],
      [-20, 2.7536241186062337e-89],
    ];
    for (const [x, p] of table) {
      // 1e-12 relative: the reference aims at ~1e-14; the table values have 16–17 digits.
      assert.ok(Math.abs(ndtr64(x) / p - 1) < 1e-12, `Φ(${x}) = ${ndtr64(x)}, table ${p}`);
    }
  });

  test("agrees with an independent erf-series / erfc continued-fraction implementation over [−60, 12]", () => {
    for (let x = -60; x <= 12; x += 0.037) {
      const a = logNdtr64(x);
      const b = refLogNormalCdf(x);
      // 1e-12 relative (1e-15 absolute near 0): two Float64 methods with ~1e-14 error each.
      assert.ok(Math.abs(a - b) <= 1e-12 * Math.abs(b) + 1e-15, `x=${x}: ${a} vs ${b}`);
    }
  });

  test("ndtri64 inverts Φ and reproduces the 97.5% quantile", () => {
    // 1e-13: Newton converges to Float64 resolution.
    assert.ok(Math.abs(ndtri64(0.975) - 1.959963984540054) < 1e-13);
    for (const p of [1e-300, 1e-20, 0.01, 0.3, 0.5, 0.77, 0.999999]) {
      const x = ndtri64(p);
      assert.ok(Math.abs(logNdtr64(x) - Math.log(p)) < 1e-12 * Math.max(1, -Math.log(p)), `p=${p}`);
    }
    assert.throws(() => ndtri64(1), /p must be in \(0, 1\), got 1/);
  });
});

describe("logNdtr (tfjs float32)", () => {
  test("value against the Float64 reference from x = −200 to 15, both tails", () => {
    const xs: number[] = [];
    for (let x = -200; x <= 15; x += 0.05) xs.push(x);
    const got = tf.tidy(() => logNdtr(tf.tensor1d(xs)).dataSync());
    xs.forEach((x, i) => {
      const want = refLogNormalCdf(x);
      // 2e-6 relative + 1e-7 absolute: the erfc fit is 1.2e-7 relative, plus float32 rounding of x² for large |x|.
      assert.ok(Math.abs(got[i] - want) <= 2e-6 * Math.abs(want) + 1e-7, `x=${x}: ${got[i]} vs ${want}`);
      assert.ok(Number.isFinite(got[i]));
    });
  });

  test("gradient is φ/Φ in both tails (against the Float64 reference and a central difference)", () => {
    const xs = [-150, -38, -10, -3, -0.5, 0, 0.5, 3, 8, 30];
    const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(logNdtr(x)))(tf.tensor1d(xs)).dataSync());
    xs.forEach((x, i) => {
      const want = Math.exp(logNormalPdf64(x) - refLogNormalCdf(x));
      const h = 1e-5 * Math.max(1, Math.abs(x));
      const fd = (refLogNormalCdf(x + h) - refLogNormalCdf(x - h)) / (2 * h);
      // 1e-5 relative + 1e-30 absolute: float32 exp of a difference of logs.
      assert.ok(Math.abs(grad[i] - want) <= 1e-5 * want + 1e-30, `x=${x}: ${grad[i]} vs ${want}`);
      // 1e-6 relative: O(h²) truncation and Float64 rounding of the difference quotient.
      assert.ok(Math.abs(fd - want) <= 1e-6 * want + 1e-30, `fd check x=${x}`);
      assert.ok(Number.isFinite(grad[i]));
    });
  });

  test("does not leak tensors", () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([-3, 0, 3]);
    tf.grad((v: tf.Tensor) => tf.sum(logNdtr(v)))(x).dispose();
    logNdtr(x).dispose();
    x.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
