import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { boundedParameters } from "../../lib/discrete/boundedParameters";

before(async () => {
  await initBackend();
});

describe("boundedParameters (appendix eq. 15)", () => {
  test("bounds hold for extreme raw inputs, defaults and custom bounds", () => {
    const raw = tf.tensor1d([-1e30, -1e4, -50, -9, -1, 0, 1, 9, 50, 1e4, 1e30]);
    for (const [opts, lim, lo, hi] of [
      [{}, 5, 0.5, 2.5],
      [{ maxAbsLoc: 1, minScale: 0.5, maxScale: 1 }, 1, 0.5, 1],
    ] as const) {
      const { loc, scale } = boundedParameters(raw, raw, opts);
      for (const v of loc.dataSync()) assert.ok(Number.isFinite(v) && Math.abs(v) <= lim, `loc ${v}`);
      for (const v of scale.dataSync()) assert.ok(Number.isFinite(v) && v >= lo && v <= hi, `scale ${v}`);
      tf.dispose([loc, scale]);
    }
    raw.dispose();
  });

  test("matches the formula in Float64 and is identity-like (monotone, slope maxAbsLoc at 0) inside", () => {
    const xs = [-3, -1, -0.2, 0, 0.2, 1, 3];
    const { loc, scale } = boundedParameters(tf.tensor1d(xs), tf.tensor1d(xs));
    const l = loc.dataSync();
    const s = scale.dataSync();
    xs.forEach((x, i) => {
      // 1e-6: float32 tanh/sigmoid.
      assert.ok(Math.abs(l[i] - 5 * Math.tanh(x)) < 1e-6 * 5);
      assert.ok(Math.abs(s[i] - (0.5 + 2 / (1 + Math.exp(-x)))) < 1e-6 * 2.5);
      if (i > 0) assert.ok(l[i] > l[i - 1] && s[i] > s[i - 1]);
    });
    const g = tf.grad((x: tf.Tensor) => tf.sum(boundedParameters(x, x).loc))(tf.tensor1d([0])).dataSync()[0];
    assert.ok(Math.abs(g - 5) < 1e-5);
    tf.dispose([loc, scale]);
  });

  test("bad bounds name the option and value", () => {
    const x = tf.tensor1d([0]);
    assert.throws(() => boundedParameters(x, x, { minScale: 0 }), /minScale must be finite and > 0, got 0/);
    assert.throws(() => boundedParameters(x, x, { minScale: 1, maxScale: 1 }), /maxScale must be finite and > minScale = 1, got 1/);
    assert.throws(() => boundedParameters(x, x, { maxAbsLoc: -1 }), /maxAbsLoc must be finite and > 0, got -1/);
    x.dispose();
  });
});
