// The standard normal CDF in log space, Φ(x), with tails that stay accurate in float32.
// Proposition 2 (appendix eq. 7) multiplies many Φ's and needs log Φ far into the lower tail,
// where Φ itself underflows and 1 + erf(x/√2) cancels (docs/paper.md §11 trap 4).
import * as tf from "@tensorflow/tfjs";
import { HALF_LOG_TWO_PI as LOG_SQRT_2PI } from "./constants";
import { normalLogDensityStandardized } from "./special";
const SQRT1_2 = Math.SQRT1_2;

/**
 * log Φ(x) elementwise, float32, differentiable.
 *
 * The upper-tail probability Q(|x|) = Φ(−|x|) = ½·erfc(|x|/√2) is formed in log space from the
 * Chebyshev-fitted erfc of Press et al. (Numerical Recipes, `erfcc`, relative error < 1.2e−7 for
 * every argument), so it never underflows: log Φ(x) = log Q(−x) for x < 0 and log1p(−Q(x)) for x ≥ 0.
 * The gradient is set to the exact φ(x)/Φ(x) = exp(log φ(x) − log Φ(x)) rather than the derivative
 * of the fit, so it is accurate in both tails and never NaN.
 */
export function logNdtr(x: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xIn = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const value = tf.tidy(() => logNdtrValue(xIn));
    save([xIn, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, v] = saved;
        // x ≥ 0: φ/Φ = exp(log φ − log Φ), no cancellation since log Φ ≈ 0.
        const upper = tf.exp(tf.sub(normalLogDensityStandardized(xs), v));
        // x < 0: log Φ = log ½ − x²/2 + L(t), so φ/Φ = exp(−log √(2π) − log ½ − L(t)): the x²/2 cancels
        // exactly instead of in float32 (which would cost ~1e−3 relative at x = −150).
        const lower = tf.exp(tf.sub(-LOG_SQRT_2PI - Math.log(0.5), tailLogTerm(tf.abs(xs))));
        return tf.mul(dy, tf.where(tf.less(xs, 0), lower, upper));
      },
    };
  });
  return op(x);
}

/** L(t) = log t + poly(t) with erfc(z) = exp(−z² + L(t)), t = 1/(1 + z/2), z = |x|/√2 (Numerical Recipes `erfcc`). */
function tailLogTerm(absX: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const t = tf.div(1, tf.add(1, tf.mul(absX, 0.5 * SQRT1_2)));
    const coefficients = [
      -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587,
      -0.82215223, 0.17087277,
    ];
    let poly: tf.Tensor = tf.scalar(coefficients[coefficients.length - 1]);
    for (let i = coefficients.length - 2; i >= 0; i--) poly = tf.add(tf.mul(poly, t), coefficients[i]);
    return tf.add(tf.log(t), poly);
  });
}

/** log Φ(−|x|) = log(½ erfc(|x|/√2)) = log ½ − x²/2 + L(t), float32, never underflows. */
function logUpperTail(absX: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.sub(tailLogTerm(absX), tf.mul(tf.square(absX), 0.5)), Math.log(0.5)));
}

function logNdtrValue(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const xf = tf.cast(x, "float32");
    const logQ = logUpperTail(tf.abs(xf));
    // Both branches are finite everywhere (log Q ≤ log ½), so tf.where is safe.
    const upper = tf.log1p(tf.neg(tf.exp(logQ)));
    return tf.where(tf.less(xf, 0), logQ, upper);
  });
}

// ---------------------------------------------------------------------------------------------
// Float64 reference path (plain JS numbers). Independent of the float32 fit above: a positive
// power series for |x| ≤ 2.5 and the Laplace continued fraction of the Mills ratio beyond.
// Relative accuracy about 1e−14 in the centre and better in the tails.

/** log φ(x) for the standard normal density, Float64. */
export function logNormalPdf64(x: number): number {
  return -0.5 * x * x - LOG_SQRT_2PI;
}

/** Mills ratio R(x) = Φ(−x)/φ(x) for x ≥ 2.5 by backward evaluation of Laplace's continued fraction. */
function millsRatio64(x: number): number {
  let cf = x;
  for (let n = 400; n >= 1; n--) cf = x + n / cf;
  return 1 / cf;
}

/** erf(z) for 0 ≤ z ≤ ~2 by the all-positive series erf z = (2/√π) e^{−z²} Σ 2ⁿ z^{2n+1}/(2n+1)!!. */
function erfSeries64(z: number): number {
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (2 * z * z) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * sum;
}

/** log Φ(x), Float64 reference (not differentiable; for tests and notebooks). */
export function logNdtr64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 0;
  if (x === -Infinity) return -Infinity;
  if (x < -2.5) return logNormalPdf64(x) + Math.log(millsRatio64(-x));
  if (x > 2.5) return Math.log1p(-Math.exp(logNormalPdf64(x)) * millsRatio64(x));
  const half = 0.5 * erfSeries64(Math.abs(x) * SQRT1_2);
  return Math.log(x >= 0 ? 0.5 + half : 0.5 - half);
}

/** Φ(x), Float64 reference. */
export function ndtr64(x: number): number {
  return Math.exp(logNdtr64(x));
}

/**
 * Φ⁻¹(p) for 0 < p < 1, Float64 reference, by safeguarded Newton iteration on log Φ(x) = log p
 * (bisection fallback), to about 1e−14.
 */
export function ndtri64(p: number): number {
  if (!(p > 0 && p < 1)) {
    throw new Error(`ndtri64: p must be in (0, 1), got ${p}`);
  }
  const target = Math.log(p);
  let lo = -40;
  let hi = 40;
  let x = 0;
  for (let iter = 0; iter < 200; iter++) {
    const f = logNdtr64(x) - target;
    if (f > 0) hi = x;
    else lo = x;
    const slope = Math.exp(logNormalPdf64(x) - logNdtr64(x)); // d log Φ / dx
    let next = x - f / slope;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - x) <= 1e-15 * Math.max(1, Math.abs(x))) return next;
    x = next;
  }
  return x;
}
