// Sampling without replacement by Gumbel-top-k (Vieira 2014; Kool et al. 2019): perturb every
// log-probability with independent Gumbel noise and keep the k largest; the k items are a draw of
// k distinct outcomes without replacement. For V independent categoricals (K^V joint outcomes) the
// stochastic beam search of Kool et al. (2019) gets the same top-k of the JOINT without enumerating
// it: children's Gumbels are drawn conditioned on their maximum being the parent's (truncated Gumbel).
import { log1mexp } from "./logspace64";
import { Random64 } from "./rng";

/** Indices of k items drawn without replacement from a flat distribution given by log-probabilities. */
export function gumbelTopK(logProbs: number[], k: number, random: Random64): number[] {
  if (!Number.isInteger(k) || k < 1 || k > logProbs.length) throw new Error(`gumbelTopK: k must be an integer in [1, ${logProbs.length}], got ${k}`);
  const perturbed = logProbs.map((lp) => lp + random.gumbel());
  return perturbed
    .map((g, i) => [g, i])
    .sort((x, y) => y[0] - x[0])
    .slice(0, k)
    .map(([, i]) => i);
}

/**
 * Gumbels G'_c conditioned on max_c = `target` given their unconditioned draws (Kool et al. 2019,
 * eq. 23, in the numerically stable form of their code):
 *   G_c = −log(e^{−target} − e^{−Z} + e^{−G'_c}),  Z = max_c G'_c.
 */
export function shiftGumbelMaximum(gumbels: number[], target: number): number[] {
  const Z = Math.max(...gumbels);
  return gumbels.map((g) => {
    const u = target - g + log1mexp(g - Z); // log1mexp(0) = −∞ for the maximum: G = target
    return target - Math.max(u, 0) - Math.log1p(Math.exp(-Math.abs(u)));
  });
}

export interface BeamSample {
  /** k distinct outcomes, each V category indices, in decreasing order of perturbed log-probability. */
  outcomes: number[][];
  /** log p(outcome) of each. */
  logProbs: number[];
}

/**
 * k distinct joint outcomes without replacement from V independent categoricals. `logProbs[v][c]` is
 * log p(b_v = c). Exact Gumbel-top-k of the joint (tested against the permutation oracle).
 */
export function stochasticBeamSearch(logProbs: number[][], k: number, random: Random64): BeamSample {
  const V = logProbs.length;
  const total = logProbs.reduce((n, row) => n * row.length, 1);
  if (!Number.isInteger(k) || k < 1 || k > total) throw new Error(`stochasticBeamSearch: k must be an integer in [1, ${total}], got ${k}`);
  type Node = { prefix: number[]; logProb: number; gumbel: number };
  let beam: Node[] = [{ prefix: [], logProb: 0, gumbel: random.gumbel() }];
  for (let v = 0; v < V; v++) {
    const children: Node[] = [];
    for (const node of beam) {
      const logP = logProbs[v].map((lp) => node.logProb + lp);
      const raw = logP.map((lp) => lp + random.gumbel());
      const shifted = shiftGumbelMaximum(raw, node.gumbel);
      logP.forEach((lp, c) => children.push({ prefix: [...node.prefix, c], logProb: lp, gumbel: shifted[c] }));
    }
    children.sort((x, y) => y.gumbel - x.gumbel);
    beam = children.slice(0, k);
  }
  return { outcomes: beam.map((n) => n.prefix), logProbs: beam.map((n) => n.logProb) };
}
