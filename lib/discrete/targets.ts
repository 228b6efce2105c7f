// Target pmfs of the discrete-approximation experiments (appendix §6, docs/paper.md §6), truncated to
// K support points {0, ..., K−1}. The authors (`get_for_approx`) truncate and do NOT renormalise,
// so a truncated target sums to 1 − tailMass; `renormalise: true` divides by that sum instead.
// Every pmf is evaluated in Float64 in log space (sums of logs, no Γ function), so a pmf entry
// like Poisson(50) at k = 0 (e^{−50}) or NegBin(50, 0.6) at 0 (0.6^{50}) is exact, not 0.

/** A pmf on the categories 0..K−1 (the category k stands for the outcome k of the family). */
export interface DiscreteTarget {
  /** e.g. "Binomial(12, 0.3)". */
  readonly name: string;
  /** P(k), k = 0..K−1 (Float64). */
  readonly probs: readonly number[];
  /** K. */
  readonly numCategories: number;
  /** Mass of the family beyond K−1 before any renormalisation (0 for a finite pmf given in full). */
  readonly tailMass: number;
  /** True when `probs` was divided by its sum (then it sums to 1 exactly up to rounding). */
  readonly renormalised: boolean;
}

export interface TargetTruncation {
  /** K, the number of support points kept: {0, ..., K−1}. */
  numCategories: number;
  /** Divide the kept entries by their sum (default false, as the authors). */
  renormalise?: boolean;
}

/**
 * The 10-point target of appendix Figs 3–4: p = (10, 1, 5, 1, 10, 10, 1, 6, 1, 1)/46. The appendix
 * caption prints 11 entries (an extra 1/46, so it would sum to 47/46): a typo; the authors' code has
 * these 10 (docs/paper.md §6, trap 16).
 */
export const PAPER_DISCRETE_WEIGHTS: readonly number[] = Object.freeze([10, 1, 5, 1, 10, 10, 1, 6, 1, 1]);

/** How far from 1 the sum of an explicit pmf may be when it is not renormalised. */
export const PMF_SUM_TOLERANCE = 1e-6;

function checkNumCategories(where: string, K: unknown): asserts K is number {
  if (typeof K !== "number" || !Number.isInteger(K) || K < 2) {
    throw new Error(`${where}: numCategories (K) must be an integer ≥ 2; got ${String(K)}`);
  }
}

function checkProbability(where: string, name: string, p: number, { open = true } = {}): void {
  const ok = Number.isFinite(p) && (open ? p > 0 && p < 1 : p >= 0 && p <= 1);
  if (!ok) throw new Error(`${where}: ${name} must be a number in ${open ? "(0, 1)" : "[0, 1]"}; got ${p}`);
}

/** Throws unless every entry is finite and ≥ 0 (NaN, ±Infinity and negative entries are named). */
function checkEntries(where: string, values: readonly number[]): void {
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new Error(`${where}: probs[${i}] must be finite; got ${v}`);
    if (v < 0) throw new Error(`${where}: probs[${i}] must be ≥ 0 (a pmf has no negative mass); got ${v}`);
  });
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/**
 * Builds a target from log P(k), k = 0..K−1. The tail mass is `tail` when the family can sum it
 * directly (finite support), else 1 − Σ kept (absolute error ~1e−16·K), floored at 0.
 */
function truncated(name: string, logProbs: number[], { renormalise = false }: TargetTruncation, tail?: number): DiscreteTarget {
  const probs = logProbs.map(Math.exp);
  const kept = sum(probs);
  const tailMass = tail ?? Math.max(0, 1 - kept);
  return Object.freeze({
    name,
    probs: Object.freeze(renormalise ? probs.map((p) => p / kept) : probs),
    numCategories: probs.length,
    tailMass,
    renormalised: renormalise,
  });
}

/** Σ_{j=1}^{k} log j for k = 0..K−1 (log k!). */
function logFactorials(K: number): number[] {
  const out = [0];
  for (let k = 1; k < K; k++) out.push(out[k - 1] + Math.log(k));
  return out;
}

/**
 * Binomial(trials, probability) on k = 0..K−1: C(n, k) p^k (1 − p)^{n−k}, and 0 for k > n.
 * K defaults to n + 1 (the whole support). The authors' GS script uses K = n = 12, dropping k = 12
 * (mass 0.3^12 ≈ 5.3e−7); their committed IGR script has K = 13, i.e. Binomial(13, 0.3) (docs/paper.md §6).
 */
export function binomialTarget(
  trials: number,
  probability: number,
  options: Partial<TargetTruncation> = {},
): DiscreteTarget {
  const where = "binomialTarget";
  if (!Number.isInteger(trials) || trials < 1) throw new Error(`${where}: trials must be an integer ≥ 1; got ${trials}`);
  checkProbability(where, "probability", probability);
  const K = options.numCategories ?? trials + 1;
  checkNumCategories(where, K);
  const logFact = logFactorials(Math.max(K, trials + 1));
  const logProbs = Array.from({ length: K }, (_, k) =>
    k > trials
      ? -Infinity
      : logFact[trials] - logFact[k] - logFact[trials - k] + k * Math.log(probability) + (trials - k) * Math.log1p(-probability),
  );
  let tail = 0;
  for (let k = K; k <= trials; k++) {
    tail += Math.exp(logFact[trials] - logFact[k] - logFact[trials - k] + k * Math.log(probability) + (trials - k) * Math.log1p(-probability));
  }
  return truncated(`Binomial(${trials}, ${probability})`, logProbs, { ...options, numCategories: K }, tail);
}

