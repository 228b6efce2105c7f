// RELAX's variance-minimising update of the control variate (Grathwohl et al. 2018, eq. 5):
// since E[ĝ] = ∇L does not depend on φ, ∇_φ Var[ĝ] = ∇_φ E[‖ĝ‖²], estimated by the mean over draws
// of ∇_φ ‖ĝ_d‖². ĝ is itself a gradient, so this differentiates through it (a nested tf.grads).
import * as tf from "@tensorflow/tfjs";
import { Seed } from "../core/random";
import { toSeedStream, tileParams } from "./estimator";
import { EstimationProblem, checkProblem } from "./problem";
import { Relax } from "./relax";

export interface RelaxStepOptions {
  /** Draws averaged for both ĝ and the variance gradient (default 1). */
  draws?: number;
  seed?: Seed;
  /** Optimizer for the control variate's variables; without one nothing is updated. */
  optimizer?: tf.Optimizer;
}

export interface RelaxStepResult {
  /** The RELAX estimate averaged over draws, one tensor per parameter (caller disposes). */
  gradient: tf.Tensor[];
  /** mean_d ‖ĝ_d‖², the quantity the control variate minimises. */
  meanSquaredNorm: number;
}

/** One RELAX gradient for θ plus one variance-minimising step on the control variate's φ. */
export function relaxStep(estimator: Relax, problem: EstimationProblem, params: tf.Tensor[], { draws = 1, seed, optimizer }: RelaxStepOptions = {}): RelaxStepResult {
  checkProblem(problem);
  const stream = toSeedStream(seed);
  const tiled = tileParams(params, draws);
  let perDraw: tf.Tensor[] = [];
  const varianceLoss = () => {
    perDraw = tf.grads((...ps: tf.Tensor[]) => tf.sum(estimator.surrogate(problem, ps, stream)))(tiled);
    perDraw.forEach((g) => tf.keep(g));
    const squares = perDraw.map((g) => tf.sum(tf.reshape(tf.square(g), [draws, -1]), 1));
    return tf.mean(tf.addN(squares)) as tf.Scalar;
  };
  try {
    if (!optimizer) {
      const value = tf.tidy(varianceLoss);
      const meanSquaredNorm = value.dataSync()[0];
      value.dispose();
      return { gradient: meanOver(perDraw), meanSquaredNorm };
    }
    const { value, grads } = tf.variableGrads(varianceLoss, estimator.controlVariate.variables);
    optimizer.applyGradients(grads);
    const meanSquaredNorm = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return { gradient: meanOver(perDraw), meanSquaredNorm };
  } finally {
    tf.dispose(tiled);
    tf.dispose(perDraw);
  }
}

function meanOver(perDraw: tf.Tensor[]): tf.Tensor[] {
  return perDraw.map((g) => tf.mean(g, 0));
}
