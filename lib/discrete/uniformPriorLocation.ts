// The location of a prior whose τ → 0 discrete law (Proposition 2) is uniform over K categories.
import { ndtri64 } from "../core/normal";

/**
 * μ₀ such that y ~ N(μ₀·1, σ₀²·I) in R^{K−1} gives P(H = k) = 1/K for every k (docs/paper.md §2.1).
 *
 * P(H = K) = Φ(−μ₀/σ₀)^{K−1} (appendix eq. 7) must be 1/K, so Φ(−μ₀/σ₀) = K^{−1/(K−1)}; the K−1
 * other categories are exchangeable and share the rest equally. Only the ratio μ₀/σ₀ matters, so
 * the result is `scale` (σ₀, default 1) times that ratio: K = 2 gives 0, K = 10 gives −0.752962·σ₀.
 * Float64 (Newton on log Φ), accurate to about 1e−13.
 */
export function uniformPriorLocation(K: number, { scale = 1 }: { scale?: number } = {}): number {
  if (!Number.isInteger(K) || K < 2) {
    throw new Error(`uniformPriorLocation: K must be an integer ≥ 2, got ${K}`);
  }
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new Error(`uniformPriorLocation: scale must be finite and > 0, got ${scale}`);
  }
  // Φ(−r) = K^{−1/(K−1)}, i.e. −r = Φ⁻¹(K^{−1/(K−1)}); computed as exp of a log for large K.
  const p = Math.exp(-Math.log(K) / (K - 1));
  return -scale * ndtri64(p);
}
