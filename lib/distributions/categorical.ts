// Categorical over K categories: event shape [], values are int32 indices 0..K−1.
import * as tf from "@tensorflow/tfjs";
import { seedSource, standardGumbel } from "../core/random";
import { checkSampleCount, Distribution, SampleOptions } from "./distribution";
import { LOGITS_OR_PROBS_CONSTRAINTS, LogitsOrProbs, normalizedLogProbs, resolveLogits } from "./logitsOrProbs";

export type CategoricalOptions = LogitsOrProbs & { validateArgs?: boolean };

export class Categorical extends Distribution {
  readonly argConstraints = LOGITS_OR_PROBS_CONSTRAINTS;
  readonly batchShape: number[];
  readonly eventShape: number[] = [];
  /** Number of categories K. */
  readonly numCategories: number;
  private readonly source: { logits?: tf.Tensor; probs?: tf.Tensor };

  constructor(options: CategoricalOptions) {
    super();
    this.source = resolveLogits(options, 1, "Categorical");
    this.checkArgs(this.source, options.validateArgs ?? true);
    const param = (this.source.logits ?? this.source.probs)!;
    this.batchShape = param.shape.slice(0, -1);
    this.numCategories = param.shape[param.rank - 1];
  }

  /** log π normalized over the categories, [..., K]: a new tensor the caller owns. */
  logProbs(): tf.Tensor {
    return normalizedLogProbs(this.source);
  }

  /** π, [..., K]. */
  probs(): tf.Tensor {
    return tf.tidy(() => tf.exp(this.logProbs()));
  }

  /** Gumbel-max draws, int32 [n, ...batchShape]. Not reparameterizable. */
  sample(n: number, { seed }: SampleOptions = {}): tf.Tensor {
    checkSampleCount(n);
    const nextSeed = seedSource(seed);
    return tf.tidy(() => tf.argMax(tf.add(this.logProbs(), standardGumbel([n, ...this.batchShape, this.numCategories], nextSeed())), -1));
  }

  /** log π_k for integer k (any leading sample axes). */
  logProb(k: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const selected = tf.cast(tf.oneHot(tf.cast(k, "int32"), this.numCategories), "bool");
      const logP = tf.broadcastTo(this.logProbs(), selected.shape);
      // where(), not oneHot·log π: 0·(−∞) would be NaN for a zero-probability category not chosen.
      return tf.sum(tf.where(selected, logP, tf.zerosLike(logP)), -1);
    });
  }

  /** −Σ π log π (0·log 0 = 0). */
  entropy(): tf.Tensor {
    return tf.tidy(() => {
      const logP = this.logProbs();
      const p = tf.exp(logP);
      return tf.neg(tf.sum(tf.where(tf.greater(p, 0), tf.mul(p, logP), tf.zerosLike(p)), -1));
    });
  }
}