/**
 * Negative binomial as scipy's nbinom(r, p): the number of failures before the r-th success,
 * P(k) = C(k + r − 1, k) p^r (1 − p)^k (mean r(1−p)/p, variance r(1−p)/p²). Figs 5–6 use r = 50,
 * p = 0.6 (mean 33.3), truncated to K = 20, 40 or 100 for GS. r may be any positive real.
 */
export function negativeBinomialTarget(successes: number, probability: number, options: TargetTruncation): DiscreteTarget {
  const where = "negativeBinomialTarget";
  if (!(Number.isFinite(successes) && successes > 0)) throw new Error(`${where}: successes (r) must be a finite number > 0; got ${successes}`);
  checkProbability(where, "probability", probability);
  checkNumCategories(where, options?.numCategories);
  const logProbs = [successes * Math.log(probability)];
  // log C(k + r − 1, k) = Σ_{j=1}^{k} log((r − 1 + j)/j), valid for real r > 0.
  for (let k = 1; k < options.numCategories; k++) {
    logProbs.push(logProbs[k - 1] + Math.log((successes - 1 + k) / k) + Math.log1p(-probability));
  }
  return truncated(`NegativeBinomial(${successes}, ${probability})`, logProbs, options);
}

/** Poisson(rate) on k = 0..K−1: e^{−λ} λ^k / k! (the authors' 2020-05 script used λ = 50). */
export function poissonTarget(rate: number, options: TargetTruncation): DiscreteTarget {
  const where = "poissonTarget";
  if (!(Number.isFinite(rate) && rate > 0)) throw new Error(`${where}: rate must be a finite number > 0; got ${rate}`);
  checkNumCategories(where, options?.numCategories);
  const logFact = logFactorials(options.numCategories);
  const logProbs = logFact.map((lf, k) => -rate + k * Math.log(rate) - lf);
  return truncated(`Poisson(${rate})`, logProbs, options);
}

/** Uniform over K categories (the target of `set_prior`, K = 10 and 50). */
export function uniformTarget(numCategories: number): DiscreteTarget {
  checkNumCategories("uniformTarget", numCategories);
  return explicitTarget(Array(numCategories).fill(1 / numCategories), { name: `Uniform(${numCategories})` });
}

/**
 * A target given by its entries. Entries must be finite and ≥ 0; with `renormalise` they are
 * divided by their sum (which must be > 0), else the sum must be within PMF_SUM_TOLERANCE of 1.
 * Weights like PAPER_DISCRETE_WEIGHTS need `renormalise: true`.
 */
export function explicitTarget(
  probs: readonly number[],
  { name = "explicit", renormalise = false }: { name?: string; renormalise?: boolean } = {},
): DiscreteTarget {
  const where = `explicitTarget(${name})`;
  if (!Array.isArray(probs) && !ArrayBuffer.isView(probs)) throw new Error(`${where}: probs must be an array of numbers; got ${String(probs)}`);
  const values = Array.from(probs as ArrayLike<number>);
  checkNumCategories(where, values.length);
  checkEntries(where, values);
  const total = sum(values);
  if (renormalise) {
    if (!(total > 0)) throw new Error(`${where}: cannot renormalise, the entries sum to ${total}`);
  } else if (Math.abs(total - 1) > PMF_SUM_TOLERANCE) {
    throw new Error(
      `${where}: the entries must sum to 1 (within ${PMF_SUM_TOLERANCE}) unless renormalise is true; they sum to ${total}`,
    );
  }
  return Object.freeze({
    name,
    probs: Object.freeze(renormalise ? values.map((v) => v / total) : values),
    numCategories: values.length,
    tailMass: 0,
    renormalised: renormalise,
  });
}

/** The 10-point target of appendix Figs 3–4, (10,1,5,1,10,10,1,6,1,1)/46 (10 entries; see PAPER_DISCRETE_WEIGHTS). */
export function paperDiscreteTarget(): DiscreteTarget {
  return explicitTarget(
    PAPER_DISCRETE_WEIGHTS.map((w) => w / 46),
    { name: "Discrete(10,1,5,1,10,10,1,6,1,1)/46" },
  );
}

/**
 * Validates a target used for fitting: K ≥ 2, entries finite and ≥ 0, total ≤ 1 + tolerance (a
 * truncated target may sum to less than 1). Returns the entries as a plain array.
 */
export function checkTarget(where: string, target: DiscreteTarget): number[] {
  if (target === null || typeof target !== "object" || !("probs" in target)) {
    throw new Error(`${where}: target must be a DiscreteTarget (see binomialTarget, explicitTarget, ...); got ${String(target)}`);
  }
  const values = Array.from(target.probs);
  checkNumCategories(where, values.length);
  checkEntries(where, values);
  const total = sum(values);
  if (total > 1 + PMF_SUM_TOLERANCE) throw new Error(`${where}: target.probs sums to ${total} > 1: not a (truncated) pmf`);
  if (!(total > 0)) throw new Error(`${where}: target.probs sums to ${total}: no mass to fit`);
  return values;
}

/** Total variation distance ½ Σ |p_k − q_k| over the union of supports (missing entries are 0). */
export function totalVariation(p: readonly number[], q: readonly number[]): number {
  const n = Math.max(p.length, q.length);
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.abs((p[k] ?? 0) - (q[k] ?? 0));
  return s / 2;
}
