// Proposition 2's quadrature rule (appendix eq. 7) as plain Float64 loops: the body of the 'wasm' and
// 'cpu' kernels of discreteProbabilitiesKernels.ts, forward and analytic backward, with n per event by
// its σ ratio (FIXED_RULE_NODES; forward, Jacobian and VJP take the same n). Same nodes for a given n, same split
// at μ_k/σ_k = 5.5 and same log-space sums as the op-based path in discreteProbabilities.ts (its doc
// comment explains the rule); the differences are Float64 arithmetic, a tabulated log Φ and two
// shortcuts that change no result beyond Float64 rounding:
// - log Φ and λ = φ/Φ come from the cubic Hermite table of logNdtrTable64.ts (7.5e−9 absolute on
//   log Φ, 3.7e−7 on λ, far below the rule's own error; its λ is the interpolant's exact derivative,
//   so the analytic gradients are those of the computed forward): a few flops and 4 loads from L1
//   per factor instead of a rational function, an exp and a division (3x faster overall,
//   docs/performance.md §10); arguments below the table are evaluated directly (normalFast64.ts);
// - slots whose log-weight is below (log-term of the largest-weight slot − 40) are skipped: every
//   log Φ ≤ 0, so each such slot is < e^{−40} times a computed one, and together they change the sum
//   by < 100·e^{−40} ≈ 4e−16 relative;
// - a factor with argument x ≥ 8 is left out (log Φ > −6.3e−16, λ < 5.1e−15): a quarter of all
//   factors in the eq. (15) box;
// - speed: the loops run factor by factor over the slots, whose t (hence every Φ argument) increases
//   with the slot index, so the arguments below the table and those from x = 8 on are a leading and a
//   trailing run around one branch-free loop; the gradient needs per factor only Σ_i p_i·λ_ij and
//   Σ_i p_i·λ_ij·node_i, since t_i is affine in the node.
import { halfRangeGaussHermite } from "../core/quadrature";
import { adaptiveCategoryLogProbability, adaptiveNodes, addAdaptiveGradient, AdaptiveNodes } from "./discreteProbabilitiesAdaptive64";
import * as normalFast64 from "../core/normalFast64";
import * as logNdtrTable64 from "../core/logNdtrTable64";

// Bound once: a transpiler's CommonJS interop may turn every `imported.name` access into a getter
// call (esbuild/tsx does), which cost more than the rational functions themselves in the hot loop.
const logNdtrFast64 = normalFast64.logNdtrFast64;
const logNdtrFastWithRatio64 = normalFast64.logNdtrFastWithRatio64;
const LOG_NDTR_COEFFICIENTS = logNdtrTable64.LOG_NDTR_COEFFICIENTS;
const TABLE_MIN = logNdtrTable64.TABLE_MIN;
const TABLE_DENSITY = logNdtrTable64.TABLE_DENSITY;
const logNdtrByTable = logNdtrTable64.logNdtrByTable;
/** From x = UPPER_CUT on a factor is left out: log Φ(8) = −6.2e−16, λ(8) = 5.1e−15 (header). */
const UPPER_CUT = 8;
/** Its table position (inside the table: UPPER_CUT < TABLE_MAX). */
const TABLE_CUT = (UPPER_CUT - TABLE_MIN) * TABLE_DENSITY;

/** From μ_k/σ_k = 5.5 on, the rule is split at the mode (discreteProbabilities.ts explains why). */
export const SPLIT_RATIO = 5.5;

/**
 * Where a given n (option `nodes`) is used: events with max σ / min σ ≤ scaleRatio and every
 * |μ/σ| ≤ absRatio. Other events take the adaptive rule (discreteProbabilitiesAdaptive64.ts), which is
 * accurate everywhere and slower. The default n per event (FIXED_RULE_NODES) has a smaller box.
 */
export const FIXED_RULE_BOX = Object.freeze({ scaleRatio: 8, absRatio: 50 });

