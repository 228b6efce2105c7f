// Proposition 2 (appendix eq. 7) for any parameters: the adaptive rule the Float64 kernels use where
// the fixed Gauss–Hermite rule is not accurate (steep Φ factors from scale ratios above 8, or |μ/σ| far
// out). Per category k < K, in the original variable t ≥ 0 of eq. (11):
//   log f(t) = −log σ_k − ½log 2π − ½((t − μ_k)/σ_k)² + Σ_{j≠k} log Φ((t − μ_j)/σ_j).
// f is log-concave (a Gaussian density times normal CDFs), so it has one mode t* and falls
// monotonically on each side. The rule finds t* (bisection on the decreasing d log f/dt), the points
// a ≤ t* ≤ b where log f = log f(t*) − 40 (bisection again; concavity puts at least (b − a)/40 of
// area under e^{log f − log f(t*)}, so the cut loses < e^{−40}·(b − a) of it), then integrates
// e^{log f − log f(t*)} on [a, t*] and [t*, b] by adaptive Gauss–Kronrod (7–15 points) to a relative
// tolerance of ~1e−11 (or 1000 ulps of |log f(t*)|, the integrand's own rounding, where that is larger:
// about 2e−9 at |μ/σ| ~ 80, i.e. 1e−13 on log P). Everything is in log space relative to the mode, so nothing under- or
// overflows at any |μ/σ|. The gradient reuses the accepted nodes: with t fixed, d log f/dθ is
// (t − μ_k)/σ_k² and ((t − μ_k)²/σ_k² − 1)/σ_k for θ = μ_k, σ_k, and −λ_j/σ_j, −λ_j z_j/σ_j for
// θ = μ_j, σ_j (λ = φ/Φ at z_j = (t − μ_j)/σ_j); the moving cut points a, b contribute < e^{−40}.
import * as constants from "../core/constants";
import * as normalFast64 from "../core/normalFast64";

const logNdtrFastWithRatio64 = normalFast64.logNdtrFastWithRatio64;
const logNdtrFast64 = normalFast64.logNdtrFast64;

const HALF_LOG_TWO_PI = constants.HALF_LOG_TWO_PI;
/** Where the integrand is cut, in log units below its mode. */
const CUT_LOG_GAP = 40;
/** Gauss–Kronrod acceptance: |K15 − G7| ≤ this × (piece width)/CUT_LOG_GAP, a lower bound of the piece's area. */
const RELATIVE_TOLERANCE = 1e-11;
/** The tolerance never goes below this many ulps of |log f(t*)| (the integrand's own rounding noise). */
const NOISE_FACTOR = 1000;
/** Subdivision depth limit (2^−50 of a piece is below Float64 resolution). */
const MAX_DEPTH = 50;
/** Accepted intervals per piece after which the rest are accepted as they are (never reached in the tests). */
const MAX_INTERVALS = 2000;

// Gauss–Kronrod 7–15 on [−1, 1] (QUADPACK qk15): Kronrod nodes ±X[i], the Gauss nodes are X[1], X[3], X[5], X[7] = 0.
const X = [
  0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
  0.586087235467691130294144845693013, 0.405845151377397166906606412076961, 0.207784955007898467600689403773245, 0,
];
const WK = [
  0.02293532201052922496373200805897, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
  0.16900472663926790282658342659855, 0.190350578064785409913256402421014, 0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
];
const WG = [0.129484966168869693270611432679082, 0.27970539148927666790146777142378, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327];

/** The accepted nodes of one category: u = t − t* and weight·e^{log f(t) − log f(t*)} (growable). */
export interface AdaptiveNodes {
  count: number;
  /** t* of the category. */
  centre: number;
  t: Float64Array;
  mass: Float64Array;
}

export function adaptiveNodes(): AdaptiveNodes {
  return { count: 0, centre: 0, t: new Float64Array(256), mass: new Float64Array(256) };
}

