// IGR-SB (docs/paper.md §2.3): η = stick-breaking(sigmoid(μ + σ ε)) with n sticks and no remainder,
// then ψ = softmax++(η/τ), K = n + 1. Every η_k > 0, so with δ = 1 the extra category K never wins
// the argmax: IGR-SB effectively has n usable categories after discretisation (trap 7).
import * as tf from "@tensorflow/tfjs";
import { StickBreaking } from "../bijectors/stickBreaking";
import { SoftmaxPlusPlus } from "../bijectors/softmaxPlusPlus";
import { IGRBase, IGROptions } from "./igr";
import { SampleOptions } from "./distribution";

export interface TruncationOptions extends SampleOptions {
  /** Keep the sticks whose cumulative mass stays at or below this (authors' class default 0.99). */
  threshold?: number;
  /** Percentile (0–100) of the per-draw counts that sets the number kept (authors' default 70). */
  quantile?: number;
}

/**
 * The number of sticks the authors' truncated IGR-SB keeps: for each draw, the count of cumulative
 * sums c_i = Σ_{j≤i} η_j with c_i ≤ threshold; then the `quantile` percentile of the counts over all
 * draws ("nearest" rank, ties to even as in TFP), clamped to [1, n] (trap 6: the count can be 0).
 * The authors look at variable 0 only; this uses every draw of `eta` ([..., n]).
 */
export function sticksWithinThreshold(eta: tf.Tensor, threshold: number, quantile = 70): number {
  if (!(threshold > 0 && threshold < 1)) throw new Error(`threshold must be in (0, 1); got ${threshold}`);
  if (!(quantile >= 0 && quantile <= 100)) throw new Error(`quantile must be in [0, 100]; got ${quantile}`);
  const n = eta.shape[eta.rank - 1];
  const counts = tf.tidy(() => tf.sum(tf.cast(tf.lessEqual(tf.cumsum(eta, eta.rank - 1), threshold), "int32"), -1));
  const sorted = Array.from(counts.dataSync()).sort((a, b) => a - b);
  counts.dispose();
  const position = (quantile / 100) * (sorted.length - 1);
  const floor = Math.floor(position);
  const index = position - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(position);
  return Math.min(n, Math.max(1, sorted[index]));
}

export class IGRStickBreaking extends IGRBase {
  constructor(options: IGROptions) {
    super(options, [new StickBreaking()]);
  }

  /**
   * Countably-infinite IGR-SB (the authors' `IGR_SB`): draw all n sticks, keep the first m =
   * sticksWithinThreshold(η) of them and apply softmax++, giving ψ of shape [n, ...batchShape, m + 1].
   * m depends on the draws, so the event size varies between calls.
   */
  sampleTruncated(n: number, { threshold = 0.99, quantile = 70, seed }: TruncationOptions = {}): { sample: tf.Tensor; numSticks: number } {
    const eta = this.samplePreSimplex(n, { seed });
    const numSticks = sticksWithinThreshold(eta, threshold, quantile);
    const sample = tf.tidy(() => {
      const kept = tf.slice(eta, Array(eta.rank).fill(0), [...eta.shape.slice(0, -1), numSticks]);
      return new SoftmaxPlusPlus({ temperature: this.temperature, delta: this.delta, validateArgs: false }).forward(kept);
    });
    eta.dispose();
    return { sample, numSticks };
  }
}
