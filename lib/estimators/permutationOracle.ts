// The naive oracle for sampling-without-replacement probabilities: sum over every ordering (k!
// terms), in plain probability space. Slow and only for small k; it exists to validate
// `setProbabilities.ts` (as Kool et al.'s `compute_log_R_O_nfac` does for their code).

function permutations(items: number[]): number[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/**
 * p^{D∖A}(B): the probability that k = |B| draws without replacement from p restricted to D ∖ A
 * (renormalised) give the set B. `probs` are the full distribution's probabilities of B's items and
 * `excludedMass` = p(A).
 */
export function setProbabilityByPermutations(probs: number[], excludedMass = 0): number {
  if (probs.length === 0) return 1;
  const norm = 1 - excludedMass;
  let total = 0;
  for (const order of permutations(probs.map((_, i) => i))) {
    let prob = 1;
    let used = 0;
    for (const i of order) {
      const p = probs[i] / norm;
      prob *= p / (1 - used);
      used += p;
    }
    total += prob;
  }
  return total;
}

/** R1 and R2 (not in log space) by enumeration, same layout as `leaveOutRatios`. */
export function leaveOutRatiosByPermutations(probs: number[]): { setProbability: number; r1: number[]; r2: number[][] } {
  const k = probs.length;
  const idx = probs.map((_, i) => i);
  const pick = (skip: number[]) => idx.filter((i) => !skip.includes(i)).map((i) => probs[i]);
  const massOf = (skip: number[]) => skip.reduce((s, i) => s + probs[i], 0);
  const whole = setProbabilityByPermutations(probs);
  const first = idx.map((i) => setProbabilityByPermutations(pick([i]), massOf([i])));
  const r2 = idx.map((i) => idx.map((j) => (i === j ? 1 : setProbabilityByPermutations(pick([i, j]), massOf([i, j])) / first[i])));
  return { setProbability: whole, r1: first.map((p) => p / whole), r2 };
}
