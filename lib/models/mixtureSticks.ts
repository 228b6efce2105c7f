// Stick fractions v ∈ (0, 1) of the nonparametric mixture (docs/paper.md §7.4) and their log-densities:
//   kumaraswamy  v = (1 − (1 − u)^{1/b})^{1/a}, u ~ U(0, 1) (inverse CDF of Kumaraswamy(a, b)),
//                log q(v) = log a + log b + (a − 1) log v + (b − 1) log(1 − v^a)
//   logit-normal v = sigmoid(κ), κ = μ + σ ε (IGR-SB's sticks, no softmax++: the mixture needs
//                the weights, not a relaxed one-hot), log q(v) = log N(κ; μ, σ²) − log v − log(1 − v)
// and the stick-breaking weights with the remainder, in log space:
//   log π_k = log v_k + Σ_{j<k} log(1 − v_j) (k < C),   log π_C = Σ_{j<C} log(1 − v_j).
// The authors clip v to [1e−4, 0.9999] (docs/paper.md §7.4); we clip the same way (in κ for the logit-normal,
// so the density stays exact at the clipped point).
import * as tf from "@tensorflow/tfjs";
import { log1p, logSigmoid, normalLogDensityStandardized } from "../core/special";

export const STICK_MIN = 1e-4;
export const STICK_MAX = 0.9999;
const LOGIT_MIN = Math.log(STICK_MIN / (1 - STICK_MIN));
const LOGIT_MAX = Math.log(STICK_MAX / (1 - STICK_MAX));

export interface SticksAndLogDensity {
  /** log v, [..., n]. */
  logV: tf.Tensor;
  /** log(1 − v), [..., n]. */
  log1mV: tf.Tensor;
  /** log q(v) per stick, [..., n] (Lebesgue density on (0, 1)). */
  logQ: tf.Tensor;
}

/**
 * Kumaraswamy(a, b) sticks from uniforms u (same shape as a, b). `densityA`, `densityB` (default a, b)
 * are the parameters inside log q, so sticking-the-landing can pass stop-gradient copies.
 */
export function kumaraswamySticks(a: tf.Tensor, b: tf.Tensor, u: tf.Tensor, densityA: tf.Tensor = a, densityB: tf.Tensor = b): SticksAndLogDensity {
  return tf.tidy(() => {
    // 1 − (1 − u)^{1/b} = −expm1(log(1 − u)/b), then the 1/a power in log space.
    const inner = tf.neg(tf.expm1(tf.div(log1p(tf.neg(u)), b)));
    const v = tf.clipByValue(tf.exp(tf.div(tf.log(inner), a)), STICK_MIN, STICK_MAX);
    const logV = tf.log(v);
    const log1mV = log1p(tf.neg(v));
    const logQ = kumaraswamyLogDensity(densityA, densityB, logV);
    return { logV, log1mV, logQ };
  });
}

/** log Kumaraswamy(v; a, b) from log v: log a + log b + (a − 1) log v + (b − 1) log(1 − v^a). */
export function kumaraswamyLogDensity(a: tf.Tensor, b: tf.Tensor, logV: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const log1mVa = log1p(tf.neg(tf.exp(tf.mul(a, logV))));
    return tf.add(tf.add(tf.log(a), tf.log(b)), tf.add(tf.mul(tf.sub(a, 1), logV), tf.mul(tf.sub(b, 1), log1mVa)));
  });
}

/** Logit-normal sticks v = sigmoid(μ + σ ε), with κ clipped so v ∈ [1e−4, 0.9999]. */
export function logitNormalSticks(loc: tf.Tensor, scale: tf.Tensor, eps: tf.Tensor, densityLoc: tf.Tensor = loc, densityScale: tf.Tensor = scale): SticksAndLogDensity {
  return tf.tidy(() => {
    const kappa = tf.clipByValue(tf.add(loc, tf.mul(scale, eps)), LOGIT_MIN, LOGIT_MAX);
    const logV = logSigmoid(kappa);
    const log1mV = logSigmoid(tf.neg(kappa));
    const z = tf.div(tf.sub(kappa, densityLoc), densityScale);
    const logNormal = normalLogDensityStandardized(z, tf.log(densityScale));
    return { logV, log1mV, logQ: tf.sub(logNormal, tf.add(logV, log1mV)) };
  });
}

/**
 * log π for the first `sticks` fractions plus the remainder, [..., sticks + 1], from log v and
 * log(1 − v) of shape [..., n ≥ sticks].
 */
export function logStickWeights(logV: tf.Tensor, log1mV: tf.Tensor, sticks: number): tf.Tensor {
  const n = logV.shape[logV.rank - 1];
  if (!Number.isInteger(sticks) || sticks < 0 || sticks > n) throw new Error(`logStickWeights: sticks must be an integer in [0, ${n}]; got ${sticks}`);
  return tf.tidy(() => {
    const lead = logV.shape.slice(0, -1);
    const axis = logV.rank - 1;
    const keptV = tf.slice(logV, Array(logV.rank).fill(0), [...lead, sticks]);
    const kept1mV = tf.slice(log1mV, Array(logV.rank).fill(0), [...lead, sticks]);
    // Σ_{j<k} log(1 − v_j) for k = 1..sticks+1: an exclusive cumsum padded with the full sum.
    const before = tf.concat([tf.zeros([...lead, 1]), tf.cumsum(kept1mV, axis)], axis);
    return tf.add(before, tf.concat([keptV, tf.zeros([...lead, 1])], axis));
  });
}
