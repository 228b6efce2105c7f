// Relaxed Bernoulli / binary Concrete (Maddison et al. 2017): x = sigmoid((ℓ + L)/τ) with L a
// standard logistic draw; event shape [], batch shape = broadcast(logits, temperature).
import * as tf from "@tensorflow/tfjs";
import { seedSource, standardLogistic } from "../core/random";
import { log1p } from "../core/special";
import { broadcastShapes, checkScalarParameter, ScalarParameter, shapeOf } from "../core/validate";
import { checkSampleCount, Distribution, SampleOptions } from "./distribution";
import { LogitsOrProbs, resolveLogits } from "./logitsOrProbs";

export type RelaxedBernoulliOptions = LogitsOrProbs & {
  temperature: ScalarParameter;
  validateArgs?: boolean;
};

export class RelaxedBernoulli implements Distribution {
  readonly temperature: ScalarParameter;
  readonly batchShape: number[];
  readonly eventShape: number[] = [];
  private readonly source: { logits?: tf.Tensor; probs?: tf.Tensor };

  constructor(options: RelaxedBernoulliOptions) {
    const validate = options.validateArgs ?? true;
    this.source = resolveLogits(options, 0, validate, "RelaxedBernoulli");
    if (validate && this.source.probs && this.source.probs.dataSync().some((p) => p > 1)) {
      throw new Error(`RelaxedBernoulli: probs must be in [0, 1]; got ${Array.from(this.source.probs.dataSync()).find((p) => p > 1)}`);
    }
    this.temperature = checkScalarParameter("temperature", options.temperature, validate);
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
   * Density on (0, 1): log τ + ℓ − (τ+1)(log x + log(1−x)) − 2 log(e^{ℓ} x^{−τ} + (1−x)^{−τ}), written
   * as log τ + ℓ − (τ+1) log x + (τ−1) log(1−x) − 2 softplus(ℓ − τ(log x − log(1−x))).
   */
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const tau = this.temperature;
      const logTau = typeof tau === "number" ? Math.log(tau) : tf.log(tau);
      const logX = tf.log(x);
      const log1mX = log1p(tf.neg(x));
      const l = this.logits();
      const inner = tf.sub(l, tf.mul(tau, tf.sub(logX, log1mX)));
      const tauPlus = tf.add(tau, 1);
      const tauMinus = tf.sub(tau, 1);
      return tf.sub(tf.add(tf.sub(tf.add(logTau, l), tf.mul(tauPlus, logX)), tf.mul(tauMinus, log1mX)), tf.mul(2, tf.softplus(inner)));
    });
  }
}
