// RELAX's control variate c_φ(y) = η · f(σ_τ(y)) + r_φ(σ_τ(y)), with learnable η, log τ and a small
// MLP r_φ (the authors' RelaxCovNet: input 2x − 1, 50 ReLU units, one output times a learnable
// scale; docs/paper.md §7.1). Without the network it is REBAR's control variate (Tucker et al. 2017).
import * as tf from "@tensorflow/tfjs";
import { MLP } from "../models/dense";
import { DiscreteObjective } from "./objective";

export interface ControlVariateOptions {
  numVariables: number;
  numCategories: number;
  /** Hidden width of r_φ (default 50); 0 gives REBAR (no network). */
  hidden?: number;
  /** Initial τ of the relaxation (default 0.5). */
  temperature?: number;
  /** Initial η (default 1). */
  eta?: number;
  /** Initial scale multiplying r_φ's output (default 0.1, so c starts close to η·f). */
  networkScale?: number;
  /** Seed of r_φ's initialisation (default 0). */
  seed?: number;
}

export class ControlVariate {
  readonly logTemperature: tf.Variable;
  readonly eta: tf.Variable;
  readonly networkScale?: tf.Variable;
  readonly network?: MLP;
  readonly numVariables: number;
  readonly numCategories: number;

  constructor({ numVariables, numCategories, hidden = 50, temperature = 0.5, eta = 1, networkScale = 0.1, seed = 0 }: ControlVariateOptions) {
    if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`ControlVariate: temperature must be finite and > 0, got ${temperature}`);
    if (!Number.isFinite(eta)) throw new Error(`ControlVariate: eta must be finite, got ${eta}`);
    if (!Number.isInteger(hidden) || hidden < 0) throw new Error(`ControlVariate: hidden must be a non-negative integer, got ${hidden}`);
    this.numVariables = numVariables;
    this.numCategories = numCategories;
    this.logTemperature = tf.variable(tf.scalar(Math.log(temperature)));
    this.eta = tf.variable(tf.scalar(eta));
    if (hidden > 0) {
      this.network = new MLP([numVariables * numCategories, hidden, 1], "relu", { seed });
      this.networkScale = tf.variable(tf.scalar(networkScale));
    }
  }

  get isRebar(): boolean {
    return this.network === undefined;
  }

  temperature(): tf.Tensor {
    return tf.exp(this.logTemperature);
  }

  /** c(x) for relaxed inputs x [..., V, K] -> [...] (one evaluation of f and of r_φ for all rows). */
  evaluate(relaxed: tf.Tensor, objective: DiscreteObjective): tf.Tensor {
    return tf.tidy(() => {
      const surrogateF = tf.mul(this.eta, objective.evaluate(relaxed));
      if (!this.network) return surrogateF;
      const leading = relaxed.shape.slice(0, -2);
      const rows = leading.reduce((a, b) => a * b, 1);
      const input = tf.sub(tf.mul(tf.reshape(relaxed, [rows, this.numVariables * this.numCategories]), 2), 1) as tf.Tensor2D;
      const r = tf.mul(tf.reshape(this.network.apply(input), leading), this.networkScale!);
      return tf.add(surrogateF, r);
    });
  }

  get variables(): tf.Variable[] {
    return [this.logTemperature, this.eta, ...(this.networkScale ? [this.networkScale] : []), ...(this.network?.variables ?? [])];
  }

  dispose(): void {
    this.logTemperature.dispose();
    this.eta.dispose();
    this.networkScale?.dispose();
    this.network?.dispose();
  }
}