function push(nodes: AdaptiveNodes, t: number, mass: number): void {
  if (nodes.count === nodes.t.length) {
    const grow = (a: Float64Array) => {
      const b = new Float64Array(2 * a.length);
      b.set(a);
      return b;
    };
    nodes.t = grow(nodes.t);
    nodes.mass = grow(nodes.mass);
  }
  nodes.t[nodes.count] = t;
  nodes.mass[nodes.count] = mass;
  nodes.count++;
}

// The integrand is evaluated at t = c + u with d_j = c − μ_j computed once per category (c is the mode
// once found): at |μ/σ| ~ 1e3 the rounding of t itself, divided by a small σ_j, would otherwise add
// noise to log f that no subdivision can get below.
const offsets = { d: new Float64Array(16) };

function setCentre(centre: number, mu: Float64Array, m: number): void {
  if (offsets.d.length < m) offsets.d = new Float64Array(m);
  for (let j = 0; j < m; j++) offsets.d[j] = centre - mu[j];
}

function logIntegrand(u: number, sigma: Float64Array, m: number, k: number): number {
  const d = offsets.d;
  const s = (d[k] + u) / sigma[k];
  let value = -Math.log(sigma[k]) - HALF_LOG_TWO_PI - 0.5 * s * s;
  for (let j = 0; j < m; j++) if (j !== k) value += logNdtrFast64((d[j] + u) / sigma[j]);
  return value;
}

const ratioOut = new Float64Array(1);

/** d log f/du: decreasing in u (log-concavity). */
function logIntegrandSlope(u: number, sigma: Float64Array, m: number, k: number): number {
  const d = offsets.d;
  let slope = -(d[k] + u) / (sigma[k] * sigma[k]);
  for (let j = 0; j < m; j++) {
    if (j === k) continue;
    logNdtrFastWithRatio64((d[j] + u) / sigma[j], ratioOut);
    slope += ratioOut[0] / sigma[j];
  }
  return slope;
}

/** Bisection for the point where a monotone predicate flips, between lo (false) and hi (true). */
function bisect(lo: number, hi: number, isHigh: (t: number) => boolean): number {
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= Math.min(lo, hi) || mid >= Math.max(lo, hi)) break; // adjacent Float64 numbers
    if (isHigh(mid)) hi = mid;
    else lo = mid;
    if (Math.abs(hi - lo) <= 1e-13 * Math.max(Math.abs(lo), Math.abs(hi))) break;
  }
  return 0.5 * (lo + hi);
}

/**
 * log P(H = k) for category k < K (0-based, k < m = K − 1) of one event; fills `nodes` with the
 * accepted nodes for `addAdaptiveGradient`.
 */
export function adaptiveCategoryLogProbability(mu: Float64Array, sigma: Float64Array, m: number, k: number, nodes: AdaptiveNodes): number {
  nodes.count = 0;
  const logF = (u: number) => logIntegrand(u, sigma, m, k);
  const slope = (u: number) => logIntegrandSlope(u, sigma, m, k);
  // The mode t* on [0, ∞), found in t (centre 0).
  setCentre(0, mu, m);
  let mode = 0;
  if (slope(0) > 0) {
    let step = sigma[k];
    let hi = Math.max(mu[k], 0) + step;
    while (slope(hi) > 0) {
      step *= 2;
      hi += step;
    }
    mode = bisect(0, hi, (t) => slope(t) <= 0);
  }
  // From here u = t − t*, so t ≥ 0 is u ≥ −t*.
  setCentre(mode, mu, m);
  nodes.centre = mode;
  const peak = logF(0);
  const floor = peak - CUT_LOG_GAP;
  let a = 0;
  if (mode > 0) a = logF(-mode) >= floor ? -mode : bisect(-mode, 0, (u) => logF(u) >= floor);
  let step = sigma[k];
  while (logF(step) >= floor) step *= 2;
  const b = bisect(step, 0, (u) => logF(u) >= floor);
  // log f is a sum of same-signed terms of total size ≈ |peak|, so Float64 rounds it by ~ε|peak|: the
  // integrand carries that much relative noise, and asking Gauss–Kronrod for less never converges
  // (at |μ/σ| ~ 80, |peak| ~ 1e4, it subdivided to MAX_INTERVALS: ~100 ms per event).
  const tolerance = Math.max(RELATIVE_TOLERANCE, NOISE_FACTOR * Number.EPSILON * (Math.abs(peak) + 1));
  let total = 0;
  for (const [lo, hi] of [
    [a, 0],
    [0, b],
  ]) {
    if (hi > lo) total += integratePiece(lo, hi, logF, peak, (tolerance * (hi - lo)) / CUT_LOG_GAP, nodes);
  }
  return peak + Math.log(total);
}

