// log Φ(x) and its derivative λ(x) = φ(x)/Φ(x) by table look-up, for the inner loop of Proposition 2's
// quadrature (kernels/discreteProbabilitiesRule64.ts), where a rational function, an exp and a
// division per factor were most of the cost (docs/performance.md §10).
//
// Method: piecewise quintic Hermite interpolation of f = log Φ on a uniform grid x_a = TABLE_MIN + a·h,
// h = 1/16, matching f, f' = λ and f'' = −λ(x + λ) at both ends of every interval. On interval a the
// interpolant is the polynomial Σ_q c_q u^q in u = (x − x_a)/h ∈ [0, 1), stored as 6 coefficients,
// so a value is 5 multiply-adds after the index and its derivative 4 more (divided by h). The
// interpolant is C² and its derivative is exactly the λ a kernel uses, so a finite difference of a
// forward built on it matches the analytic gradient.
//
// Error: |f − p| ≤ max|f⁽⁶⁾|·h⁶/(6!·64) and |f' − p'| = O(h⁵); measured against the series/continued
// fraction reference logNdtr64 (test/kernels/logNdtrTable64.test.ts): 6e−13 absolute on log Φ and 3e−11
// on λ, both largest near x = 2, where f⁽⁶⁾ is. Beyond TABLE_MAX log Φ > −8e−24 and λ < 8e−23, both far below
// Float64 resolution of the sums they enter; the caller clamps x there. Below TABLE_MIN the caller
// evaluates log Φ and λ directly (normalFast64.ts).
import * as normalFast64 from "./normalFast64";

/** Grid spacing h = 1/TABLE_DENSITY. */
export const TABLE_DENSITY = 16;
/** The table covers [TABLE_MIN, TABLE_MAX]. */
export const TABLE_MIN = -40;
export const TABLE_MAX = 10;
/** Number of intervals: one past TABLE_MAX, so that x clamped to TABLE_MAX needs no index check. */
export const TABLE_INTERVALS = (TABLE_MAX - TABLE_MIN) * TABLE_DENSITY + 1;
/** 6 coefficients per interval, constant term first: c_0..c_5 of interval a at [6a .. 6a + 5]. */
export const LOG_NDTR_COEFFICIENTS: Float64Array = buildTable();

function buildTable(): Float64Array {
  const h = 1 / TABLE_DENSITY;
  const ratio = new Float64Array(1);
  // f, h·f', h²·f'' at every grid point.
  const points = TABLE_INTERVALS + 1;
  const value = new Float64Array(points);
  const slope = new Float64Array(points);
  const curvature = new Float64Array(points);
  for (let a = 0; a < points; a++) {
    const x = TABLE_MIN + a * h;
    value[a] = normalFast64.logNdtrFastWithRatio64(x, ratio);
    const lambda = ratio[0];
    slope[a] = h * lambda;
    curvature[a] = -h * h * lambda * (x + lambda);
  }
  const table = new Float64Array(6 * TABLE_INTERVALS);
  for (let a = 0; a < TABLE_INTERVALS; a++) {
    const c0 = value[a];
    const c1 = slope[a];
    const c2 = 0.5 * curvature[a];
    // c3..c5 from p(1) = f_{a+1}, p'(1) = h·f'_{a+1}, p''(1) = h²·f''_{a+1}.
    const A = value[a + 1] - (c0 + c1 + c2);
    const B = slope[a + 1] - (c1 + 2 * c2);
    const C = curvature[a + 1] - 2 * c2;
    const o = 6 * a;
    table[o] = c0;
    table[o + 1] = c1;
    table[o + 2] = c2;
    table[o + 3] = 10 * A - 4 * B + 0.5 * C;
    table[o + 4] = -15 * A + 7 * B - C;
    table[o + 5] = 6 * A - 3 * B + 0.5 * C;
  }
  return table;
}

/**
 * log Φ(x) by the table for TABLE_MIN ≤ x (clamped at TABLE_MAX), and λ(x) = φ(x)/Φ(x), the
 * interpolant's derivative, into out[0]. The kernels inline this; it is the reference form for tests.
 */
export function logNdtrTable64(x: number, out: Float64Array): number {
  if (!(x >= TABLE_MIN)) throw new Error(`logNdtrTable64: x must be ≥ ${TABLE_MIN}, got ${x}`);
  const T = LOG_NDTR_COEFFICIENTS;
  const v = ((x < TABLE_MAX ? x : TABLE_MAX) - TABLE_MIN) * TABLE_DENSITY;
  const a = v | 0;
  const u = v - a;
  const o = 6 * a;
  out[0] = (T[o + 1] + u * (2 * T[o + 2] + u * (3 * T[o + 3] + u * (4 * T[o + 4] + u * 5 * T[o + 5])))) * TABLE_DENSITY;
  return T[o] + u * (T[o + 1] + u * (T[o + 2] + u * (T[o + 3] + u * (T[o + 4] + u * T[o + 5]))));
}
