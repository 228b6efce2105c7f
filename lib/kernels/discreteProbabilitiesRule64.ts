// Proposition 2's quadrature rule (appendix eq. 7) as plain Float64 loops: the body of the 'wasm' and
// 'cpu' kernels of discreteProbabilitiesKernels.ts, forward and analytic backward. Same nodes, same split
// at μ_k/σ_k = 5.5 and same log-space sums as the op-based path in discreteProbabilities.ts (its doc
// comment explains the rule); the differences are Float64 arithmetic and three exact shortcuts:
// - slots whose log-weight is below (log-term of the largest-weight slot − 40) are skipped: every
//   log Φ ≤ 0, so each such slot is < e^{−40} times a computed one, and together they change the sum
//   by < 100·e^{−40} ≈ 4e−16 relative;
// - Φ factors are multiplied in linear space, Φ(x) = ½·e^{−x²/2}·erfcx(|x|/√2) for x < 0 with the
//   exponent summed separately, so there is one log per slot instead of one per factor, and Φ(x) = 1
//   exactly (in Float64) once x ≥ 6√2;
// - speed: the loops run factor by factor over the slots, whose t (hence every Φ argument) increases
//   with the slot index, so each argument range (lower tail, centre, upper tail, 1) is one contiguous
//   run with no unpredictable branch (branch misses were half the cost of a slot-by-slot loop).
import { halfRangeGaussHermite } from "../core/quadrature";
import { adaptiveCategoryLogProbability, adaptiveNodes, addAdaptiveGradient, AdaptiveNodes } from "./discreteProbabilitiesAdaptive64";
import * as normalFast64 from "../core/normalFast64";
import * as constants from "../core/constants";

// Bound once: a transpiler's CommonJS interop may turn every `imported.name` access into a getter
// call (esbuild/tsx does), which cost more than the rational functions themselves in the hot loop.
const erfSmall = normalFast64.erfSmall;
const erfcxLarge = normalFast64.erfcxLarge;
const logNdtrFast64 = normalFast64.logNdtrFast64;
const logNdtrFastWithRatio64 = normalFast64.logNdtrFastWithRatio64;
const expNegative64 = normalFast64.expNegative64;

/** From μ_k/σ_k = 5.5 on, the rule is split at the mode (discreteProbabilities.ts explains why). */
export const SPLIT_RATIO = 5.5;

/**
 * Where the fixed rule is accurate (measured; test/discrete/discreteProbabilitiesAccuracy.test.ts): events
 * with max σ / min σ ≤ scaleRatio and every |μ/σ| ≤ absRatio. Other events take the adaptive rule
 * (discreteProbabilitiesAdaptive64.ts), which is accurate everywhere and slower.
 */
export const FIXED_RULE_BOX = Object.freeze({ scaleRatio: 8, absRatio: 50 });

/** True when the loaded event needs the adaptive rule. */
function needsAdaptiveRule(m: number, ws: Workspace): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < m; j++) {
    const sigma = ws.eventScale[j];
    if (Math.abs(ws.eventLoc[j] * ws.invScale[j]) > FIXED_RULE_BOX.absRatio) return true;
    if (sigma < lo) lo = sigma;
    if (sigma > hi) hi = sigma;
  }
  return hi > FIXED_RULE_BOX.scaleRatio * lo;
}

/** Slots whose log-weight is this far below a computed log-term are skipped (e^{−40} ≈ 4e−18). */
const PRUNE_LOG_GAP = 40;
/** Re-normalise the linear-space product below this, long before Float64 underflows (1e−308). */
const RESCALE_BELOW = 1e-200;
/** |x| up to which Φ(x) = ½ + ½erf(x/√2) (Cody's first interval, |x|/√2 ≤ 0.46875). */
const CENTRE_LIMIT = normalFast64.ERF_THRESHOLD * Math.SQRT2;
/** From here Φ(x) = 1 − Q rounds to 1 in Float64 (Q(6√2) = 1.1e−17 < half an ulp of 1). */
const UPPER_ONE = 6 * Math.SQRT2;
/** Beyond here φ(x)/Φ(x) < 1e−35 is set to 0 in the backward pass. */
const UPPER_RATIO_ZERO = 9 * Math.SQRT2;

