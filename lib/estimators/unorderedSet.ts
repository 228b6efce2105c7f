// The unordered-set estimator with its built-in baseline (Kool et al. 2020, "USPGBL" in the
// appendix's Table 3). For a set S of k outcomes drawn without replacement:
//   ĝ = Σ_{s∈S} p(s) R(S, s) ∇log p(s) [ f(s) − Σ_{s'∈S} p(s') R^{D∖{s}}(S, s') f(s') ],
// R(S, s) = p^{D∖{s}}(S∖{s}) / p(S) and R^{D∖{s}}(S, s') = p^{D∖{s,s'}}(S∖{s,s'}) / p^{D∖{s}}(S∖{s})
// (= 1 for s' = s). It is unbiased, and the baseline is built from the same k evaluations of f.
// The weights are constants (Float64, `leaveOutRatios`); only log p(s) carries the gradient.
import * as tf from "@tensorflow/tfjs";
import { SeedStream } from "../core/random";
import { GradientEstimator } from "./estimator";
import { EstimationProblem, klTerm } from "./problem";
import { random64 } from "./rng";
import { jointLogProb } from "./sampling";
import { leaveOutRatios } from "./setProbabilities";
import { stochasticBeamSearch } from "./withoutReplacement";

/**
 * Per-sample weights of the estimator for one set: `score[s]` multiplies ∇log p(s) (the estimator
 * above) and `value[s]` = p(s)R(S, s) gives the unbiased estimate Σ value[s]·f(s) of E[f] (what a
 * VAE's decoder is trained on).
 */
export function unorderedSetWeights(logProbs: number[], f: number[]): { score: number[]; value: number[] } {
  const { logR1, logR2 } = leaveOutRatios(logProbs);
  const k = logProbs.length;
  const value = logProbs.map((lp, s) => Math.exp(lp + logR1[s]));
  const score = value.map((w, s) => {
    let baseline = 0;
    for (let j = 0; j < k; j++) baseline += Math.exp(logProbs[j] + logR2[s][j]) * f[j];
    return w * (f[s] - baseline);
  });
  return { score, value };
}

export interface UnorderedSetOptions {
  /** k, the number of distinct samples per draw (default 4, the appendix's S = 4). */
  numSamples?: number;
}

export class UnorderedSetEstimator implements GradientEstimator {
  readonly unbiased = true;
  readonly numSamples: number;

  constructor({ numSamples = 4 }: UnorderedSetOptions = {}) {
    if (!Number.isInteger(numSamples) || numSamples < 1) throw new Error(`UnorderedSetEstimator: numSamples must be a positive integer, got ${numSamples}`);
    this.numSamples = numSamples;
  }

  get name(): string {
    return `unordered set + built-in baseline (k = ${this.numSamples})`;
  }

  get evaluationsPerDraw(): number {
    return this.numSamples;
  }

  surrogate(problem: EstimationProblem, params: tf.Tensor[], seed: SeedStream): tf.Tensor {
    const { family, objective } = problem;
    const k = this.numSamples;
    const V = family.numVariables;
    const K = family.numCategories;
    if (k > K ** V) throw new Error(`UnorderedSetEstimator: numSamples = ${k} exceeds the ${K ** V} outcomes`);
    const logP = family.logProbs(params);
    const n = logP.shape[0];
    const values = logP.dataSync();
    const random = random64(seed);
    const outcomes: number[][] = [];
    const setLogProbs: number[][] = [];
    for (let d = 0; d < n; d++) {
      const rows = Array.from({ length: V }, (_, v) => Array.from(values.subarray((d * V + v) * K, (d * V + v + 1) * K)));
      const sample = stochasticBeamSearch(rows, k, random);
      outcomes.push(...sample.outcomes);
      setLogProbs.push(sample.logProbs);
    }
    const b = tf.reshape(tf.cast(tf.oneHot(tf.tensor2d(outcomes, [n * k, V], "int32"), K), "float32"), [n, k, V, K]);
    const f = objective.evaluate(b).dataSync();
    const weights: number[] = [];
    for (let d = 0; d < n; d++) weights.push(...unorderedSetWeights(setLogProbs[d], Array.from(f.subarray(d * k, (d + 1) * k))).score);
    const scoreTerm = tf.sum(tf.mul(tf.tensor2d(weights, [n, k]), jointLogProb(logP, b)), 1);
    return tf.add(scoreTerm, klTerm(problem, logP));
  }
}
