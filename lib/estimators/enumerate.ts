// Exact enumeration of every outcome of V categoricals with K categories (K^V of them): the exact
// objective and its exact gradient, the reference every estimator is measured against.
import * as tf from "@tensorflow/tfjs";
import { checkProblem, EstimationProblem, klToUniformFromLogProbs } from "./problem";

/** Every vector of V category indices, in lexicographic order (K^V rows). */
export function allOutcomes(numVariables: number, numCategories: number): number[][] {
  const count = numCategories ** numVariables;
  if (!(count <= 1e6)) throw new Error(`allOutcomes: ${numCategories}^${numVariables} outcomes is too many to enumerate`);
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    const row: number[] = [];
    let rest = i;
    for (let v = numVariables - 1; v >= 0; v--) {
      row[v] = rest % numCategories;
      rest = Math.floor(rest / numCategories);
    }
    out.push(row);
  }
  return out;
}

/** One-hot encoding of category vectors: [n, V] indices -> [n, V, K] float32. */
export function oneHotOutcomes(outcomes: number[][], numCategories: number): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor2d(outcomes, undefined, "int32"), numCategories), "float32"));
}

/** L(θ) = Σ_b p_θ(b) f(b) + klWeight·KL, a differentiable scalar (params without draw axes). */
export function exactObjective(problem: EstimationProblem, params: tf.Tensor[]): tf.Scalar {
  checkProblem(problem);
  const { family, objective } = problem;
  return tf.tidy(() => {
    const outcomes = allOutcomes(family.numVariables, family.numCategories);
    const b = oneHotOutcomes(outcomes, family.numCategories);
    const logP = family.logProbs(params);
    const logJoint = tf.sum(tf.mul(b, logP), [-2, -1]);
    const f = tf.tensor1d(outcomes.map((o) => objective.evaluate64(o)));
    const expectation = tf.sum(tf.mul(tf.exp(logJoint), f));
    return tf.add(expectation, tf.mul(klToUniformFromLogProbs(logP), problem.klWeight ?? 0)) as tf.Scalar;
  });
}

/** ∇_θ L(θ) by autodiff of the enumerated sum, flattened over all parameter tensors in order. */
export function exactGradient(problem: EstimationProblem, params: tf.Tensor[]): number[] {
  const grads = tf.grads((...ps: tf.Tensor[]) => exactObjective(problem, ps))(params);
  const out = grads.flatMap((g) => Array.from(g.dataSync()));
  tf.dispose(grads);
  return out;
}
