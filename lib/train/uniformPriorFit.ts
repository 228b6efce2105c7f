// The authors' `set_prior.py` (docs/paper.md §6, §2.1): the VAE's IGR prior N(μ₀, σ₀²) is fitted so that
// its relaxed samples match Uniform(K) (τ = 0.01, squared error, Adam lr 1e−2, S = 10⁴, up to 1000
// steps), then for IGR-I/Planar the fitted per-coordinate μ₀ and ξ₀ = log σ₀ are AVERAGED to one
// scalar each. The analytic answer (uniformPriorLocation) needs no fit: with equal coordinates the
// τ → 0 law is uniform iff Φ(−μ₀/σ₀) = K^{−1/(K−1)}. This compares the two.
import * as tf from "@tensorflow/tfjs";
import { discreteProbabilities } from "../discrete/discreteProbabilities";
import { totalVariation, uniformTarget } from "../discrete/targets";
import { uniformPriorLocation } from "../discrete/uniformPriorLocation";
import type { ApproxFitOptions, DiscreteApproximation } from "../models/approxDiscrete";
import { fitDiscreteApproximation } from "./approxFit";

export interface UniformPriorFit {
  fit: DiscreteApproximation;
  /** Mean of the fitted μ₀ over the K−1 coordinates (the authors' averaging). */
  averagedLoc: number;
  /** exp(mean of the fitted ξ₀): the averaged σ₀. */
  averagedScale: number;
  /** averagedLoc / averagedScale: the only quantity the τ → 0 law of equal coordinates depends on. */
  ratio: number;
  /** uniformPriorLocation(K) (σ₀ = 1): the exact ratio, e.g. −0.752962 for K = 10. */
  analyticRatio: number;
  /** Proposition 2 law of the fitted per-coordinate prior, [K]. */
  fittedProbs: number[];
  /** Proposition 2 law of the averaged scalar prior (what the VAE would use), [K]. */
  averagedProbs: number[];
  /** TV(fittedProbs, Uniform(K)) and TV(averagedProbs, Uniform(K)). */
  fittedTv: number;
  averagedTv: number;
}

/**
 * Fits IGR-I to Uniform(K) with the set_prior settings (override any of them in `options`) and
 * compares the averaged result with the analytic location. The caller disposes `fit`.
 */
export function fitUniformPrior(
  numCategories: number,
  options: Partial<Omit<ApproxFitOptions, "target" | "family">> = {},
): UniformPriorFit {
  const target = uniformTarget(numCategories);
  const fit = fitDiscreteApproximation({ temperature: 0.01, maxIterations: 1000, loss: "squared-error", ...options, family: "igr-i", target });
  const { loc, scale } = fit.parameters();
  const n = numCategories - 1;
  const averagedLoc = loc!.reduce((a, b) => a + b, 0) / n;
  const averagedScale = Math.exp(scale!.reduce((a, b) => a + Math.log(b), 0) / n);
  const fittedProbs = fit.exactProbs()!.probs;
  const averagedProbs = tf.tidy(() =>
    Array.from(discreteProbabilities(tf.fill([n], averagedLoc), tf.fill([n], averagedScale)).dataSync()),
  );
  return {
    fit,
    averagedLoc,
    averagedScale,
    ratio: averagedLoc / averagedScale,
    analyticRatio: uniformPriorLocation(numCategories),
    fittedProbs,
    averagedProbs,
    fittedTv: totalVariation(fittedProbs, target.probs),
    averagedTv: totalVariation(averagedProbs, target.probs),
  };
}