const SQRT1_2 = Math.SQRT1_2;
const LN_HALF = -Math.LN2;
const INV_SQRT_2PI = constants.INV_SQRT_TWO_PI;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Nodes (in s units, ascending) and log-weights of both rules, 2n slots each. */
export interface RuleTables {
  slots: number;
  /** Shifted rule: s = −r + shiftedNode[i], i.e. √2·x_i of the 2n-point half-range rule. */
  shiftedNode: Float64Array;
  /** log(w_i/√π) of the 2n-point rule; the slot adds r·shiftedNode[i] − r²/2. */
  shiftedLogWeight: Float64Array;
  /** Split rule: s = ±√2·x_i of the n-point rule, ascending (n negative, then n positive). */
  splitNode: Float64Array;
  splitLogWeight: Float64Array;
}

const tableCache = new Map<number, RuleTables>();
/** Scratch of the adaptive rule, shared by every call (the kernels run synchronously). */
const adaptiveWork: AdaptiveNodes = adaptiveNodes();

/** The tables for half-range size `nodes` (cached). */
export function ruleTables(nodes: number): RuleTables {
  const cached = tableCache.get(nodes);
  if (cached) return cached;
  const direct = halfRangeGaussHermite(2 * nodes);
  const half = halfRangeGaussHermite(nodes);
  const logSqrtPi = 0.5 * Math.log(Math.PI);
  const halfNodes = half.nodes.map((x) => x * Math.SQRT2);
  const halfLogWeights = half.weights.map((w) => Math.log(w) - logSqrtPi);
  const tables: RuleTables = {
    slots: 2 * nodes,
    shiftedNode: Float64Array.from(direct.nodes, (x) => x * Math.SQRT2),
    shiftedLogWeight: Float64Array.from(direct.weights, (w) => Math.log(w) - logSqrtPi),
    splitNode: Float64Array.from([...halfNodes.map((x) => -x).reverse(), ...halfNodes]),
    splitLogWeight: Float64Array.from([...halfLogWeights.slice().reverse(), ...halfLogWeights]),
  };
  tableCache.set(nodes, tables);
  return tables;
}

/** Scratch arrays reused across categories and events of one call. */
interface Workspace {
  slots: number;
  t: Float64Array; // t = μ_k + σ_k s at each slot (ascending)
  logWeight: Float64Array;
  logScale: Float64Array; // log-weight + Σ exponents of the lower-tail factors
  product: Float64Array; // product of the factors' remaining parts, in (0, 1]
  logTerm: Float64Array; // log-weight + Σ_{j≠k} log Φ(z_j)
  weight: Float64Array; // backward: g·p_i
  slotGrad: Float64Array; // backward: Σ_j g·p_i·λ_ij/σ_j = d/dt_i
  eventLoc: Float64Array; // μ_j of the event
  eventScale: Float64Array;
  invScale: Float64Array; // 1/σ_j
  ratio: Float64Array | null; // backward: φ/Φ at z[j, i], factor-major, m × slots
  z: Float64Array | null; // backward: z[j, i] = (t_i − μ_j)/σ_j
  ratioOut: Float64Array; // out-parameter of logNdtrFastWithRatio64
  lo: number; // live slots of the last category: lo..hi
  hi: number;
}

function workspace(tables: RuleTables, m: number, backward: boolean): Workspace {
  const n = tables.slots;
  return {
    slots: n,
    t: new Float64Array(n),
    logWeight: new Float64Array(n),
    logScale: new Float64Array(n),
    product: new Float64Array(n),
    logTerm: new Float64Array(n),
    weight: new Float64Array(n),
    slotGrad: new Float64Array(n),
    eventLoc: new Float64Array(m),
    eventScale: new Float64Array(m),
    invScale: new Float64Array(m),
    ratio: backward ? new Float64Array(n * m) : null,
    z: backward ? new Float64Array(n * m) : null,
    ratioOut: new Float64Array(1),
    lo: 0,
    hi: -1,
  };
}

/**
 * Copies one event into the workspace. Returns false when a value makes the rule meaningless (μ not
 * finite, σ not finite and > 0; only reachable with `validate: false`): the event's outputs are NaN.
 */
function loadEvent(loc: ArrayLike<number>, scale: ArrayLike<number>, base: number, m: number, ws: Workspace): boolean {
  let ok = true;
  for (let j = 0; j < m; j++) {
    const mu = loc[base + j];
    const sigma = scale[base + j];
    ws.eventLoc[j] = mu;
    ws.eventScale[j] = sigma;
    ws.invScale[j] = 1 / sigma;
    if (!Number.isFinite(mu) || !(sigma > 0) || !Number.isFinite(sigma)) ok = false;
  }
  return ok;
}

/**
 * Multiplies Φ((t_i − μ_j)/σ_j) into slots lo..hi (t ascending, so the argument ascends too and each
 * branch is one run). In the backward pass also stores φ/Φ and the argument at [j, i].
 */