/**
 * The default n of the fixed rule by the event's σ ratio: the first tier with max σ / min σ ≤
 * scaleRatio; beyond the last tier (and beyond FIXED_RULE_LARGE_K's ratio when K > its categories)
 * the adaptive rule. With fewer nodes the narrow factors' steps in Π Φ are not resolved when another
 * category is several times wider (worst: one wide category among many narrow ones, more so the larger
 * K). Each tier keeps every probability within 1e−5 absolute of the adaptive rule on an adversarial
 * search up to K = 100 (docs/paper.md §5; test/kernels/discreteProbabilitiesNodes.test.ts); from
 * σ ratio 6 on not even n = 48 does. Ratio 5 keeps the eq. (15) box (σ ∈ [0.5, 2.5]) inside.
 */
export const FIXED_RULE_NODES: readonly Readonly<{ scaleRatio: number; nodes: number }>[] = Object.freeze([
  Object.freeze({ scaleRatio: 2, nodes: 24 }),
  Object.freeze({ scaleRatio: 3, nodes: 32 }),
  Object.freeze({ scaleRatio: 5, nodes: 48 }),
]);
/** With more than `categories` categories the default fixed rule stops at σ ratio `scaleRatio` (K = 100, ratio 5: 2.7e−5). */
export const FIXED_RULE_LARGE_K = Object.freeze({ categories: 30, scaleRatio: 4 });

/** `nodes` value that asks for n per event from FIXED_RULE_NODES (the default of discreteProbabilities). */
export const NODES_PER_EVENT = 0;

/**
 * The default n for an event with σ ratio `scaleRatio` and K = `categories`, or 0 where it takes the
 * adaptive rule (beyond the tiers; not NaN-safe: NaN gives 0).
 */
export function nodesForScaleRatio(scaleRatio: number, categories: number): number {
  if (categories > FIXED_RULE_LARGE_K.categories && !(scaleRatio <= FIXED_RULE_LARGE_K.scaleRatio)) return 0;
  for (const tier of FIXED_RULE_NODES) if (scaleRatio <= tier.scaleRatio) return tier.nodes;
  return 0;
}

/**
 * The fixed rule's n for the loaded event, or 0 when it takes the adaptive rule: a given `nodes` (> 0)
 * inside FIXED_RULE_BOX, else n by the event's σ ratio (nodesForScaleRatio).
 */
function eventNodes(m: number, ws: Workspace, nodes: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < m; j++) {
    const sigma = ws.eventScale[j];
    if (Math.abs(ws.eventLoc[j] * ws.invScale[j]) > FIXED_RULE_BOX.absRatio) return 0;
    if (sigma < lo) lo = sigma;
    if (sigma > hi) hi = sigma;
  }
  if (nodes !== NODES_PER_EVENT) return hi > FIXED_RULE_BOX.scaleRatio * lo ? 0 : nodes;
  return nodesForScaleRatio(hi / lo, m + 1);
}

/** The tables of every size a call with `nodes` may use (one per tier when per event). */
function tablesFor(nodes: number): Map<number, RuleTables> {
  const sizes = nodes === NODES_PER_EVENT ? FIXED_RULE_NODES.map((tier) => tier.nodes) : [nodes];
  return new Map(sizes.map((n) => [n, ruleTables(n)]));
}

/**
 * The slot weights e^{−v}, v = (max log-term) − (log-term) ≥ 0: a table at multiples of 1/64 times the
 * degree-4 Taylor polynomial of e^{−f}, |f| ≤ 1/128 (truncation f⁵/5! < 3e−13 relative, below the
 * log Φ table's 3e−11); 0 from v = 64 on (e^{−64} = 1.6e−28, below the sum's rounding).
 */
