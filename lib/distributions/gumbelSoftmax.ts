// Gumbel-Softmax / Concrete (Jang et al. 2017; Maddison et al. 2017) on the open K-simplex:
// the exponential of an ExpConcrete draw.
import * as tf from "@tensorflow/tfjs";
import { ScalarParameter } from "../core/validate";
import { checkEvent, Distribution, SampleOptions } from "./distribution";
import { ConcreteOptions, ExpConcrete } from "./expConcrete";
import { straightThrough } from "./straightThrough";

export interface RelaxedSampleOptions extends SampleOptions {
  /** One-hot forward value, soft gradient (default false). */
  straightThrough?: boolean;
}

/**
 * logProb(x) is the Concrete density of Maddison et al. with respect to Lebesgue measure on the first
 * K−1 coordinates: log Γ(K) + (K−1) log τ + Σ_k (ℓ_k − (τ+1) log x_k) − K logsumexp_k(ℓ_k − τ log x_k).
 */
export class GumbelSoftmax implements Distribution {
  /** The log-space twin; KL estimates between two GumbelSoftmax use it. */
  readonly expConcrete: ExpConcrete;
  readonly batchShape: number[];
  readonly eventShape: number[];

  constructor(options: ConcreteOptions) {
    this.expConcrete = new ExpConcrete(options);
    this.batchShape = this.expConcrete.batchShape;
    this.eventShape = this.expConcrete.eventShape;
  }

  get temperature(): ScalarParameter {
    return this.expConcrete.temperature;
  }

  logits(): tf.Tensor {
    return this.expConcrete.logits();
  }

  sample(n: number, options: RelaxedSampleOptions = {}): tf.Tensor {
    return tf.tidy(() => {
      const soft = tf.exp(this.expConcrete.sample(n, options));
      return options.straightThrough ? straightThrough(soft) : soft;
    });
  }

  logProb(x: tf.Tensor): tf.Tensor {
    checkEvent(x, this.eventShape, "GumbelSoftmax.logProb");
    return tf.tidy(() => {
      const logX = tf.log(x);
      return tf.sub(this.expConcrete.logProb(logX), tf.sum(logX, -1));
    });
  }
}
