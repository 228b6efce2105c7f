// Appendix eq. (15): bounded location and scale for Proposition 2's quadrature.
import * as tf from "@tensorflow/tfjs";

/** Bounds of `boundedParameters`; the defaults are appendix eq. (15). */
export interface BoundedParametersOptions {
  /** |μ| ≤ maxAbsLoc (default 5). */
  maxAbsLoc?: number;
  /** σ ≥ minScale (default 0.5); must be > 0. */
  minScale?: number;
  /** σ ≤ maxScale (default 2.5); must be > minScale. */
  maxScale?: number;
}

/**
 * μ = maxAbsLoc·tanh(μ′), σ = minScale + (maxScale − minScale)·sigmoid(σ′), elementwise and
 * differentiable (appendix eq. 15: μ = −5 tanh μ′, σ = 0.5 + 2 sigmoid σ′).
 *
 * Why: Proposition 2's quadrature is accurate only on a box of (μ/σ, σ ratio); these maps keep the
 * optimiser inside it whatever the raw parameters. With the defaults |μ/σ| ≤ 10 and max σ / min σ ≤ 5,
 * inside `discreteProbabilities`' box (the authors' 15-point rule is not accurate there; docs/paper.md §5).
 * The appendix's minus sign only flips the parameterisation, not the bounds; we drop it so μ grows
 * with μ′ (as in the authors' committed code, which used maxAbsLoc = 1, σ ∈ [0.5, 1]).
 * In float32 the bounds are reached (not exceeded) for |raw| ≳ 9 (tanh) or 17 (sigmoid).
 */
export function boundedParameters(
  muRaw: tf.Tensor,
  sigmaRaw: tf.Tensor,
  { maxAbsLoc = 5, minScale = 0.5, maxScale = 2.5 }: BoundedParametersOptions = {},
): { loc: tf.Tensor; scale: tf.Tensor } {
  if (!(maxAbsLoc > 0) || !Number.isFinite(maxAbsLoc)) {
    throw new Error(`boundedParameters: maxAbsLoc must be finite and > 0, got ${maxAbsLoc}`);
  }
  if (!(minScale > 0) || !Number.isFinite(minScale)) {
    throw new Error(`boundedParameters: minScale must be finite and > 0, got ${minScale}`);
  }
  if (!(maxScale > minScale) || !Number.isFinite(maxScale)) {
    throw new Error(`boundedParameters: maxScale must be finite and > minScale = ${minScale}, got ${maxScale}`);
  }
  return tf.tidy(() => ({
    loc: tf.mul(tf.tanh(tf.cast(muRaw, "float32")), maxAbsLoc),
    scale: tf.add(tf.mul(tf.sigmoid(tf.cast(sigmaRaw, "float32")), maxScale - minScale), minScale),
  }));
}
