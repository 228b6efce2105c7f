// The common shape of every gradient estimator: a per-draw surrogate whose gradient is the estimate.
//
// Draw d of an estimator gets its own copy of the parameters, params[i][d]; the surrogate returns one
// scalar per draw, and ∂ surrogate[d] / ∂ params[i][d] is that draw's gradient estimate. One tf.grads
// call then yields `draws` independent estimates at once (the harness needs tens of thousands).
import * as tf from "@tensorflow/tfjs";
import { Seed, SeedStream } from "../core/random";
import { checkProblem, EstimationProblem } from "./problem";

export interface GradientEstimator {
  readonly name: string;
  /** True when theory says E[ĝ] = ∇L exactly (REINFORCE, RELAX, unordered-set). */
  readonly unbiased: boolean;
  /** Evaluations of f per draw (the cost the estimators are compared at). */
  readonly evaluationsPerDraw: number;
  /** Per-draw surrogate [draws] from parameters with a leading draw axis. */
  surrogate(problem: EstimationProblem, params: tf.Tensor[], seed: SeedStream): tf.Tensor;
}

export interface GradientEstimateOptions {
  /** Independent draws of the estimator (default 1). */
  draws?: number;
  seed?: Seed;
}

/** Copies of each parameter tensor along a new leading axis of size `draws`. */
export function tileParams(params: tf.Tensor[], draws: number): tf.Tensor[] {
  return params.map((p) => tf.tidy(() => tf.tile(tf.expandDims(p, 0), [draws, ...p.shape.map(() => 1)])));
}

export function toSeedStream(seed?: Seed): SeedStream {
  if (seed instanceof SeedStream) return seed;
  return new SeedStream(seed ?? Math.floor(Math.random() * 2 ** 31));
}

/** `draws` independent gradient estimates: one tensor per parameter, [draws, ...shape]. */
export function estimateGradients(
  estimator: GradientEstimator,
  problem: EstimationProblem,
  params: tf.Tensor[],
  { draws = 1, seed }: GradientEstimateOptions = {},
): tf.Tensor[] {
  checkProblem(problem);
  if (!Number.isInteger(draws) || draws < 1) throw new Error(`estimateGradients: draws must be a positive integer, got ${draws}`);
  const stream = toSeedStream(seed);
  const tiled = tileParams(params, draws);
  try {
    return tf.grads((...ps: tf.Tensor[]) => tf.sum(estimator.surrogate(problem, ps, stream)))(tiled);
  } finally {
    tf.dispose(tiled);
  }
}

/** The mean of `draws` estimates: one tensor per parameter, shaped like the parameter. */
export function estimateGradient(estimator: GradientEstimator, problem: EstimationProblem, params: tf.Tensor[], options: GradientEstimateOptions = {}): tf.Tensor[] {
  const perDraw = estimateGradients(estimator, problem, params, options);
  const out = perDraw.map((g) => tf.mean(g, 0));
  tf.dispose(perDraw);
  return out;
}
