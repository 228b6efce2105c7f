// An estimation problem: L(θ) = E_{b ~ p_θ}[f(b)] + klWeight · Σ_v KL(p_θ,v ‖ Uniform(K)).
// The KL term mirrors the VAE's objective (f = reconstruction, exact categorical KL to a uniform
// prior, docs/paper.md §7.2); every estimator adds its exact gradient, so only E[f] is estimated.
import * as tf from "@tensorflow/tfjs";
import { ParameterFamily } from "./family";
import { DiscreteObjective } from "./objective";

export interface EstimationProblem {
  family: ParameterFamily;
  objective: DiscreteObjective;
  /** Weight of the exact KL(p_θ ‖ Uniform) term (default 0). */
  klWeight?: number;
}

export function checkProblem(problem: EstimationProblem): void {
  const { family, objective } = problem;
  if (family.numVariables !== objective.numVariables || family.numCategories !== objective.numCategories) {
    throw new Error(
      `problem: family has ${family.numVariables} variables × ${family.numCategories} categories but the objective ` +
        `"${objective.name}" has ${objective.numVariables} × ${objective.numCategories}`,
    );
  }
  const w = problem.klWeight ?? 0;
  if (!Number.isFinite(w)) throw new Error(`problem: klWeight must be finite, got ${w}`);
}

/**
 * Σ_v KL(p_v ‖ Uniform(K)) = Σ_v Σ_k p log p + V log K, [...] from log p [..., V, K]: kl(Categorical ‖
 * Categorical) specialised to the uniform law, for the objectives' inner loops (checked against kl()
 * in test/distributions/categoricalKl.test.ts).
 */
export function klToUniformFromLogProbs(logProbs: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [V, K] = logProbs.shape.slice(-2);
    return tf.add(tf.sum(tf.mul(tf.exp(logProbs), logProbs), [-2, -1]), V * Math.log(K));
  });
}

/**
 * The KL part of a surrogate: klWeight·KL with the given sign (+1 correct; −1 is the authors'
 * IGR+RELAX loss "recon − KL", docs/paper.md §7.2 / trap 14), or a scalar 0 when klWeight = 0.
 */
export function klTerm(problem: EstimationProblem, logProbs: tf.Tensor | (() => tf.Tensor), sign: 1 | -1 = 1): tf.Tensor {
  const w = problem.klWeight ?? 0;
  if (w === 0) return tf.scalar(0); // broadcasts against [draws]; log p is not even computed
  return tf.mul(klToUniformFromLogProbs(typeof logProbs === "function" ? logProbs() : logProbs), sign * w);
}
