import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { leaveOutRatiosByPermutations, setProbabilityByPermutations } from "../../lib/estimators/permutationOracle";
import { random64 } from "../../lib/estimators/rng";
import { leaveOutRatios, logSetProbability } from "../../lib/estimators/setProbabilities";

/** Inclusion–exclusion: ∫_0^1 Π(1 − u^{p_i/a}) du = Σ_T (−1)^{|T|} a/(a + Σ_T p_i): a third, closed form. */
function inclusionExclusion(p: number[]): number {
  const a = 1 - p.reduce((s, x) => s + x, 0);
  let total = 0;
  for (let mask = 0; mask < 1 << p.length; mask++) {
    let sum = 0;
    let sign = 1;
    p.forEach((x, i) => {
      if (mask & (1 << i)) {
        sum += x;
        sign = -sign;
      }
    });
    total += (sign * a) / (a + sum);
  }
  return total;
}

function randomSubset(random: ReturnType<typeof random64>, k: number, spread: number): number[] {
  const n = k + 1 + Math.floor(random.uniform() * 20);
  const logits = Array.from({ length: n }, () => random.normal() * spread);
  const m = Math.max(...logits);
  const z = logits.reduce((s, l) => s + Math.exp(l - m), 0);
  return logits.map((l) => Math.exp(l - m) / z).slice(0, k);
}

describe("probabilities of unordered samples without replacement", () => {
  test("k = 1 gives p, k = 2 the two-ordering sum (hand formula)", () => {
    assert.ok(Math.abs(Math.exp(logSetProbability([Math.log(0.3)])) - 0.3) < 1e-12);
    // p1 p2/(1 − p1) + p2 p1/(1 − p2) for (0.5, 0.3) = 0.3 + 0.15/0.7
    assert.ok(Math.abs(Math.exp(logSetProbability([Math.log(0.5), Math.log(0.3)])) - (0.3 + 0.15 / 0.7)) < 1e-10);
  });

  test("log-space quadrature matches the permutation oracle and inclusion–exclusion (300 random sets, k ≤ 5)", () => {
    const random = random64(5);
    for (let trial = 0; trial < 300; trial++) {
      const k = 1 + (trial % 5);
      const p = randomSubset(random, k, trial % 3 === 0 ? 5 : 1);
      const oracle = leaveOutRatiosByPermutations(p);
      const ours = leaveOutRatios(p.map(Math.log));
      // Trapezoid step 0.25 in log t: measured ≤ 1.2e−11 in log; 1e−8 leaves margin. (Oracle sums in
      // probability space, exact to ~1e−15 relative for these sizes.)
      assert.ok(Math.abs(ours.logSetProbability - Math.log(oracle.setProbability)) < 1e-8, `trial ${trial} P(S)`);
      // Inclusion–exclusion sums 2^k terms of size ≤ 1 with alternating signs: 1e−14 absolute cancellation.
      const ie = inclusionExclusion(p);
      assert.ok(Math.abs(Math.exp(ours.logSetProbability) - ie) < 1e-8 * ie + 1e-14, `trial ${trial} inclusion–exclusion ${ie}`);
      ours.logR1.forEach((v, i) => assert.ok(Math.abs(v - Math.log(oracle.r1[i])) < 1e-8, `trial ${trial} R1[${i}]`));
      ours.logR2.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - Math.log(oracle.r2[i][j])) < 1e-8, `trial ${trial} R2[${i}][${j}]`)));
    }
  });

  test("stays finite and accurate when p(S) is tiny (VAE-like 1e−30 outcomes), where inclusion–exclusion cancels", () => {
    const logP = [-70, -71, -72.5, -69.3];
    const got = logSetProbability(logP);
    // For tiny p, p(S) → k!·Π p_i (every ordering has denominators ≈ 1).
    const expected = Math.log(24) + logP.reduce((s, x) => s + x, 0);
    assert.ok(Math.abs(got - expected) < 1e-9, `${got} vs ${expected}`);
  });

  test("a set holding all the mass has probability 1", () => {
    assert.ok(Math.abs(logSetProbability([Math.log(0.25), Math.log(0.75)])) < 1e-12);
    assert.ok(Math.abs(setProbabilityByPermutations([0.25, 0.75]) - 1) < 1e-12);
  });
});