const WEIGHT_EXP_DENSITY = 64;
const WEIGHT_EXP_LIMIT = 64;
const WEIGHT_EXP_TABLE = Float64Array.from({ length: WEIGHT_EXP_LIMIT * WEIGHT_EXP_DENSITY + 1 }, (_, q) => Math.exp(-q / WEIGHT_EXP_DENSITY));

/** Slots whose log-weight is this far below a computed log-term are skipped (e^{−40} ≈ 4e−18). */
const PRUNE_LOG_GAP = 40;

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
  slots: number; // allocated slots: the row stride of ratio (≥ the rule's own 2n)
  t: Float64Array; // t = μ_k + σ_k s at each slot (ascending)
  logWeight: Float64Array;
  logTerm: Float64Array; // log-weight + Σ_{j≠k} log Φ(z_j)
  weight: Float64Array; // e^{a_i − max a}; p_i = weight[i]/weightSum
  weightSum: number;
  eventLoc: Float64Array; // μ_j of the event
  eventScale: Float64Array;
  invScale: Float64Array; // 1/σ_j
  ratio: Float64Array | null; // backward: λ = φ/Φ at (t_i − μ_j)/σ_j over TABLE_DENSITY, factor-major [j, i], m × slots
  ratioOut: Float64Array; // out-parameter of logNdtrFastWithRatio64
  factorEnd: Int32Array; // backward: ratio[j, i] is written for lo ≤ i < factorEnd[j]
  lo: number; // live slots of the last category: lo..hi
  hi: number;
}