/** Adaptive G7K15 of e^{logF − peak} on [lo, hi] to absolute tolerance `tol`; accepted K15 nodes go to `nodes`. */
function integratePiece(lo: number, hi: number, logF: (t: number) => number, peak: number, tol: number, nodes: AdaptiveNodes): number {
  const stack: Array<[number, number, number]> = [[lo, hi, 0]];
  const ft = new Float64Array(15);
  const tt = new Float64Array(15);
  let total = 0;
  let accepted = 0;
  while (stack.length > 0) {
    const [x0, x1, depth] = stack.pop()!;
    const centre = 0.5 * (x0 + x1);
    const half = 0.5 * (x1 - x0);
    let kronrod = 0;
    let gauss = 0;
    for (let i = 0; i < 8; i++) {
      const points = i === 7 ? [centre] : [centre - half * X[i], centre + half * X[i]];
      for (let p = 0; p < points.length; p++) {
        const slot = i === 7 ? 14 : 2 * i + p;
        const value = Math.exp(logF(points[p]) - peak);
        tt[slot] = points[p];
        ft[slot] = value;
        kronrod += WK[i] * value;
        if (i % 2 === 1) gauss += WG[(i - 1) / 2] * value;
      }
    }
    kronrod *= half;
    gauss *= half;
    if (Math.abs(kronrod - gauss) <= (tol * (x1 - x0)) / (hi - lo) || depth >= MAX_DEPTH || accepted >= MAX_INTERVALS) {
      accepted++;
      total += kronrod;
      for (let i = 0; i < 8; i++) {
        if (i === 7) push(nodes, tt[14], half * WK[7] * ft[14]);
        else {
          push(nodes, tt[2 * i], half * WK[i] * ft[2 * i]);
          push(nodes, tt[2 * i + 1], half * WK[i] * ft[2 * i + 1]);
        }
      }
    } else {
      stack.push([x0, centre, depth + 1], [centre, x1, depth + 1]);
    }
  }
  return total;
}

/**
 * Adds g·d log P(H = k)/dμ and g·d log P(H = k)/dσ to gLoc, gScale (length m), after
 * adaptiveCategoryLogProbability filled `nodes` for k (see the top of this file).
 */
export function addAdaptiveGradient(
  mu: Float64Array,
  sigma: Float64Array,
  m: number,
  k: number,
  g: number,
  nodes: AdaptiveNodes,
  gLoc: Float64Array,
  gScale: Float64Array,
): void {
  let total = 0;
  for (let i = 0; i < nodes.count; i++) total += nodes.mass[i];
  const sk = sigma[k];
  setCentre(nodes.centre, mu, m);
  const d = offsets.d;
  for (let i = 0; i < nodes.count; i++) {
    const p = (g * nodes.mass[i]) / total;
    if (p === 0) continue;
    const u = nodes.t[i];
    const s = (d[k] + u) / sk;
    gLoc[k] += (p * s) / sk;
    gScale[k] += (p * (s * s - 1)) / sk;
    for (let j = 0; j < m; j++) {
      if (j === k) continue;
      const z = (d[j] + u) / sigma[j];
      logNdtrFastWithRatio64(z, ratioOut);
      const w = (p * ratioOut[0]) / sigma[j];
      gLoc[j] -= w;
      gScale[j] -= w * z;
    }
  }
}
