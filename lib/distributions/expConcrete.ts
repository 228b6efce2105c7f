// ExpConcrete (Maddison et al. 2017, appendix C): the log of a Gumbel-Softmax/Concrete sample,
//   y = log softmax((logits + G)/τ),  G ~ Gumbel(0, 1)^K.
// Working in log space keeps y finite where the simplex point itself underflows (low τ, many K).
import * as tf from "@tensorflow/tfjs";
import { seedSource, standardGumbel } from "../core/random";
import { logGammaInteger, maskOf } from "../core/special";
import { assertScalarParameter, broadcastShapes, ScalarParameter, shapeOf } from "../core/validate";
import { checkEvent, checkSampleCount, Distribution, SampleOptions } from "./distribution";
import { LOGITS_OR_PROBS_CONSTRAINTS, LogitsOrProbs, resolveLogits } from "./logitsOrProbs";

export type ConcreteOptions = LogitsOrProbs & {
  /** τ > 0: a number or a tensor broadcasting against the batch shape. */
  temperature: ScalarParameter;
  validateArgs?: boolean;
};

function perEvent(value: ScalarParameter): number | tf.Tensor {
  return typeof value === "number" ? value : tf.expandDims(value, -1);
}

/**
 * logProb(y) is Maddison et al.'s formula
 *   log Γ(K) + (K−1) log τ + Σ_k (ℓ_k − τ y_k) − K logsumexp_k(ℓ_k − τ y_k),
 * the density with respect to the symmetric measure Π_{k=1}^{K} x_k^{−1} dx_1..dx_{K−1} on the log-simplex
 * (x = e^y). With respect to Lebesgue measure dy_1..dy_{K−1} the density is this minus y_K. The
 * difference cancels in every KL estimate log q − log p (both sides carry it), which is how the
 * formula is used; it is what TFP, torch and the authors' code compute.
 */
/** The parameters of ExpConcrete and GumbelSoftmax. */
export const CONCRETE_CONSTRAINTS = { ...LOGITS_OR_PROBS_CONSTRAINTS, temperature: "positive" } as const;

export class ExpConcrete extends Distribution {
  readonly argConstraints = CONCRETE_CONSTRAINTS;
  readonly temperature: ScalarParameter;
  readonly batchShape: number[];
  readonly eventShape: number[];
  private readonly source: { logits?: tf.Tensor; probs?: tf.Tensor };

  constructor(options: ConcreteOptions) {
    super();
    this.source = resolveLogits(options, 1, "ExpConcrete");
    this.temperature = assertScalarParameter("temperature", options.temperature);
    this.checkArgs({ ...this.source, temperature: this.temperature }, options.validateArgs ?? true);
    const param = (this.source.logits ?? this.source.probs)!;
    this.eventShape = [param.shape[param.rank - 1]];
    if (this.eventShape[0] < 2) throw new Error(`ExpConcrete needs K >= 2 categories; got logits/probs of shape [${param.shape.join(", ")}]`);
    this.batchShape = broadcastShapes([
      [this.source.logits ? "logits (batch part)" : "probs (batch part)", param.shape.slice(0, -1)],
      ["temperature", shapeOf(this.temperature)],
    ]);
  }

  /** Unnormalized logits (log probs if constructed from probs): a new tensor the caller owns. */
  logits(): tf.Tensor {
    return tf.tidy(() => (this.source.logits ? tf.clone(this.source.logits) : tf.log(this.source.probs!)));
  }

  sample(n: number, { seed }: SampleOptions = {}): tf.Tensor {
    checkSampleCount(n);
    const nextSeed = seedSource(seed);
    return tf.tidy(() => {
      const gumbel = standardGumbel([n, ...this.batchShape, this.eventShape[0]], nextSeed());
      return tf.logSoftmax(tf.div(tf.add(this.logits(), gumbel), perEvent(this.temperature)), -1);
    });
  }

  /**
   * A log-coordinate of −∞ (x_k = 0, off the open simplex) gives −∞, not NaN. Draws of `sample` never
   * have one: they are log-softmax outputs, finite at every τ.
   */
  logProb(y: tf.Tensor): tf.Tensor {
    checkEvent(y, this.eventShape, "ExpConcrete.logProb");
    return tf.tidy(() => {
      const k = this.eventShape[0];
      const tau = this.temperature;
      const logTau = typeof tau === "number" ? Math.log(tau) : tf.log(tau);
      const inside = maskOf(y, (v) => tf.logicalNot(tf.any(tf.equal(v, -Infinity), -1)));
      const safe = tf.where(tf.expandDims(inside, -1), y, tf.fill(y.shape, -Math.log(k)));
      const scores = tf.sub(this.logits(), tf.mul(perEvent(tau), safe));
      const logDensity = tf.add(tf.sum(tf.logSoftmax(scores, -1), -1), tf.add(logGammaInteger(k), tf.mul(k - 1, logTau)));
      return tf.where(inside, logDensity, tf.fill(logDensity.shape, -Infinity));
    });
  }
}
