// The decoders' log-likelihoods log p(x | H), one value per row (docs/paper.md §4.2).
import * as tf from "@tensorflow/tfjs";
import { normalLogDensityStandardized } from "../core/special";

/**
 * Bernoulli log-likelihood −Σ_pixels sigmoid-cross-entropy(logits, x) = −Σ [softplus(l) − x·l],
 * per row, as one custom op: gradient dL/dl = −dy·(sigmoid(l) − x) (docs/performance.md §3.5), three ops
 * instead of the ~10 of autodiff through softplus. x may be soft (Omniglot's resized pixels): the
 * formula is the cross-entropy against soft labels, as the authors use it. x gets no gradient.
 */
export function bernoulliLogLikelihood(logits: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor1D {
  if (logits.rank !== 2 || x.rank !== 2 || logits.shape[0] !== x.shape[0] || logits.shape[1] !== x.shape[1]) {
    throw new Error(`bernoulliLogLikelihood: logits [${logits.shape}] and x [${x.shape}] must be the same [rows, pixels] shape`);
  }
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [l, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([l, x]);
    // softplus(l) = max(l, 0) − log sigmoid(|l|): on wasm tf.softplus is a scalar expf/log1p loop
    // (~1.1 ms on [100, 784]) while sigmoid runs in XNNPACK's SIMD kernel; the four ops together
    // take about a third of that. sigmoid(|l|) ∈ [½, 1], so the log never sees 0 or overflows;
    // for l < −17 it rounds to 1 and the term to 0 instead of e^l < 4e−8 (float32 absolute error).
    const softplus = tf.sub(tf.relu(l), tf.log(tf.sigmoid(tf.abs(l))));
    const value = tf.neg(tf.sum(tf.sub(softplus, tf.mul(x, l)), 1));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.expandDims(dy, 1), tf.sub(saved[1], tf.sigmoid(saved[0]))),
    };
  });
  return op(logits) as tf.Tensor1D;
}

/** Offsets of the authors' Gaussian decoder (docs/paper.md §4.2): std = softplus(r) + 1e−6, log(std + 1e−8). */
export const GAUSSIAN_STD_FLOOR = 1e-6;
export const GAUSSIAN_LOG_OFFSET = 1e-8;

/** Mean and standard deviation of the authors' Fashion-MNIST decoder from its (ELU-activated) output [rows, 2·pixels]. */
export function gaussianDecoderMoments(output: tf.Tensor2D): { mean: tf.Tensor2D; std: tf.Tensor2D } {
  return tf.tidy(() => {
    const [m, r] = tf.split(output, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return { mean: tf.sigmoid(m), std: tf.add(tf.softplus(r), GAUSSIAN_STD_FLOOR) };
  });
}

/**
 * The authors' Gaussian log-likelihood for Fashion-MNIST: output = ELU(last layer) split into (m, r),
 * mean = sigmoid(m), std = softplus(r) + 1e−6, Σ_pixels log N(x; mean, std) with log(std + 1e−8).
 * A continuous log-density: not comparable with Bernoulli numbers (docs/paper.md §4.2, trap 12).
 */
export function gaussianLogLikelihood(output: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const { mean, std } = gaussianDecoderMoments(output);
    const z = tf.div(tf.sub(x, mean), std);
    const perPixel = normalLogDensityStandardized(z, tf.log(tf.add(std, GAUSSIAN_LOG_OFFSET)));
    return tf.sum(perPixel, 1) as tf.Tensor1D;
  });
}
