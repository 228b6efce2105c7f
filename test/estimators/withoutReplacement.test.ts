import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { allOutcomes } from "../../lib/estimators/enumerate";
import { setProbabilityByPermutations } from "../../lib/estimators/permutationOracle";
import { random64 } from "../../lib/estimators/rng";
import { gumbelTopK, shiftGumbelMaximum, stochasticBeamSearch } from "../../lib/estimators/withoutReplacement";
import { chiSquareCritical, chiSquareStatistic } from "../helpers/statistics";

describe("sampling without replacement", () => {
  test("shiftGumbelMaximum: the maximum becomes the target and order is kept; shifting back inverts it", () => {
    const random = random64(1);
    for (let t = 0; t < 200; t++) {
      const g = Array.from({ length: 5 }, () => random.gumbel() + random.normal());
      const target = Math.max(...g) - 2 * random.uniform() + 0.5;
      const s = shiftGumbelMaximum(g, target);
      assert.ok(Math.abs(Math.max(...s) - target) < 1e-12);
      assert.deepEqual(s.map((_, i) => i).sort((a, b) => s[b] - s[a]), g.map((_, i) => i).sort((a, b) => g[b] - g[a]));
      // Kool et al.'s self-check: shifting to the old maximum recovers the draws (1e−9: log1mexp rounding).
      shiftGumbelMaximum(s, Math.max(...g)).forEach((x, i) => assert.ok(Math.abs(x - g[i]) < 1e-9));
    }
  });

  test("stochastic beam search: frequencies of unordered sets match the permutation oracle (χ², 2 × 3 joint, k = 3)", () => {
    const logProbs = [
      [Math.log(0.5), Math.log(0.3), Math.log(0.2)],
      [Math.log(0.6), Math.log(0.1), Math.log(0.3)],
    ];
    const outcomes = allOutcomes(2, 3);
    const p = outcomes.map((o) => Math.exp(logProbs[0][o[0]] + logProbs[1][o[1]]));
    // Every 3-subset of the 9 joint outcomes and its oracle probability.
    const sets: number[][] = [];
    for (let a = 0; a < 9; a++) for (let b = a + 1; b < 9; b++) for (let c = b + 1; c < 9; c++) sets.push([a, b, c]);
    const expectedProb = sets.map((s) => setProbabilityByPermutations(s.map((i) => p[i])));
    assert.ok(Math.abs(expectedProb.reduce((x, y) => x + y, 0) - 1) < 1e-12); // the oracle is a distribution
    const draws = 20000;
    const counts = new Map<string, number>();
    const random = random64(7);
    for (let d = 0; d < draws; d++) {
      const { outcomes: got, logProbs: lp } = stochasticBeamSearch(logProbs, 3, random);
      const ids = got.map((o) => o[0] * 3 + o[1]);
      assert.equal(new Set(ids).size, 3); // distinct: without replacement
      ids.forEach((id, i) => assert.ok(Math.abs(lp[i] - Math.log(p[id])) < 1e-12));
      const key = ids.sort((x, y) => x - y).join();
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const observed = sets.map((s) => counts.get(s.join()) ?? 0);
    const expected = expectedProb.map((q) => q * draws);
    // χ² with 83 degrees of freedom at level 1e−3 (sets with expected count < 5 are few and tiny here).
    assert.ok(chiSquareStatistic(observed, expected) < chiSquareCritical(sets.length - 1), `χ² = ${chiSquareStatistic(observed, expected)}`);
  });

  test("Gumbel-top-k on a flat distribution matches the oracle (χ², 5 items, k = 2)", () => {
    const p = [0.4, 0.25, 0.2, 0.1, 0.05];
    const sets: number[][] = [];
    for (let a = 0; a < 5; a++) for (let b = a + 1; b < 5; b++) sets.push([a, b]);
    const random = random64(9);
    const counts = new Map<string, number>();
    const draws = 20000;
    for (let d = 0; d < draws; d++) {
      const key = gumbelTopK(p.map(Math.log), 2, random).sort().join();
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const observed = sets.map((s) => counts.get(s.join()) ?? 0);
    const expected = sets.map((s) => setProbabilityByPermutations(s.map((i) => p[i])) * draws);
    assert.ok(chiSquareStatistic(observed, expected) < chiSquareCritical(sets.length - 1));
  });

  test("rejects k larger than the number of outcomes", () => {
    assert.throws(() => stochasticBeamSearch([[0, -1]], 3, random64(1)), /k must be an integer in \[1, 2\]/);
  });
});
