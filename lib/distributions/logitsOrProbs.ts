// The `{ logits } | { probs }` parameter union, checked at run time too (never both).
import * as tf from "@tensorflow/tfjs";
import { assertTensor } from "../core/validate";

/** Unnormalized log-probabilities, or probabilities (normalized along the category axis here). */
export type LogitsOrProbs = { logits: tf.Tensor; probs?: never } | { probs: tf.Tensor; logits?: never };

/**
 * Checks the union and the tensors' ranks and returns the one given. `minRank` is 1 for
 * categorical-over-K distributions (last axis = categories), 0 for Bernoulli-like ones. The values
 * are checked by the distribution (`checkArgs`: logits real, probs non-negative).
 */
export function resolveLogits(params: LogitsOrProbs, minRank: number, what: string): { logits?: tf.Tensor; probs?: tf.Tensor } {
  const given = params as { logits?: unknown; probs?: unknown };
  if (given.logits !== undefined && given.probs !== undefined) {
    throw new Error(`${what}: pass either logits or probs, not both (got logits and probs)`);
  }
  if (given.logits === undefined && given.probs === undefined) {
    throw new Error(`${what}: pass logits or probs (got neither)`);
  }
  if (given.logits !== undefined) {
    assertTensor("logits", given.logits, minRank);
    return { logits: given.logits };
  }
  assertTensor("probs", given.probs, minRank);
  return { probs: given.probs };
}

/** The constraints of the union's parameters (for `argConstraints`). */
export const LOGITS_OR_PROBS_CONSTRAINTS = { logits: "real", probs: "nonNegative" } as const;

/** log-probabilities normalized over the last axis (categorical) from logits or probs. */
export function normalizedLogProbs(source: { logits?: tf.Tensor; probs?: tf.Tensor }): tf.Tensor {
  return tf.tidy(() =>
    source.logits ? tf.logSoftmax(source.logits, -1) : tf.sub(tf.log(source.probs!), tf.log(tf.sum(source.probs!, -1, true))),
  );
}
