// The enumerable toy every estimator test uses: 3 variables × 3 categories (27 outcomes), the
// quadratic objective with t = (1, 0.4, 0), at fixed non-symmetric parameters of both families.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { IGRFamily, LogitsFamily } from "../../lib/estimators/family";
import { GradientMoments } from "../../lib/estimators/harness";
import { quadraticToyObjective } from "../../lib/estimators/objective";
import { EstimationProblem } from "../../lib/estimators/problem";

export const objective = quadraticToyObjective();
export const logitsProblem: EstimationProblem = { family: new LogitsFamily(3, 3), objective };
export const igrProblem: EstimationProblem = { family: new IGRFamily(3, 3), objective };

export const logitValues = [
  [0.3, -0.2, 0.1],
  [0.0, 0.5, -0.4],
  [-0.6, 0.2, 0.3],
];
export const locRawValues = [
  [0.2, -0.3],
  [0.1, 0.4],
  [-0.3, 0.0],
];
export const scaleRawValues = [
  [0.1, -0.5],
  [0.3, 0.0],
  [-0.2, 0.6],
];

export function logitsParams(): tf.Tensor[] {
  return [tf.tensor2d(logitValues)];
}
export function igrParams(): tf.Tensor[] {
  return [tf.tensor2d(locRawValues), tf.tensor2d(scaleRawValues)];
}

/**
 * Unbiasedness at a stated confidence: every coordinate's |mean − exact| < Z_BOUND·SE. With ~12
 * coordinates per estimator and ~15 estimator checks in the suite (~200 comparisons), a two-sided
 * per-comparison level of P(|Z| > 4.5) = 6.8e−6 gives a family-wise false-alarm rate ≤ 1.4e−3
 * (Bonferroni). Seeds are fixed, so a pass is reproducible.
 */
export const Z_BOUND = 4.5;

export function assertUnbiased(m: GradientMoments): void {
  m.zScores.forEach((z, i) => {
    assert.ok(
      Math.abs(z) < Z_BOUND,
      `${m.estimator}: coordinate ${i} mean ${m.mean[i].toFixed(5)} vs exact ${m.exact[i].toFixed(5)} (z = ${z.toFixed(2)}, SE ${m.standardError[i].toExponential(2)})`,
    );
  });
}

/** Measurably biased: some coordinate is more than `bound` standard errors away from the exact gradient. */
export function assertBiased(m: GradientMoments, bound = 8): void {
  const worst = Math.max(...m.zScores.map(Math.abs));
  assert.ok(worst > bound, `${m.estimator}: expected a measurable bias, but max |z| = ${worst.toFixed(2)}`);
}
