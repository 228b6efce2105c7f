// Small special functions in float32 tfjs, written so that no intermediate overflows or cancels.
import * as tf from "@tensorflow/tfjs";
import { HALF_LOG_TWO_PI } from "./constants";

/**
 * log(1 + x), accurate for tiny x on every backend (the wasm kernel computes log(1 + x) naively and
 * returns 0 for x = 1e-10). Kahan's trick: log(u)·x/(u − 1) with u = fl(1 + x); gradient 1/(1 + x).
 */
export function log1p(x: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const u = tf.add(1, input);
    const d = tf.sub(u, 1);
    const isExact = tf.equal(d, 0);
    const safeD = tf.where(isExact, tf.onesLike(d), d);
    const value = tf.where(isExact, input, tf.mul(tf.log(u), tf.div(input, safeD)));
    save([u]);
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.div(dy, saved[0]) };
  });
  return op(x) as tf.Tensor;
}

/**
 * A copy of x that gradient tapes do not trace back (tfjs has no stop_gradient op). It reads the
 * values back (cheap on cpu/wasm), so nothing upstream, e.g. an iterative solver, is recorded.
 */
export function stopGradient(x: tf.Tensor): tf.Tensor {
  return tf.tensor(x.dataSync(), x.shape, x.dtype);
}

/**
 * Log-softmax over the last axis of [x, extra]: x is [..., n], extra broadcasts against x's leading
 * dims; returns [..., n + 1]. This is how softmax++ gets every coordinate, the last one included,
 * without ever forming 1 − Σ (docs/paper.md §1.1).
 */
export function logSoftmaxWithExtraLogit(x: tf.Tensor, extra: number | tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const lead = x.shape.slice(0, -1);
    const extraColumn = tf.add(tf.zeros([...lead, 1]), typeof extra === "number" ? extra : tf.expandDims(extra, -1));
    const leadShape = extraColumn.shape.slice(0, -1);
    const full = tf.broadcastTo(x, [...leadShape, x.shape[x.rank - 1]]);
    return tf.logSoftmax(tf.concat([full, extraColumn], -1), -1);
  });
}

/** tanh'(a) = 1 − tanh²(a) = 4t/(1 + t)² with t = e^{−2|a|}: no cancellation for large |a|. */
export function tanhDerivative(a: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const t = tf.exp(tf.mul(-2, tf.abs(a)));
    return tf.div(tf.mul(4, t), tf.square(tf.add(1, t)));
  });
}

/** log Γ(n) = log (n − 1)! for a positive integer n, in float64 JS. */
export function logGammaInteger(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`logGammaInteger needs a positive integer; got ${n}`);
  let s = 0;
  for (let k = 2; k < n; k++) s += Math.log(k);
  return s;
}

/** Elementwise log density of N(loc, scale²) at x. */
export function normalLogDensity(x: tf.Tensor, loc: tf.Tensor | number, scale: tf.Tensor | number): tf.Tensor {
  return tf.tidy(() => {
    const z = tf.div(tf.sub(x, loc), scale);
    return tf.sub(tf.sub(tf.mul(-0.5, tf.square(z)), HALF_LOG_TWO_PI), tf.log(scale));
  });
}

/**
 * The same density from the standardised z = (x − μ)/σ and log σ, for callers that hold log σ
 * already (an encoder's log-variance): −z²/2 − (log σ + ½ log 2π); no `logScale` means σ = 1. The
 * grouping differs from `normalLogDensity` in float32 rounding only; each caller keeps the one its
 * committed runs were made with.
 */
export function normalLogDensityStandardized(z: tf.Tensor, logScale?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.mul(-0.5, tf.square(z)), logScale === undefined ? HALF_LOG_TWO_PI : tf.add(logScale, HALF_LOG_TWO_PI)));
}

/**
 * log sigmoid(x) = −softplus(−x). tf.logSigmoid's gradient reads its input through a closure, so
 * inside tf.tidy (input disposed before the backward pass) tf.grad fails; softplus saves its input.
 */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.neg(tf.softplus(tf.neg(x))));
}

/** log sigmoid(x) = −log(1 + e^{−x}) in Float64 (plain numbers, for the JS kernels), without overflow. */
export function logSigmoid64(x: number): number {
  return x < 0 ? x - Math.log1p(Math.exp(x)) : -Math.log1p(Math.exp(-x));
}

/**
 * A boolean mask computed from x that gradient tapes see as a constant: tfjs has no gradients for
 * comparisons and reductions like `any`, so a mask built from a differentiated tensor would otherwise
 * stop tf.grad with "gradient function not found".
 */
export function maskOf(x: tf.Tensor, mask: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor;
    return { value: mask(input), gradFunc: () => tf.zerosLike(input) };
  });
  return op(x) as tf.Tensor;
}
