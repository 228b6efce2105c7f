// The function whose expectation the estimators differentiate: f(b) of one-hot latents b, [..., V, K].
// Every objective here also accepts relaxed (simplex) inputs, which is what RELAX/REBAR's control
// variate and the reparameterization estimators feed it.
import * as tf from "@tensorflow/tfjs";

export interface DiscreteObjective {
  readonly name: string;
  /** V, the number of categorical variables. */
  readonly numVariables: number;
  /** K, the number of categories of each variable. */
  readonly numCategories: number;
  /** f on one-hot or relaxed inputs [..., V, K] -> [...], float32, differentiable. */
  evaluate(x: tf.Tensor): tf.Tensor;
  /** f(b) in plain Float64 for a vector of V category indices: the reference for exact checks. */
  evaluate64(categories: number[]): number;
}

export interface QuadraticToyOptions {
  /** t, one target per variable (default (1, 0.4, 0), the RELAX/REBAR toy of docs/paper.md §7.1). */
  targets?: number[];
  /** K (default 3). With K = 2 this is exactly the Bernoulli toy f(b) = Σ (b_i − t_i)². */
  numCategories?: number;
}

/**
 * f(b) = Σ_v (value(b_v) − t_v)² with value(b_v) = k/(K−1) for category k = 0..K−1: the REBAR/RELAX
 * toy (Tucker et al. 2017; the authors' `toy_loss_2`, t = (1, 0.4, 0)) generalised to K categories.
 * value is linear on the simplex (Σ_k x_k·k/(K−1)), so relaxed inputs are handled by the same formula.
 */
export function quadraticToyObjective({ targets = [1, 0.4, 0], numCategories = 3 }: QuadraticToyOptions = {}): DiscreteObjective {
  if (!Array.isArray(targets) || targets.length < 1 || !targets.every(Number.isFinite)) {
    throw new Error(`quadraticToyObjective: targets must be a non-empty array of finite numbers, got [${targets}]`);
  }
  if (!Number.isInteger(numCategories) || numCategories < 2) {
    throw new Error(`quadraticToyObjective: numCategories must be an integer >= 2, got ${numCategories}`);
  }
  const K = numCategories;
  const V = targets.length;
  const values = Array.from({ length: K }, (_, k) => k / (K - 1));
  return {
    name: `quadratic toy (t = ${targets.join(", ")}; K = ${K})`,
    numVariables: V,
    numCategories: K,
    evaluate(x: tf.Tensor): tf.Tensor {
      const shape = x.shape.slice(-2);
      if (shape[0] !== V || shape[1] !== K) {
        throw new Error(`quadraticToyObjective: input must end in [${V}, ${K}], got [${x.shape}]`);
      }
      return tf.tidy(() => {
        const value = tf.sum(tf.mul(x, tf.tensor1d(values)), -1);
        return tf.sum(tf.square(tf.sub(value, tf.tensor1d(targets))), -1);
      });
    },
    evaluate64(categories: number[]): number {
      if (categories.length !== V) throw new Error(`quadraticToyObjective: need ${V} categories, got [${categories}]`);
      return categories.reduce((sum, k, v) => sum + (values[k] - targets[v]) ** 2, 0);
    },
  };
}
