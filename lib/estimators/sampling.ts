// Shared sampling pieces: Gumbel-max draws of one-hot latents and their log-probabilities.
import * as tf from "@tensorflow/tfjs";
import { SeedStream, standardGumbel } from "../core/random";
import { stopGradient } from "../core/special";

/**
 * S one-hot draws per leading index from log p [n, V, K]: [n, S, V, K] float32 (Gumbel-max), as a
 * constant off the gradient tape (see hardThreshold in relaxation.ts for why).
 */
export function sampleOneHot(logProbs: tf.Tensor, numSamples: number, seed: SeedStream): tf.Tensor {
  const b = tf.tidy(() => {
    const [n, V, K] = logProbs.shape;
    const z = tf.add(tf.expandDims(logProbs, 1), standardGumbel([n, numSamples, V, K], seed.next()));
    return tf.cast(tf.oneHot(tf.argMax(z, -1), K), "float32");
  });
  const constant = stopGradient(b);
  b.dispose();
  return constant;
}

/** log p(b) of one-hot b [n, S, V, K] under log p [n, V, K]: [n, S] (differentiable in log p). */
export function jointLogProb(logProbs: tf.Tensor, oneHot: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sum(tf.mul(tf.expandDims(logProbs, 1), oneHot), [-2, -1]));
}

/** Values of a tensor as a plain array (a synchronous read: cheap on cpu/wasm). */
export function valuesOf(x: tf.Tensor): Float32Array | Int32Array | Uint8Array {
  return x.dataSync() as Float32Array | Int32Array | Uint8Array;
}
