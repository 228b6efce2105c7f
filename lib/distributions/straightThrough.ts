// Straight-through: the forward value is exactly one-hot (argmax of the soft sample), the gradient
// is the soft sample's (identity Jacobian), as in Jang et al.'s ST Gumbel-Softmax.
import * as tf from "@tensorflow/tfjs";

/** One-hot argmax of `soft` over the last axis, with d(output)/d(soft) = identity. */
export function straightThrough(soft: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor;
    const depth = input.shape[input.rank - 1];
    const value = tf.tidy(() => tf.cast(tf.oneHot(tf.argMax(input, -1), depth), "float32"));
    return { value, gradFunc: (dy: tf.Tensor) => dy };
  });
  return op(soft) as tf.Tensor;
}