function multiplyFactor(j: number, ws: Workspace): void {
  const { t, logScale, product, ratio, z, lo, hi } = ws;
  const mu = ws.eventLoc[j];
  const inv = ws.invScale[j];
  const row = j * ws.slots;
  let i = lo;
  // Lower tail: Φ(x) = ½·e^{−y²}·erfcx(y), y = −x/√2; the exponent goes to logScale.
  for (; i <= hi; i++) {
    const x = (t[i] - mu) * inv;
    if (x >= -CENTRE_LIMIT) break;
    const y = -x * SQRT1_2;
    const scaled = erfcxLarge(y);
    logScale[i] += LN_HALF - y * y;
    let p = product[i] * scaled;
    if (p < RESCALE_BELOW) {
      logScale[i] += Math.log(p);
      p = 1;
    }
    product[i] = p;
    if (ratio !== null) {
      ratio[row + i] = SQRT_2_OVER_PI / scaled; // φ/Φ: the e^{−y²} cancels exactly
      (z as Float64Array)[row + i] = x;
    }
  }
  // Centre: Φ(x) = ½ + ½erf(x/√2).
  for (; i <= hi; i++) {
    const x = (t[i] - mu) * inv;
    if (x > CENTRE_LIMIT) break;
    const cdf = 0.5 + 0.5 * erfSmall(x * SQRT1_2);
    product[i] *= cdf;
    if (ratio !== null) {
      ratio[row + i] = (INV_SQRT_2PI * expNegative64(0.5 * x * x)) / cdf;
      (z as Float64Array)[row + i] = x;
    }
  }
  // Upper tail: Φ(x) = 1 − ½·e^{−y²}·erfcx(y), y = x/√2.
  for (; i <= hi; i++) {
    const x = (t[i] - mu) * inv;
    if (x >= UPPER_ONE) break;
    const y = x * SQRT1_2;
    const e = expNegative64(y * y);
    const cdf = 1 - 0.5 * e * erfcxLarge(y);
    product[i] *= cdf;
    if (ratio !== null) {
      ratio[row + i] = (INV_SQRT_2PI * e) / cdf;
      (z as Float64Array)[row + i] = x;
    }
  }
  // Φ(x) = 1 in Float64 from here: nothing to multiply; the backward pass still wants φ(x).
  if (ratio !== null) {
    for (; i <= hi; i++) {
      const x = (t[i] - mu) * inv;
      ratio[row + i] = x < UPPER_RATIO_ZERO ? INV_SQRT_2PI * expNegative64(0.5 * x * x) : 0;
      (z as Float64Array)[row + i] = x;
    }
  }
}

/**
 * log P(H = k) for one category k < K of the loaded event (fills ws.t, logWeight, logTerm, lo, hi
 * and, in the backward pass, ratio and z). Returns the logsumexp over the live slots lo..hi.
 */
function categoryLogProbability(m: number, k: number, tables: RuleTables, ws: Workspace): number {
  const slots = tables.slots;
  const { t, logWeight, logScale, product, logTerm, eventLoc, invScale } = ws;
  const muK = eventLoc[k];
  const sigmaK = ws.eventScale[k];
  const r = muK / sigmaK;
  const split = r >= SPLIT_RATIO;
  let first = 0;
  for (let i = 0; i < slots; i++) {
    if (split) {
      t[i] = muK + sigmaK * tables.splitNode[i];
      logWeight[i] = tables.splitLogWeight[i];
    } else {
      // s = −r + √2x, so t = μ_k + σ_k s = σ_k·√2x exactly; the weight gains e^{√2 r x − r²/2}.
      const node = tables.shiftedNode[i];
      t[i] = sigmaK * node;
      logWeight[i] = tables.shiftedLogWeight[i] + r * node - 0.5 * r * r;
    }
    if (logWeight[i] > logWeight[first]) first = i;
  }
  // The largest-weight slot bounds which others can matter (each log-term ≤ its log-weight).
  let firstTerm = logWeight[first];
  for (let j = 0; j < m; j++) if (j !== k) firstTerm += logNdtrFast64((t[first] - eventLoc[j]) * invScale[j]);
  const cut = firstTerm - PRUNE_LOG_GAP;
  let lo = 0;
  while (!(logWeight[lo] >= cut) && lo < first) lo++;
  let hi = slots - 1;
  while (!(logWeight[hi] >= cut) && hi > first) hi--;
  ws.lo = lo;
  ws.hi = hi;
  for (let i = lo; i <= hi; i++) {
    logScale[i] = logWeight[i];
    product[i] = 1;
  }
  for (let j = 0; j < m; j++) if (j !== k) multiplyFactor(j, ws);
  let best = -Infinity;
  for (let i = lo; i <= hi; i++) {
    const value = logScale[i] + Math.log(product[i]);
    logTerm[i] = value;
    if (value > best) best = value;
  }
  let sum = 0;
  for (let i = lo; i <= hi; i++) sum += expNegative64(best - logTerm[i]);
  return best + Math.log(sum);
}

