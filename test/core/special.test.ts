import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { log1p, logGammaInteger, logSigmoid, logSigmoid64, logSoftmaxWithExtraLogit, stopGradient, tanhDerivative } from "../../lib/core/special";

before(async () => {
  await initBackend();
});

describe("special", () => {
  test("log1p is accurate for tiny and ordinary x (Math.log1p reference), gradient 1/(1 + x)", () => {
    const xs = [1e-10, -3e-8, 1e-4, 0.5, -0.5, 3, 1e6];
    const got = log1p(tf.tensor(xs)).dataSync();
    xs.forEach((x, i) => assert.ok(Math.abs(got[i] - Math.log1p(Math.fround(x))) <= 2 ** -22 * Math.abs(Math.log1p(Math.fround(x))), `${x}: ${got[i]}`)); // 2 ulps
    const g = tf.grad((t: tf.Tensor) => tf.sum(log1p(t)))(tf.tensor(xs)).dataSync();
    xs.forEach((x, i) => assert.ok(Math.abs(g[i] - 1 / (1 + x)) < 1e-6 / (1 + x)));
  });

  test("logSoftmaxWithExtraLogit matches a Float64 log-softmax of the appended vector, with broadcast extra", () => {
    const x = tf.tensor([[1, 200, -3], [-200, -150, -199]]);
    const got = logSoftmaxWithExtraLogit(x, tf.tensor([0.5, -1])).arraySync() as number[][];
    [[1, 200, -3, 0.5], [-200, -150, -199, -1]].forEach((row, i) => {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      row.forEach((v, k) => assert.ok(Math.abs(got[i][k] - (v - lse)) < 4e-5, `${got[i][k]} vs ${v - lse}`)); // ulps of 200
    });
  });

  test("tanhDerivative = 1 − tanh² without cancellation; logSigmoid; logGammaInteger; stopGradient", () => {
    const as = [0, 0.5, -3, 20, -45];
    const got = tanhDerivative(tf.tensor(as)).dataSync();
    as.forEach((a, i) => {
      const ref = 1 / Math.cosh(a) ** 2;
      assert.ok(Math.abs(got[i] - ref) <= 1e-6 * ref, `${a}: ${got[i]} vs ${ref}`); // relative, even at 1e-39
    });
    const ls = logSigmoid(tf.tensor([-100, 0, 30])).dataSync();
    assert.ok(Math.abs(ls[0] + 100) < 1e-5 && Math.abs(ls[1] + Math.LN2) < 1e-7 && Math.abs(ls[2] + Math.exp(-30)) < 1e-18);
    assert.ok(Math.abs(logGammaInteger(10) - Math.log(362880)) < 1e-12);
    assert.throws(() => logGammaInteger(0), /positive integer; got 0/);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(stopGradient(t), t)))(tf.tensor([2, 3])).dataSync();
    assert.deepEqual(Array.from(g), [2, 3]);
  });
});

describe("logSigmoid64", () => {
  test("equals −log(1 + e^{−x}) in the centre, x in the far left tail, −e^{−x} in the far right tail, and the float32 op", () => {
    for (const x of [-3, -0.5, 0, 0.5, 3]) assert.ok(Math.abs(logSigmoid64(x) + Math.log(1 + Math.exp(-x))) < 1e-15, `x=${x}`);
    assert.equal(logSigmoid64(-800), -800); // e^{−800} underflows: log σ(x) = x exactly in Float64
    assert.ok(Math.abs(logSigmoid64(40) / -Math.exp(-40) - 1) < 1e-12); // no cancellation to 0
    const xs = [-30, -2, 0, 2, 30];
    const op = tf.tidy(() => Array.from(logSigmoid(tf.tensor1d(xs)).dataSync()));
    xs.forEach((x, i) => assert.ok(Math.abs(op[i] - logSigmoid64(x)) <= 1e-6 * Math.max(1, Math.abs(op[i])), `x=${x}: ${op[i]} vs ${logSigmoid64(x)}`));
  });
});