/** Scratch for m factors and up to `slots` slots (the largest rule of the call; ratio rows are `slots` apart). */
function workspace(slots: number, m: number, backward: boolean): Workspace {
  const n = slots;
  return {
    slots: n,
    t: new Float64Array(n),
    logWeight: new Float64Array(n),
    logTerm: new Float64Array(n),
    weight: new Float64Array(n),
    weightSum: 1,
    eventLoc: new Float64Array(m),
    eventScale: new Float64Array(m),
    invScale: new Float64Array(m),
    ratio: backward ? new Float64Array(n * m) : null,
    ratioOut: new Float64Array(1),
    factorEnd: new Int32Array(m),
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
 * Adds log Φ((t_i − μ_j)/σ_j) to logTerm over slots lo..hi, from the table (logNdtrTable64.ts); in the
 * backward pass also stores λ = φ/Φ (the table interpolant's derivative) at [j, i] and in
 * factorEnd[j] the end of the slots it wrote. The table position v = (x − TABLE_MIN)·TABLE_DENSITY is
 * affine in t, and t ascends with i, so the runs are: arguments below the table (evaluated directly),
 * the table, and from x = UPPER_CUT on nothing (log Φ > −6.3e−16 is at the Float64 resolution of
 * the log-term; λ < 5.1e−15 and λ·x < 4.1e−14 move d/dμ_j and d/dσ_j by less than that over σ_j).
 */
function addFactor(j: number, ws: Workspace): void {
  const { t, logTerm, ratio, lo, hi } = ws;
  const mu = ws.eventLoc[j];
  const inv = ws.invScale[j];
  const T = LOG_NDTR_COEFFICIENTS;
  const alpha = inv * TABLE_DENSITY;
  const beta = (mu * inv + TABLE_MIN) * TABLE_DENSITY;
  let i = lo;
  if (ratio === null) {
    for (; i <= hi; i++) {
      if (t[i] * alpha - beta >= 0) break;
      logTerm[i] += logNdtrFast64((t[i] - mu) * inv);
    }
    for (; i <= hi; i++) {
      const v = t[i] * alpha - beta;
      if (v >= TABLE_CUT) break;
      const a = v | 0;
      const u = v - a;
      const o = 4 * a;
      logTerm[i] += T[o] + u * T[o + 1] + u * u * (T[o + 2] + u * T[o + 3]);
    }
    return;
  }
  const row = j * ws.slots;
  for (; i <= hi; i++) {
    if (t[i] * alpha - beta >= 0) break;
    logTerm[i] += logNdtrFastWithRatio64((t[i] - mu) * inv, ws.ratioOut);
    ratio[row + i] = ws.ratioOut[0] * (1 / TABLE_DENSITY);
  }
  for (; i <= hi; i++) {
    const v = t[i] * alpha - beta;
    if (v >= TABLE_CUT) break;
    const a = v | 0;
    const u = v - a;
    const o = 4 * a;
    const c1 = T[o + 1];
    const c2 = T[o + 2];
    const c3 = T[o + 3];
    logTerm[i] += T[o] + u * c1 + u * u * (c2 + u * c3);
    ratio[row + i] = c1 + u * (2 * c2 + 3 * u * c3); // λ/TABLE_DENSITY
  }
  ws.factorEnd[j] = i;
}

/**
 * log P(H = k) for one category k < K of the loaded event (fills ws.t, logWeight, logTerm, lo, hi
 * and, in the backward pass, ratio). Returns the logsumexp over the live slots lo..hi.
 */
function categoryLogProbability(m: number, k: number, tables: RuleTables, ws: Workspace): number {
  const slots = tables.slots;
  const { t, logWeight, logTerm, eventLoc, invScale } = ws;
  const muK = eventLoc[k];
  const sigmaK = ws.eventScale[k];
  const r = muK / sigmaK;
  let first = 0;
  if (r >= SPLIT_RATIO) {
    const node = tables.splitNode;
    const nodeLogWeight = tables.splitLogWeight;
    for (let i = 0; i < slots; i++) {
      t[i] = muK + sigmaK * node[i];
      const w = nodeLogWeight[i];
      logWeight[i] = w;
      logTerm[i] = w;
      if (w > logWeight[first]) first = i;
    }
  } else {
    // s = −r + √2x, so t = μ_k + σ_k s = σ_k·√2x exactly; the weight gains e^{√2 r x − r²/2}.
    const node = tables.shiftedNode;
    const nodeLogWeight = tables.shiftedLogWeight;
    const shift = -0.5 * r * r;
    for (let i = 0; i < slots; i++) {
      const x = node[i];
      t[i] = sigmaK * x;
      const w = nodeLogWeight[i] + r * x + shift;
      logWeight[i] = w;
      logTerm[i] = w;
      if (w > logWeight[first]) first = i;
    }
  }
  // The largest-weight slot bounds which others can matter (each log-term ≤ its log-weight).
  let firstTerm = logWeight[first];
  for (let j = 0; j < m; j++) if (j !== k) firstTerm += logNdtrByTable((t[first] - eventLoc[j]) * invScale[j]);
  const cut = firstTerm - PRUNE_LOG_GAP;
  let lo = 0;
  while (!(logWeight[lo] >= cut) && lo < first) lo++;
  let hi = slots - 1;
  while (!(logWeight[hi] >= cut) && hi > first) hi--;
  ws.lo = lo;
  ws.hi = hi;
  for (let j = 0; j < m; j++) if (j !== k) addFactor(j, ws);
  let best = -Infinity;
  for (let i = lo; i <= hi; i++) if (logTerm[i] > best) best = logTerm[i];
  const weight = ws.weight;
  let sum = 0;
  for (let i = lo; i <= hi; i++) {
    const v = best - logTerm[i];
    let e = 0;
    if (v < WEIGHT_EXP_LIMIT) {
      const q = (v * WEIGHT_EXP_DENSITY + 0.5) | 0;
      const f = v - q * (1 / WEIGHT_EXP_DENSITY);
      e = WEIGHT_EXP_TABLE[q] * (1 - f + f * f * (0.5 - f * (1 / 6) + f * f * (1 / 24)));
    }
    weight[i] = e;
    sum += e;
  }
  ws.weightSum = sum;
  return best + Math.log(sum);
}

type Writable = { [index: number]: number; length: number };

/**
 * Adds g·d log P(H = k)/dμ and g·d log P(H = k)/dσ (k < K) to gLoc, gScale (length m), after
 * categoryLogProbability filled ws for k in gradient mode. Analytic: with a_i the
 * log-term of slot i and p_i = e^{a_i − log P}, d log P = Σ_i p_i·da_i, and da_i collects d log w_i
 * (shifted rule: d/dr of r√2x_i − r²/2, r = μ_k/σ_k) plus λ(z_ij)·dz_ij over the factors j ≠ k, with
 * λ = φ/Φ, z_ij = (t_i − μ_j)/σ_j and t_i = σ_k√2x_i (shifted) or μ_k + σ_k s_i (split).
 */
function addCategoryGradient(
  m: number,
  k: number,
  g: number,
  tables: RuleTables,
  ws: Workspace,
  gLoc: Float64Array,
  gScale: Float64Array,
): void {
  const ratio = ws.ratio as Float64Array; // [j, i] for lo ≤ i < factorEnd[j]
  const { weight, lo, hi, slots } = ws;
  const pScale = g / ws.weightSum; // g·p_i = pScale·weight[i]
  const scale = pScale * TABLE_DENSITY; // g·p_i·λ_ij = scale·weight[i]·ratio[j, i]
  const sigmaK = ws.eventScale[k];
  const r = ws.eventLoc[k] / sigmaK;
  const split = r >= SPLIT_RATIO;
  // t_i = offset + σ_k·node_i: μ_k + σ_k s_i (split) or σ_k√2x_i (shifted).
  const node = split ? tables.splitNode : tables.shiftedNode;
  const offset = split ? ws.eventLoc[k] : 0;
  // Σ_i of d a_i/dt_i·(1, node_i), summed over the factors j (t_i moves with μ_k and σ_k).
  let slotSum = 0;
  let slotNodeSum = 0;
  for (let j = 0; j < m; j++) {
    if (j === k) continue;
    const row = j * slots;
    const end = ws.factorEnd[j];
    // Two interleaved accumulators each: the adds' latency, not the loads, bounds this loop.
    let sum0 = 0;
    let sum1 = 0;
    let nodeSum0 = 0;
    let nodeSum1 = 0;
    let i = lo;
    for (; i + 1 < end; i += 2) {
      const w0 = weight[i] * ratio[row + i]; // ∝ p_i·λ_ij = −σ_j·p_i·d a_i/dμ_j
      const w1 = weight[i + 1] * ratio[row + i + 1];
      sum0 += w0;
      sum1 += w1;
      nodeSum0 += w0 * node[i];
      nodeSum1 += w1 * node[i + 1];
    }
    if (i < end) {
      const w0 = weight[i] * ratio[row + i];
      sum0 += w0;
      nodeSum0 += w0 * node[i];
    }
    const inv = ws.invScale[j];
    const sum = scale * (sum0 + sum1);
    const nodeSum = scale * (nodeSum0 + nodeSum1);
    // d a_i/dσ_j = −λ_ij·z_ij/σ_j with z_ij = (t_i − μ_j)/σ_j, so Σ_i p_i·λ_ij·z_ij is (Σ p·λ·t − μ_j Σ p·λ)/σ_j.
    gLoc[j] -= sum * inv;
    gScale[j] -= ((offset - ws.eventLoc[j]) * sum + sigmaK * nodeSum) * inv * inv;
    slotSum += sum * inv;
    slotNodeSum += nodeSum * inv;
  }
  if (split) {
    // Fixed nodes and weights; t = μ_k + σ_k s_i.
    gLoc[k] += slotSum;
    gScale[k] += slotNodeSum;
  } else {
    // t = σ_k√2x_i (no μ_k); d log w/dr = √2x_i − r, dr/dμ_k = 1/σ_k, dr/dσ_k = −r/σ_k.
    let dLogWeight = 0;
    for (let i = lo; i <= hi; i++) dLogWeight += weight[i] * (node[i] - r);
    dLogWeight *= pScale;
    gLoc[k] += dLogWeight / sigmaK;
    gScale[k] += slotNodeSum - (dLogWeight * r) / sigmaK;
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

/** Moves gLoc, gScale into the Jacobian row at `offset` and leaves them zero for the next row. */
function takeJacobianRow(jacobian: Writable, offset: number, m: number, gLoc: Float64Array, gScale: Float64Array): void {
  for (let j = 0; j < m; j++) {
    jacobian[offset + j] = gLoc[j];
    jacobian[offset + m + j] = gScale[j];
    gLoc[j] = 0;
    gScale[j] = 0;
  }
}

/**
 * Forward: `loc`, `scale` hold `events × m` values (m = K − 1, event-major), `out` receives
 * `events × (m + 1)` log-probabilities log P(H = 1..K) (appendix eq. 7). With `jacobian` (length
 * `events × (m + 1) × 2m`) it also receives, per event and category k, d log P_k/dμ_1..m then
 * d log P_k/dσ_1..m, for about the cost of one backward pass (the VJP is then a small contraction).
 * `nodes` is the fixed rule's n, or NODES_PER_EVENT for n by each event's σ ratio (FIXED_RULE_NODES).
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
  const tables = tablesFor(nodes);
  const ws = workspace(2 * Math.max(...tables.keys()), m, jacobian !== null);
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
    const n = adaptiveEverywhere ? 0 : eventNodes(m, ws, nodes);
    const rule = n === 0 ? null : (tables.get(n) as RuleTables);
    for (let k = 0; k < m; k++) {
      const logP = rule === null ? adaptiveCategoryLogProbability(ws.eventLoc, ws.eventScale, m, k, adaptiveWork) : categoryLogProbability(m, k, rule, ws);
      out[outBase + k] = logP;
      logLast += logNdtrFast64(-ws.eventLoc[k] * ws.invScale[k]);
      if (jacobian !== null) {
        if (rule === null) addAdaptiveGradient(ws.eventLoc, ws.eventScale, m, k, 1, adaptiveWork, gLoc, gScale);
        else addCategoryGradient(m, k, 1, rule, ws, gLoc, gScale);
        takeJacobianRow(jacobian, (outBase + k) * 2 * m, m, gLoc, gScale);
      }
    }
    out[outBase + m] = logLast; // P(H = K) = Π_j Φ(−μ_j/σ_j)
    if (jacobian !== null) {
      addLastCategoryGradient(m, 1, ws, gLoc, gScale);
      takeJacobianRow(jacobian, (outBase + m) * 2 * m, m, gLoc, gScale);
    }
  }
}

/**
 * Backward (vector–Jacobian product without a stored Jacobian): given upstream gradients `dy`
 * (`events × (m + 1)`, w.r.t. the log-probabilities), writes d/dμ and d/dσ (`events × m` each).
 * Recomputes the forward quantities (same rule per event as the forward, `nodes` as there), so it
 * costs about as much as the Jacobian-mode forward.
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
  const tables = tablesFor(nodes);
  const ws = workspace(2 * Math.max(...tables.keys()), m, true);
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
      const n = adaptiveEverywhere ? 0 : eventNodes(m, ws, nodes);
      const rule = n === 0 ? null : (tables.get(n) as RuleTables);
      for (let k = 0; k < m; k++) {
        const g = dy[dyBase + k];
        if (g === 0) continue;
        if (rule === null) {
          adaptiveCategoryLogProbability(ws.eventLoc, ws.eventScale, m, k, adaptiveWork);
          addAdaptiveGradient(ws.eventLoc, ws.eventScale, m, k, g, adaptiveWork, gLoc, gScale);
        } else {
          categoryLogProbability(m, k, rule, ws);
          addCategoryGradient(m, k, g, rule, ws, gLoc, gScale);
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