type Writable = { [index: number]: number; length: number };

/**
 * Adds g·d log P(H = k)/dμ and g·d log P(H = k)/dσ (k < K) to gLoc, gScale (length m), after
 * categoryLogProbability filled ws for k in gradient mode and returned logP. Analytic: with a_i the
 * log-term of slot i and p_i = e^{a_i − log P}, d log P = Σ_i p_i·da_i, and da_i collects d log w_i
 * (shifted rule: d/dr of r√2x_i − r²/2, r = μ_k/σ_k) plus λ(z_ij)·dz_ij over the factors j ≠ k, with
 * λ = φ/Φ, z_ij = (t_i − μ_j)/σ_j and t_i = σ_k√2x_i (shifted) or μ_k + σ_k s_i (split).
 */
function addCategoryGradient(
  m: number,
  k: number,
  g: number,
  logP: number,
  tables: RuleTables,
  ws: Workspace,
  gLoc: Float64Array,
  gScale: Float64Array,
): void {
  const ratio = ws.ratio as Float64Array;
  const z = ws.z as Float64Array;
  const { logTerm, weight, slotGrad, lo, hi, slots } = ws;
  for (let i = lo; i <= hi; i++) {
    weight[i] = g * expNegative64(logP - logTerm[i]);
    slotGrad[i] = 0;
  }
  for (let j = 0; j < m; j++) {
    if (j === k) continue;
    const inv = ws.invScale[j];
    const row = j * slots;
    let sumLoc = 0;
    let sumScale = 0;
    for (let i = lo; i <= hi; i++) {
      const w = weight[i] * ratio[row + i] * inv; // p_i·λ_ij/σ_j = −p_i·d a_i/dμ_j
      slotGrad[i] += w;
      sumLoc += w;
      sumScale += w * z[row + i];
    }
    gLoc[j] -= sumLoc;
    gScale[j] -= sumScale;
  }
  const sigmaK = ws.eventScale[k];
  const r = ws.eventLoc[k] / sigmaK;
  if (r >= SPLIT_RATIO) {
    // t = μ_k + σ_k s_i with fixed nodes and weights.
    for (let i = lo; i <= hi; i++) {
      gLoc[k] += slotGrad[i];
      gScale[k] += slotGrad[i] * tables.splitNode[i];
    }
  } else {
    // t = σ_k√2x_i (no μ_k); d log w/dr = √2x_i − r, dr/dμ_k = 1/σ_k, dr/dσ_k = −r/σ_k.
    for (let i = lo; i <= hi; i++) {
      const node = tables.shiftedNode[i];
      const dLogWeight = weight[i] * (node - r);
      gLoc[k] += dLogWeight / sigmaK;
      gScale[k] += slotGrad[i] * node - (dLogWeight * r) / sigmaK;
    }
  }
}

/** Adds g·d log P(H = K)/d(μ, σ): log P(H = K) = Σ_j log Φ(−r_j), so d/dμ_j = −λ/σ_j, d/dσ_j = λr_j/σ_j. */
function addLastCategoryGradient(m: number, g: number, ws: Workspace, gLoc: Float64Array, gScale: Float64Array): void {
  for (let j = 0; j < m; j++) {
    const r = ws.eventLoc[j] * ws.invScale[j];
    logNdtrFastWithRatio64(-r, ws.ratioOut);
    const w = g * ws.ratioOut[0] * ws.invScale[j];
    gLoc[j] -= w;
    gScale[j] += w * r;
  }
}

function writeJacobianRow(jacobian: Writable, offset: number, m: number, gLoc: Float64Array, gScale: Float64Array): void {
  for (let j = 0; j < m; j++) {
    jacobian[offset + j] = gLoc[j];
    jacobian[offset + m + j] = gScale[j];
  }
}

/**
 * Forward: `loc`, `scale` hold `events × m` values (m = K − 1, event-major), `out` receives
 * `events × (m + 1)` log-probabilities log P(H = 1..K) (appendix eq. 7). With `jacobian` (length
 * `events × (m + 1) × 2m`) it also receives, per event and category k, d log P_k/dμ_1..m then
 * d log P_k/dσ_1..m, for about the cost of one backward pass (the VJP is then a small contraction).
 * Events outside FIXED_RULE_BOX, and every event with `adaptiveEverywhere`, take the adaptive rule.
 */
