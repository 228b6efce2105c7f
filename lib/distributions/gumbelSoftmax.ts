// Gumbel-Softmax / Concrete (Jang et al. 2017; Maddison et al. 2017) on the open K-simplex:
// the exponential of an ExpConcrete draw.
import * as tf from "@tensorflow/tfjs";
import { maskOf } from "../core/special";
import { ScalarParameter } from "../core/validate";
import { checkEvent, Distribution, LogSimplexDistribution, SampleOptions, SampleWithLogProb } from "./distribution";
import { CONCRETE_CONSTRAINTS, ConcreteOptions, ExpConcrete } from "./expConcrete";
import { straightThrough } from "./straightThrough";

export interface RelaxedSampleOptions extends SampleOptions {
  /** One-hot forward value, soft gradient (default false). */
  straightThrough?: boolean;
}

/**
 * logProb(x) is the Concrete density of Maddison et al. with respect to Lebesgue measure on the first
 * K−1 coordinates: log Γ(K) + (K−1) log τ + Σ_k (ℓ_k − (τ+1) log x_k) − K logsumexp_k(ℓ_k − τ log x_k).
 * At low τ float32 draws have coordinates that are exactly 0 (at τ = 0.1 with logits ±5 most draws
 * for K ≥ 10); their density needs the log-coordinates: `sampleAndLogProb` or `logProbFromLog`.
 */
export class GumbelSoftmax extends Distribution implements LogSimplexDistribution {
  /** Checked by the ExpConcrete twin. */
  readonly argConstraints = CONCRETE_CONSTRAINTS;
  /** The log-space twin; KL estimates between two GumbelSoftmax use it. */
  readonly expConcrete: ExpConcrete;
  readonly batchShape: number[];
  readonly eventShape: number[];

  constructor(options: ConcreteOptions) {
    super();
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

  /** A draw, its log-coordinates (the ExpConcrete draw) and its exact log density. */
  sampleAndLogProb(n: number, options: SampleOptions = {}): SampleWithLogProb {
    return tf.tidy(() => {
      const logSample = this.expConcrete.sample(n, options);
      return { sample: tf.exp(logSample), logSample, logProb: this.logProbFromLog(logSample) };
    });
  }

  /**
   * log density of x on the simplex. A point with a coordinate ≤ 0 (a draw that underflowed in float32)
   * is off the open simplex and gives −∞, not NaN; `sampleAndLogProb` gives the exact value for draws.
   */
  logProb(x: tf.Tensor): tf.Tensor {
    checkEvent(x, this.eventShape, "GumbelSoftmax.logProb");
    return tf.tidy(() => {
      const k = this.eventShape[0];
      const inside = maskOf(x, (v) => tf.logicalNot(tf.any(tf.lessEqual(v, 0), -1)));
      const safe = tf.where(tf.expandDims(inside, -1), x, tf.fill(x.shape, 1 / k));
      const logDensity = this.logProbFromLog(tf.log(safe));
      return tf.where(inside, logDensity, tf.fill(logDensity.shape, -Infinity));
    });
  }

  /** log density of x = e^{logX} from its log-coordinates [..., K] (exact where x underflows). */
  logProbFromLog(logX: tf.Tensor): tf.Tensor {
    checkEvent(logX, this.eventShape, "GumbelSoftmax.logProbFromLog");
    return tf.tidy(() => tf.sub(this.expConcrete.logProb(logX), tf.sum(logX, -1)));
  }
}
