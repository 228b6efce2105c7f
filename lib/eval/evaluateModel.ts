// The final evaluation of a trained VAE: the three numbers the paper's tables need, each labelled.
import type { CategoricalVAE } from "../models/vae";
import type { DiscretePosterior } from "./discrete";
import { discretizedElbo, ElboResult, EvalData, relaxedElbo } from "./elbo";
import { authorsLogLikelihood, importanceSampledLogLikelihood, LogLikelihoodResult } from "./logLikelihood";

export interface EvaluateModelOptions {
  seed?: number;
  /** Test examples (default all). */
  testLimit?: number;
  /** Training examples for the discretized train ELBO (appendix Table 1; default all). */
  trainLimit?: number;
  /** Importance samples per test example (default 5000). 0 skips the estimate. */
  samples?: number;
  /** Samples of the authors' estimator (default 100). 0 skips it. */
  authorsSamples?: number;
  /** Draws per example of the IGR-Planar / IGR-SB frequency estimate (default 1000). */
  frequencySamples?: number;
  onProgress?: (what: string, done: number, total: number) => void;
}

type Summary = Omit<LogLikelihoodResult, "perExample">;

export interface ModelEvaluation {
  testRelaxedElbo: ElboResult;
  testDiscretizedElbo: ElboResult;
  trainDiscretizedElbo: ElboResult;
  /** log (1/S) Σ p(x|z_s) p(z_s)/q(z_s|x), z_s ~ discrete q: the correct test log-likelihood estimate. */
  testLogLikelihood: (Summary & { estimator: string }) | null;
  /** The authors' estimator (docs/paper.md §4.6), NOT a valid log-likelihood estimate: for comparison with their numbers only. */
  authorsEstimator: (Summary & { estimator: string }) | null;
  seconds: number;
}

function strip(r: LogLikelihoodResult): Summary {
  const { perExample: _ignored, ...rest } = r;
  return rest;
}

export function evaluateModel(model: CategoricalVAE, data: { train: EvalData; test: EvalData }, options: EvaluateModelOptions = {}): ModelEvaluation {
  const t0 = Date.now();
  const seed = options.seed ?? 0;
  const frequencySamples = options.frequencySamples ?? 1000;
  const progress = (what: string) => (done: number, total: number) => options.onProgress?.(what, done, total);
  // The importance-sampled and the authors' estimates use the same discrete posterior per test batch.
  const test = { seed, limit: options.testLimit, frequencySamples, posteriors: new Map<number, DiscretePosterior>() };
  const samples = options.samples ?? 5000;
  const authorsSamples = options.authorsSamples ?? 100;
  const result: ModelEvaluation = {
    testRelaxedElbo: relaxedElbo(model, data.test, { ...test, onProgress: progress("test relaxed ELBO") }),
    testDiscretizedElbo: discretizedElbo(model, data.test, { ...test, onProgress: progress("test discretized ELBO") }),
    trainDiscretizedElbo: discretizedElbo(model, data.train, { seed, limit: options.trainLimit, frequencySamples, onProgress: progress("train discretized ELBO") }),
    testLogLikelihood: null,
    authorsEstimator: null,
    seconds: 0,
  };
  if (samples > 0) {
    const r = importanceSampledLogLikelihood(model, data.test, { ...test, samples, onProgress: progress(`test log-likelihood (IS, S=${samples})`) });
    result.testLogLikelihood = { ...strip(r), estimator: `importance sampling with the discrete posterior as proposal, S = ${samples}` };
  }
  if (authorsSamples > 0) {
    const r = authorsLogLikelihood(model, data.test, { ...test, samples: authorsSamples, onProgress: progress(`authors' estimator (S=${authorsSamples})`) });
    result.authorsEstimator = { ...strip(r), estimator: `authors' log-mean-exp(log p(x|z)) - KL, S = ${authorsSamples}: NOT a valid log-likelihood estimate (can exceed log p(x))` };
  }
  result.seconds = (Date.now() - t0) / 1000;
  return result;
}