export function discreteLogProbabilitiesForward64(
  loc: ArrayLike<number>,
  scale: ArrayLike<number>,
  m: number,
  nodes: number,
  out: Writable,
  jacobian: Writable | null = null,
  adaptiveEverywhere = false,
): void {
  const tables = ruleTables(nodes);
  const ws = workspace(tables, m, jacobian !== null);
  const events = loc.length / m;
  const gLoc = new Float64Array(m);
  const gScale = new Float64Array(m);
  for (let e = 0; e < events; e++) {
    const base = e * m;
    const outBase = e * (m + 1);
    if (!loadEvent(loc, scale, base, m, ws)) {
      for (let k = 0; k <= m; k++) out[outBase + k] = NaN;
      if (jacobian !== null) for (let q = 0; q < (m + 1) * 2 * m; q++) jacobian[outBase * 2 * m + q] = NaN;
      continue;
    }
    let logLast = 0;
    const adaptive = adaptiveEverywhere || needsAdaptiveRule(m, ws);
    for (let k = 0; k < m; k++) {
      const logP = adaptive ? adaptiveCategoryLogProbability(ws.eventLoc, ws.eventScale, m, k, adaptiveWork) : categoryLogProbability(m, k, tables, ws);
      out[outBase + k] = logP;
      logLast += logNdtrFast64(-ws.eventLoc[k] * ws.invScale[k]);
      if (jacobian !== null) {
        gLoc.fill(0);
        gScale.fill(0);
        if (adaptive) addAdaptiveGradient(ws.eventLoc, ws.eventScale, m, k, 1, adaptiveWork, gLoc, gScale);
        else addCategoryGradient(m, k, 1, logP, tables, ws, gLoc, gScale);
        writeJacobianRow(jacobian, (outBase + k) * 2 * m, m, gLoc, gScale);
      }
    }
    out[outBase + m] = logLast; // P(H = K) = Π_j Φ(−μ_j/σ_j)
    if (jacobian !== null) {
      gLoc.fill(0);
      gScale.fill(0);
      addLastCategoryGradient(m, 1, ws, gLoc, gScale);
      writeJacobianRow(jacobian, (outBase + m) * 2 * m, m, gLoc, gScale);
    }
  }
}

/**
 * Backward (vector–Jacobian product without a stored Jacobian): given upstream gradients `dy`
 * (`events × (m + 1)`, w.r.t. the log-probabilities), writes d/dμ and d/dσ (`events × m` each).
 * Recomputes the forward quantities, so it costs about as much as the Jacobian-mode forward.
 */
export function discreteLogProbabilitiesBackward64(
  loc: ArrayLike<number>,
  scale: ArrayLike<number>,
  dy: ArrayLike<number>,
  m: number,
  nodes: number,
  dLoc: Writable,
  dScale: Writable,
  adaptiveEverywhere = false,
): void {
  const tables = ruleTables(nodes);
  const ws = workspace(tables, m, true);
  const gLoc = new Float64Array(m);
  const gScale = new Float64Array(m);
  const events = loc.length / m;
  for (let e = 0; e < events; e++) {
    const base = e * m;
    const dyBase = e * (m + 1);
    gLoc.fill(0);
    gScale.fill(0);
    if (!loadEvent(loc, scale, base, m, ws)) {
      gLoc.fill(NaN);
      gScale.fill(NaN);
    } else {
      const adaptive = adaptiveEverywhere || needsAdaptiveRule(m, ws);
      for (let k = 0; k < m; k++) {
        const g = dy[dyBase + k];
        if (g === 0) continue;
        if (adaptive) {
          adaptiveCategoryLogProbability(ws.eventLoc, ws.eventScale, m, k, adaptiveWork);
          addAdaptiveGradient(ws.eventLoc, ws.eventScale, m, k, g, adaptiveWork, gLoc, gScale);
        } else {
          const logP = categoryLogProbability(m, k, tables, ws);
          addCategoryGradient(m, k, g, logP, tables, ws, gLoc, gScale);
        }
      }
      const gLast = dy[dyBase + m];
      if (gLast !== 0) addLastCategoryGradient(m, gLast, ws, gLoc, gScale);
    }
    for (let j = 0; j < m; j++) {
      dLoc[base + j] = gLoc[j];
      dScale[base + j] = gScale[j];
    }
  }
}
