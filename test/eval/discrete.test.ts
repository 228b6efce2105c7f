// The IGR-SB and IGR-Planar frequency estimates of the discrete posterior: the Float64 JS paths against
// the tfjs-op path (the estimator the committed IGR-SB and IGR-Planar records used), on small fixed models.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { discretePosterior, frequenciesByTensors, planarFrequencies, stickBreakingFrequencies } from "../../lib/eval/discrete";
import { CategoricalVAE } from "../../lib/models/vae";

before(async () => {
  process.env.IGR_QUIET ??= "1";
  await initBackend();
});

const V = 2;
const K = 4;
const N = 20000;

/** A small fixed model of one family and three binary images. */
function smallModel(model: "igr-sb" | "igr-planar"): { model: CategoricalVAE; x: tf.Tensor2D } {
  const x = tf.tensor2d([
    [1, 0, 1, 1],
    [0, 0, 1, 0],
    [1, 1, 0, 0],
  ]);
  return { model: new CategoricalVAE({ model, arch: "linear", numVariables: V, numCategories: K, inputSize: 4, temperature: 0.5, initSeed: 5 }), x };
}

/** Binomial SE of the difference of two independent N-draw estimates of one probability. */
function differenceSe(p: number, q: number): number {
  const m = (p + q) / 2;
  return Math.sqrt((2 * m * (1 - m)) / N);
}

/**
 * Asserts two independent frequency estimates agree entry by entry within 5 SE of their difference
 * (over 24 entries a false alarm stays below 1e−4); returns the largest min(p, 1 − p), which says
 * whether the comparison was informative.
 */
function assertAgree(fast: Float64Array, ops: Float64Array): number {
  let spread = 0;
  fast.forEach((p, i) => {
    const se = differenceSe(p, ops[i]);
    assert.ok(Math.abs(p - ops[i]) <= 5 * se + 1e-12, `entry ${i}: Float64 ${p} vs ops ${ops[i]} (SE ${se.toExponential(2)})`);
    spread = Math.max(spread, Math.min(p, 1 - p));
  });
  return spread;
}

describe("IGR-SB discrete posterior (frequency estimate)", () => {
  test("the Float64 path agrees with the tfjs-op path within their standard errors", () => {
    const { model, x } = smallModel("igr-sb");
    const spread = assertAgree(stickBreakingFrequencies(model, x, N, 11), frequenciesByTensors(model, x, N, 12));
    // The test is only informative if the posterior is not degenerate.
    assert.ok(spread > 0.05, `the fixed model's posterior is almost one-hot (largest min(p, 1 − p) = ${spread})`);
    // discretePosterior takes the Float64 path for IGR-SB.
    const posterior = discretePosterior(model, x, { numSamples: 1000, seed: 11 });
    assert.equal(posterior.exact, false);
    assert.deepEqual(Array.from(posterior.probs), Array.from(stickBreakingFrequencies(model, x, 1000, 11)));
    x.dispose();
    model.dispose();
  });
});

describe("IGR-Planar discrete posterior (frequency estimate)", () => {
  test("the Float64 path agrees with the tfjs-op path within their standard errors, and follows the flows", () => {
    const { model, x } = smallModel("igr-planar");
    const initial = planarFrequencies(model, x, N, 13);
    // The initial flows (std 0.05) are almost the identity: give them weights of order 1, so a wrong
    // û, sign or layer order would move the frequencies by far more than their standard error.
    model.flows.forEach(({ w, u, b }, layer) => {
      w.assign(tf.randomNormal([V, K - 1], 0, 1.5, "float32", 20 + layer));
      u.assign(tf.randomNormal([V, K - 1], 0, 1.5, "float32", 30 + layer));
      b.assign(tf.randomNormal([V], 0, 1, "float32", 40 + layer));
    });
    const fast = planarFrequencies(model, x, N, 11);
    const spread = assertAgree(fast, frequenciesByTensors(model, x, N, 12));
    const moved = Math.max(...Array.from(fast, (p, i) => Math.abs(p - initial[i]) / Math.max(differenceSe(p, initial[i]), 1e-12)));
    assert.ok(spread > 0.05, `the fixed model's posterior is almost one-hot (largest min(p, 1 − p) = ${spread})`);
    assert.ok(moved > 10, `changing the flows moved no frequency by more than ${moved.toFixed(1)} SE: the flows are not being applied`);
    const posterior = discretePosterior(model, x, { numSamples: 1000, seed: 11 });
    assert.equal(posterior.exact, false);
    assert.deepEqual(Array.from(posterior.probs), Array.from(planarFrequencies(model, x, 1000, 11)));
    x.dispose();
    model.dispose();
  });
});
