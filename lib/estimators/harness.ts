// The exact bias/variance harness: many independent draws of an estimator against the gradient from
// exact enumeration (`exactGradient`), per coordinate of the flattened parameter vector.
import * as tf from "@tensorflow/tfjs";
import { Seed } from "../core/random";
import { exactGradient } from "./enumerate";
import { estimateGradients, GradientEstimator, toSeedStream } from "./estimator";
import { EstimationProblem } from "./problem";

export interface GradientMoments {
  estimator: string;
  unbiased: boolean;
  draws: number;
  /** ∇L by enumeration. */
  exact: number[];
  /** Mean of the draws. */
  mean: number[];
  /** Variance of one draw, per coordinate (unbiased sample variance). */
  variance: number[];
  /** Monte Carlo standard error of `mean`: sqrt(variance / draws). */
  standardError: number[];
  /** mean − exact. */
  bias: number[];
  /** (mean − exact)/standardError: ~N(0, 1) per coordinate for an unbiased estimator. */
  zScores: number[];
  /** Σ_i bias_i² (biased by Σ variance/draws; see `squaredBiasCorrected`). */
  squaredBias: number;
  /** Σ_i (bias_i² − SE_i²): an unbiased estimate of ‖E ĝ − ∇L‖². */
  squaredBiasCorrected: number;
  /** Σ_i variance_i, the trace of one draw's covariance. */
  totalVariance: number;
  /** E‖ĝ − ∇L‖² of one draw = squaredBiasCorrected + totalVariance. */
  meanSquaredError: number;
}

export interface MeasureOptions {
  draws?: number;
  /** Draws per tf.grads call (default 2000; bounds memory). */
  batch?: number;
  seed?: Seed;
  /** Precomputed exact gradient (default: enumerate). */
  exact?: number[];
}

/** Bias, variance and MSE of `estimator` at `params` from `draws` independent draws. */
export function measureEstimator(
  estimator: GradientEstimator,
  problem: EstimationProblem,
  params: tf.Tensor[],
  { draws = 10000, batch = 2000, seed, exact }: MeasureOptions = {},
): GradientMoments {
  const stream = toSeedStream(seed);
  const reference = exact ?? exactGradient(problem, params);
  const P = reference.length;
  const sum = new Float64Array(P);
  const sumSq = new Float64Array(P);
  // Welford-free two-moment accumulation around the exact gradient (a good shift: no cancellation).
  let done = 0;
  while (done < draws) {
    const size = Math.min(batch, draws - done);
    const grads = estimateGradients(estimator, problem, params, { draws: size, seed: stream });
    const flat = grads.map((g) => g.reshape([size, -1]));
    const values = flat.map((g) => g.dataSync());
    const widths = flat.map((g) => g.shape[1] as number);
    tf.dispose([...grads, ...flat]);
    for (let d = 0; d < size; d++) {
      let i = 0;
      values.forEach((vals, t) => {
        for (let j = 0; j < widths[t]; j++, i++) {
          const x = vals[d * widths[t] + j] - reference[i];
          sum[i] += x;
          sumSq[i] += x * x;
        }
      });
    }
    done += size;
  }
  const bias = Array.from(sum, (s) => s / draws);
  const variance = Array.from(sumSq, (s, i) => (s - draws * bias[i] ** 2) / (draws - 1));
  const standardError = variance.map((v) => Math.sqrt(v / draws));
  const squaredBias = bias.reduce((s, b) => s + b * b, 0);
  const squaredBiasCorrected = bias.reduce((s, b, i) => s + b * b - standardError[i] ** 2, 0);
  const totalVariance = variance.reduce((s, v) => s + v, 0);
  return {
    estimator: estimator.name,
    unbiased: estimator.unbiased,
    draws,
    exact: reference,
    mean: bias.map((b, i) => b + reference[i]),
    variance,
    standardError,
    bias,
    zScores: bias.map((b, i) => (standardError[i] > 0 ? b / standardError[i] : b === 0 ? 0 : Infinity)),
    squaredBias,
    squaredBiasCorrected,
    totalVariance,
    meanSquaredError: squaredBiasCorrected + totalVariance,
  };
}
