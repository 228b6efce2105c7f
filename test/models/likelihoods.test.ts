// The Bernoulli log-likelihood op against a Float64 plain-JS reference: value
// −Σ [log(1 + e^l) − x·l] (computed with log1p and the large-|l| branch), and gradient
// x − sigmoid(l) from the closed form, including extreme logits and soft labels.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { bernoulliLogLikelihood } from "../../lib/models/likelihoods";
import { mulberry32 } from "../helpers/setup";

before(async () => {
  process.env.IGR_QUIET ??= "1";
  await initBackend();
});

function softplus64(l: number): number {
  return l > 0 ? l + Math.log1p(Math.exp(-l)) : Math.log1p(Math.exp(l));
}


test("value and gradient match a Float64 reference, extreme logits and soft labels included", () => {
  const rows = 4;
  const cols = 200;
  const rand = mulberry32(7);
  const extremes = [-100, -40, -17.5, -16, -5, -1e-3, 0, 1e-3, 3, 16, 17.5, 40, 100];
  const l = Float32Array.from({ length: rows * cols }, (_, i) => (i < extremes.length ? extremes[i] : 8 * (2 * rand() - 1)));
  // rows 0-1 binary pixels, rows 2-3 soft (Omniglot's resized pixels are in [0, 1])
  const x = Float32Array.from({ length: rows * cols }, (_, i) => (i < 2 * cols ? (rand() < 0.3 ? 1 : 0) : rand()));
  const weights = [0.5, -1, 2, 1.5]; // dL/d(value_r): a weighted sum, so each row's gradient is scaled differently
  const logits = tf.tensor2d(l, [rows, cols]);
  const xt = tf.tensor2d(x, [rows, cols]);
  const w = tf.tensor1d(weights);
  const value = bernoulliLogLikelihood(logits, xt).dataSync();
  const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(bernoulliLogLikelihood(t as tf.Tensor2D, xt), w)))(logits).dataSync();
  for (let r = 0; r < rows; r++) {
    let expected = 0;
    let magnitude = 0;
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const term = softplus64(l[i]) - x[i] * l[i];
      expected -= term;
      magnitude += Math.abs(softplus64(l[i])) + Math.abs(x[i] * l[i]);
    }
    // float32 terms summed over 200 pixels: a few ulps of the sum of magnitudes (~1e-7 each), and
    // at most 6e-8 per pixel where sigmoid(|l|) rounds to 1 (l < −17: e^l is dropped).
    const tol = 1e-6 * magnitude + 6e-8 * cols;
    assert.ok(Math.abs(value[r] - expected) <= tol, `row ${r}: ${value[r]} vs ${expected} (tol ${tol})`);
  }
  for (let i = 0; i < rows * cols; i++) {
    const r = Math.floor(i / cols);
    const sigmoid = 1 / (1 + Math.exp(-l[i]));
    const expected = weights[r] * (x[i] - sigmoid);
    // one float32 sigmoid and one product: 1e-6 relative of |weight|, absolute floor for tiny values
    assert.ok(Math.abs(grad[i] - expected) <= 1e-6 * Math.abs(weights[r]) + 1e-12, `grad[${i}] (l=${l[i]}, x=${x[i]}): ${grad[i]} vs ${expected}`);
  }
  tf.dispose([logits, xt, w]);
});

test("shape mismatch is refused with both shapes", () => {
  const a = tf.zeros([2, 3]) as tf.Tensor2D;
  const b = tf.zeros([2, 4]) as tf.Tensor2D;
  assert.throws(() => bernoulliLogLikelihood(a, b), /logits \[2,3\] and x \[2,4\] must be the same/);
  tf.dispose([a, b]);
});
