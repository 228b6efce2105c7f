// log Φ(x) and its derivative λ(x) = φ(x)/Φ(x) by table look-up, for the inner loops of Proposition 2's
// quadrature (kernels/discreteProbabilitiesRule64.ts) and of RELAX's z̃ | b Jacobian
// (estimators/conditional.ts), where a rational function, an exp and a division per factor were most
// of the cost (docs/performance.md §10).
//
// Method: piecewise cubic Hermite interpolation of f = log Φ on a uniform grid x_a = TABLE_MIN + a·h,
// h = 1/16, matching f and f' = λ at both ends of every interval. On interval a the interpolant is
// c_0 + c_1 u + c_2 u² + c_3 u³ in u = (x − x_a)/h ∈ [0, 1), stored as 4 coefficients (the table is
// 26 KB, inside a core's L1 cache: finer tables measured slower in the kernels), so a value is 3
// multiply-adds after the index and its derivative 2 more (times 1/h). The interpolant is C¹ and its
// derivative is exactly the λ a kernel uses, so the analytic gradients are those of the computed
// forward (a finite difference of the forward matches them).
//
// Error: |f − p| ≤ max|f⁗|·h⁴/384 and |f' − p'| ≤ max|f⁗|·h³·√3/216 (f⁗ of log Φ peaks near x = 2);
// measured against the series/continued-fraction reference logNdtr64 (test/kernels/logNdtrTable64.test.ts):
// 7.5e−9 on log Φ and 3.7e−7 on λ, absolute, over the whole table; far below the quadrature error of
// Proposition 2's rule that it feeds (≈ 5e−6 on log P, 3e−4 on its gradient: docs/performance.md §10).
// Beyond TABLE_MAX log Φ > −8e−24 and λ < 8e−23 (x is clamped there); below TABLE_MIN log Φ and λ are
// evaluated directly (normalFast64.ts).
import * as normalFast64 from "./normalFast64";

/** Grid spacing h = 1/TABLE_DENSITY. */
export const TABLE_DENSITY = 16;
/** The table covers [TABLE_MIN, TABLE_MAX]. */
export const TABLE_MIN = -40;
export const TABLE_MAX = 10;
/** Number of intervals: one past TABLE_MAX, so that x clamped to TABLE_MAX needs no index check. */
export const TABLE_INTERVALS = (TABLE_MAX - TABLE_MIN) * TABLE_DENSITY + 1;
/** 4 coefficients per interval, constant term first: c_0..c_3 of interval a at [4a .. 4a + 3]. */
export const LOG_NDTR_COEFFICIENTS: Float64Array = buildTable();

function buildTable(): Float64Array {
  const h = 1 / TABLE_DENSITY;
  const ratio = new Float64Array(1);
  const points = TABLE_INTERVALS + 1;
  const value = new Float64Array(points);
  const slope = new Float64Array(points); // h·f'
  for (let a = 0; a < points; a++) {
    value[a] = normalFast64.logNdtrFastWithRatio64(TABLE_MIN + a * h, ratio);
    slope[a] = h * ratio[0];
  }
  const table = new Float64Array(4 * TABLE_INTERVALS);
  for (let a = 0; a < TABLE_INTERVALS; a++) {
    const y0 = value[a];
    const y1 = value[a + 1];
    const d0 = slope[a];
    const d1 = slope[a + 1];
    table[4 * a] = y0;
    table[4 * a + 1] = d0;
    table[4 * a + 2] = 3 * (y1 - y0) - 2 * d0 - d1;
    table[4 * a + 3] = 2 * (y0 - y1) + d0 + d1;
  }
  return table;
}

const logNdtrFast64 = normalFast64.logNdtrFast64; // bound once (see kernels/discreteProbabilitiesRule64.ts)
const logNdtrFastWithRatio64 = normalFast64.logNdtrFastWithRatio64;

/** log Φ(x) by the table (directly below TABLE_MIN, x clamped at TABLE_MAX). */
export function logNdtrByTable(x: number): number {
  if (!(x >= TABLE_MIN)) return logNdtrFast64(x);
  const T = LOG_NDTR_COEFFICIENTS;
  const v = ((x < TABLE_MAX ? x : TABLE_MAX) - TABLE_MIN) * TABLE_DENSITY;
  const a = v | 0;
  const u = v - a;
  const o = 4 * a;
  return T[o] + u * (T[o + 1] + u * (T[o + 2] + u * T[o + 3]));
}

/**
 * log Φ(x) (returned) and λ(x) = φ(x)/Φ(x) into out[0] as the kernels compute them: the table and
 * its interpolant's derivative from TABLE_MIN on (x clamped at TABLE_MAX), normalFast64 below.
 */
export function logNdtrWithRatioByTable(x: number, out: Float64Array): number {
  if (!(x >= TABLE_MIN)) return logNdtrFastWithRatio64(x, out);
  const T = LOG_NDTR_COEFFICIENTS;
  const v = ((x < TABLE_MAX ? x : TABLE_MAX) - TABLE_MIN) * TABLE_DENSITY;
  const a = v | 0;
  const u = v - a;
  const o = 4 * a;
  out[0] = (T[o + 1] + u * (2 * T[o + 2] + 3 * u * T[o + 3])) * TABLE_DENSITY;
  return T[o] + u * (T[o + 1] + u * (T[o + 2] + u * T[o + 3]));
}
