// REINFORCE (the score-function estimator) with a baseline:
//   ĝ = (1/S) Σ_s (f(b_s) − baseline_s) ∇ log p_θ(b_s),   b_s ~ p_θ independently.
// It is unbiased whenever baseline_s does not depend on b_s: a constant, a moving average of past f,
// or the leave-one-out mean of the other S − 1 samples (Kool et al. 2019 "Buy 4 REINFORCE samples").
import * as tf from "@tensorflow/tfjs";
import { SeedStream } from "../core/random";
import { GradientEstimator } from "./estimator";
import { EstimationProblem, klTerm } from "./problem";
import { jointLogProb, sampleOneHot } from "./sampling";

export type ReinforceBaseline = "none" | "movingAverage" | "leaveOneOut";

export interface ReinforceOptions {
  /** Default "none". */
  baseline?: ReinforceBaseline;
  /** S, samples per draw (default 1; "leaveOneOut" needs S ≥ 2). */
  numSamples?: number;
  /** Moving average b ← decay·b + (1 − decay)·mean f after each call (default 0.9). */
  decay?: number;
  /** Starting value of the moving average (default 0). */
  initialBaseline?: number;
}

export class Reinforce implements GradientEstimator {
  readonly unbiased = true;
  readonly baseline: ReinforceBaseline;
  readonly numSamples: number;
  readonly decay: number;
  /** Current moving-average baseline (used by the next call, then updated with its f values). */
  movingAverage: number;

  constructor({ baseline = "none", numSamples = 1, decay = 0.9, initialBaseline = 0 }: ReinforceOptions = {}) {
    if (!["none", "movingAverage", "leaveOneOut"].includes(baseline)) {
      throw new Error(`Reinforce: baseline must be "none", "movingAverage" or "leaveOneOut", got "${baseline}"`);
    }
    if (!Number.isInteger(numSamples) || numSamples < 1) throw new Error(`Reinforce: numSamples must be a positive integer, got ${numSamples}`);
    if (baseline === "leaveOneOut" && numSamples < 2) throw new Error(`Reinforce: the leave-one-out baseline needs numSamples >= 2, got ${numSamples}`);
    if (!(decay >= 0 && decay < 1)) throw new Error(`Reinforce: decay must be in [0, 1), got ${decay}`);
    this.baseline = baseline;
    this.numSamples = numSamples;
    this.decay = decay;
    this.movingAverage = initialBaseline;
  }

  get name(): string {
    const b = { none: "", movingAverage: " + moving average", leaveOneOut: " + leave-one-out" }[this.baseline];
    return `REINFORCE${b} (S = ${this.numSamples})`;
  }

  get evaluationsPerDraw(): number {
    return this.numSamples;
  }

  surrogate(problem: EstimationProblem, params: tf.Tensor[], seed: SeedStream): tf.Tensor {
    const S = this.numSamples;
    const logP = problem.family.logProbs(params);
    const b = sampleOneHot(logP, S, seed);
    const f = problem.objective.evaluate(b); // [n, S], no gradient to θ (b is a constant)
    let advantage: tf.Tensor;
    if (this.baseline === "leaveOneOut") {
      // f_s − (Σ_j f_j − f_s)/(S − 1)
      advantage = tf.sub(f, tf.div(tf.sub(tf.sum(f, 1, true), f), S - 1));
    } else if (this.baseline === "movingAverage") {
      advantage = tf.sub(f, this.movingAverage);
      const meanF = tf.mean(f).dataSync()[0];
      this.movingAverage = this.decay * this.movingAverage + (1 - this.decay) * meanF;
    } else {
      advantage = f;
    }
    return tf.add(tf.mean(tf.mul(advantage, jointLogProb(logP, b)), 1), klTerm(problem, logP));
  }
}
