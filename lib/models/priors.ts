// The Gaussian priors N(μ₀, σ₀²) of the IGR latents, one (μ₀_k, σ₀_k) per Gaussian coordinate k < K.
import { uniformPriorLocation } from "../discrete/uniformPriorLocation";
import type { LatentModel } from "./vaeConfig";

export interface GaussianPrior {
  loc: number[];
  scale: number[];
}

/**
 * IGR-I and IGR-Planar: the same scalar (μ₀, σ₀) on every coordinate, with σ₀ = 1 and μ₀ chosen so
 * that the discrete law of argmax softmax++ (Proposition 2) is exactly uniform over the K categories:
 * Φ(−μ₀/σ₀) = K^{−1/(K−1)}, μ₀ = −0.752962 for K = 10 (docs/paper.md §2.1). This replaces the
 * authors' unshipped fitted pickle, which they averaged to one scalar pair anyway. For IGR-Planar the
 * prior sits on the flow's output y, as in the authors' code (docs/paper.md §2.2).
 *
 * IGR-SB: the authors fit a per-coordinate prior (unshipped pickle). We use the "median stick"
 * prior: σ₀ = 1 and μ₀_k = logit(1/(K + 1 − k)) = −log(K − k), so at κ = μ₀ every stick and the
 * stick-breaking remainder are 1/K. Documented substitute, not a fit: its discrete law is not exactly
 * uniform (and IGR-SB never selects the K-th category, notes trap 7).
 */
export function igrPrior(model: LatentModel, numCategories: number): GaussianPrior {
  const n = numCategories - 1;
  if (model === "igr-sb") {
    return { loc: Array.from({ length: n }, (_, k) => -Math.log(numCategories - (k + 1))), scale: Array(n).fill(1) };
  }
  if (model === "igr-i" || model === "igr-planar") {
    return { loc: Array(n).fill(uniformPriorLocation(numCategories)), scale: Array(n).fill(1) };
  }
  throw new Error(`igrPrior: no Gaussian prior for model "${model}" (GS uses ExpConcrete(uniform, priorTemperature))`);
}
