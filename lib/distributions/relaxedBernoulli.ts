// Relaxed Bernoulli / binary Concrete (Maddison et al. 2017): x = sigmoid((ℓ + L)/τ) with L a
// standard logistic draw; event shape [], batch shape = broadcast(logits, temperature).
import * as tf from "@tensorflow/tfjs";
import { seedSource, standardLogistic } from "../core/random";
import { log1p, logSigmoid, maskOf } from "../core/special";
import { assertScalarParameter, broadcastShapes, ScalarParameter, shapeOf } from "../core/validate";
import { checkSampleCount, Distribution, SampleOptions } from "./distribution";
import { LogitsOrProbs, resolveLogits } from "./logitsOrProbs";

export type RelaxedBernoulliOptions = LogitsOrProbs & {
  temperature: ScalarParameter;
  validateArgs?: boolean;
};

export class RelaxedBernoulli extends Distribution {
  readonly argConstraints = { logits: "real", probs: "unitInterval", temperature: "positive" } as const;
  readonly temperature: ScalarParameter;
  readonly batchShape: number[];
  readonly eventShape: number[] = [];
  private readonly source: { logits?: tf.Tensor; probs?: tf.Tensor };

  constructor(options: RelaxedBernoulliOptions) {
    super();
    this.source = resolveLogits(options, 0, "RelaxedBernoulli");
    this.temperature = assertScalarParameter("temperature", options.temperature);
    this.checkArgs({ ...this.source, temperature: this.temperature }, options.validateArgs ?? true);
    const param = (this.source.logits ?? this.source.probs)!;
    this.batchShape = broadcastShapes([
      [this.source.logits ? "logits" : "probs", param.shape],
      ["temperature", shapeOf(this.temperature)],
    ]);
  }

  /** log(p/(1 − p)): a new tensor the caller owns. */
  logits(): tf.Tensor {
    return tf.tidy(() => {
      if (this.source.logits) return tf.clone(this.source.logits);
      const p = this.source.probs!;
      return tf.sub(tf.log(p), log1p(tf.neg(p)));
    });
  }

  /** The pre-sigmoid value (ℓ + L)/τ: exact where the sample rounds to 0 or 1. */
  sampleLogit(n: number, { seed }: SampleOptions = {}): tf.Tensor {
    checkSampleCount(n);
    const nextSeed = seedSource(seed);
    return tf.tidy(() => tf.div(tf.add(this.logits(), standardLogistic([n, ...this.batchShape], nextSeed())), this.temperature));
  }

  sample(n: number, options: SampleOptions = {}): tf.Tensor {
    return tf.tidy(() => tf.sigmoid(this.sampleLogit(n, options)));
  }

  /**
   * A draw, its logit and its exact log density: at low τ float32 rounds many draws to exactly 0 or 1,
   * where `logProb(sample)` can only say −∞; the logit keeps the draw.
   */
  sampleAndLogProb(n: number, options: SampleOptions = {}): { sample: tf.Tensor; logit: tf.Tensor; logProb: tf.Tensor } {
    return tf.tidy(() => {
      const logit = this.sampleLogit(n, options);
      return { sample: tf.sigmoid(logit), logit, logProb: this.logProbFromLogit(logit) };
    });
  }

  /**
   * Density on (0, 1): log τ + ℓ − (τ+1)(log x + log(1−x)) − 2 log(e^{ℓ} x^{−τ} + (1−x)^{−τ}), written
   * as log τ + ℓ − (τ+1) log x + (τ−1) log(1−x) − 2 softplus(ℓ − τ(log x − log(1−x))). x = 0 or 1 (off
   * the open interval; what a low-τ float32 draw rounds to) gives −∞, not NaN.
   */
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      // written as "not outside" so that a NaN input stays NaN
      const outside = maskOf(x, (v) => tf.logicalOr(tf.lessEqual(v, 0), tf.greaterEqual(v, 1)));
      const safe = tf.where(outside, tf.fill(x.shape, 0.5), x);
      const logDensity = this.logDensity(tf.log(safe), log1p(tf.neg(safe)));
      return tf.where(outside, tf.fill(logDensity.shape, -Infinity), logDensity);
    });
  }

  /** log density of x = sigmoid(z) from its logit z (exact where x rounds to 0 or 1). */
  logProbFromLogit(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.logDensity(logSigmoid(z), logSigmoid(tf.neg(z))));
  }

  private logDensity(logX: tf.Tensor, log1mX: tf.Tensor): tf.Tensor {
    const tau = this.temperature;
    const logTau = typeof tau === "number" ? Math.log(tau) : tf.log(tau);
    const l = this.logits();
    const inner = tf.sub(l, tf.mul(tau, tf.sub(logX, log1mX)));
    const tauPlus = tf.add(tau, 1);
    const tauMinus = tf.sub(tau, 1);
    return tf.sub(tf.add(tf.sub(tf.add(logTau, l), tf.mul(tauPlus, logX)), tf.mul(tauMinus, log1mX)), tf.mul(2, tf.softplus(inner)));
  }
}
