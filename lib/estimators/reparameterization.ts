// The biased baselines: differentiate f through a continuous relaxation instead of the discrete b.
//   GS / IGR:        ĝ = ∇_θ f(σ(z_θ)),          σ = softmax(·/τ) or softmax++(·/τ)
//   straight-through: ĝ = ∇_θ f(ST(σ(z_θ))),     forward one-hot, backward through σ (Jang et al. 2017)
// Neither is an unbiased estimate of ∇ E_{b ~ p_θ}[f(b)]: the reparameterization estimators are
// unbiased for the relaxed objective E[f(σ(y))] instead (appendix eqs. 16–17), and straight-through
// has no objective at all. The harness measures how far off they are.
import * as tf from "@tensorflow/tfjs";
import { SeedStream } from "../core/random";
import { straightThrough } from "../distributions/straightThrough";
import { GradientEstimator } from "./estimator";
import { EstimationProblem, klTerm } from "./problem";
import { relax, sampleLatentNoise } from "./relaxation";

export interface ReparameterizationOptions {
  /** τ > 0 (default 0.5). */
  temperature?: number;
  /** One-hot forward value with the relaxed gradient (default false). */
  straightThrough?: boolean;
  /** Samples averaged per draw (default 1). */
  numSamples?: number;
}

export class Reparameterization implements GradientEstimator {
  readonly unbiased = false;
  readonly temperature: number;
  readonly straightThrough: boolean;
  readonly numSamples: number;

  constructor({ temperature = 0.5, straightThrough: st = false, numSamples = 1 }: ReparameterizationOptions = {}) {
    if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`Reparameterization: temperature must be finite and > 0, got ${temperature}`);
    if (!Number.isInteger(numSamples) || numSamples < 1) throw new Error(`Reparameterization: numSamples must be a positive integer, got ${numSamples}`);
    this.temperature = temperature;
    this.straightThrough = st;
    this.numSamples = numSamples;
  }

  get name(): string {
    return `${this.straightThrough ? "straight-through " : ""}reparameterization (τ = ${this.temperature})`;
  }

  get evaluationsPerDraw(): number {
    return this.numSamples;
  }

  surrogate(problem: EstimationProblem, params: tf.Tensor[], seed: SeedStream): tf.Tensor {
    const { family, objective } = problem;
    const values: tf.Tensor[] = [];
    for (let s = 0; s < this.numSamples; s++) {
      const soft = relax(family.kind, sampleLatentNoise(family, params, seed), this.temperature);
      values.push(objective.evaluate(this.straightThrough ? straightThrough(soft) : soft));
    }
    return tf.add(tf.mean(tf.stack(values, 0), 0), klTerm(problem, () => family.logProbs(params)));
  }
}
