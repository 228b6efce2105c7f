// Proposition 1 (appendix eq. 5): the τ → 0 limit of softmax++(y/τ) is a vertex of the simplex.
import * as tf from "@tensorflow/tfjs";

/**
 * h(y) of appendix eq. (5), `[..., K−1] -> [..., K]` one-hot (float32, no gradient):
 * category k* = argmax_k y_k if max_k y_k > 0, and the extra category K if max_k y_k ≤ 0.
 *
 * δ: the limit is the same for every δ > 0 (the threshold τ·log δ goes to 0 with τ), so there is no
 * `delta` option. At a finite τ the argmax of softmax++(y/τ) puts K first iff max y < τ·log δ, so
 * for δ = 1 this one-hot is the argmax of softmax++(y/τ) at every τ (docs/paper.md §1.5, §11.3).
 *
 * Ties (a probability-zero event under any Gaussian y): among equal maxima the lowest index wins;
 * max y = 0 exactly gives category K (the limit itself is then not one-hot: the tied coordinates
 * share the mass with ψ_K, e.g. y = 0 gives 1/K each).
 */
export function zeroTemperatureLimit(y: tf.Tensor): tf.Tensor {
  if (y.rank < 1 || y.shape[y.rank - 1] < 1) {
    throw new Error(`zeroTemperatureLimit: y must have a last axis of K−1 ≥ 1 categories, got shape [${y.shape}]`);
  }
  const m = y.shape[y.rank - 1];
  return tf.tidy(() => {
    const yf = tf.cast(y, "float32");
    const winner = tf.argMax(yf, -1); // first index among ties
    const positive = tf.greater(tf.max(yf, -1), 0);
    const category = tf.where(positive, winner, tf.fill(winner.shape, m, "int32"));
    return tf.oneHot(tf.cast(category, "int32"), m + 1).cast("float32");
  });
}
