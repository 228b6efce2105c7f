import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  binomialTarget,
  checkTarget,
  explicitTarget,
  negativeBinomialTarget,
  paperDiscreteTarget,
  PAPER_DISCRETE_WEIGHTS,
  poissonTarget,
  totalVariation,
  uniformTarget,
} from "../../lib/discrete/targets";

// Independent references, in linear space (the library works in log space).

/** C(n, k) exactly, as a BigInt (Pascal-free multiplicative formula on integers). */
function choose(n: number, k: number): bigint {
  let c = 1n;
  for (let j = 0; j < k; j++) c = (c * BigInt(n - j)) / BigInt(j + 1);
  return c;
}

function moments(probs: readonly number[]): { total: number; mean: number; variance: number } {
  let total = 0;
  let mean = 0;
  let second = 0;
  probs.forEach((p, k) => {
    total += p;
    mean += k * p;
    second += k * k * p;
  });
  return { total, mean, variance: second - mean * mean };
}

function assertClose(actual: number, expected: number, relTol: number, what: string): void {
  const scale = Math.max(Math.abs(expected), Number.MIN_VALUE);
  assert.ok(Math.abs(actual - expected) <= relTol * scale, `${what}: ${actual} vs ${expected}`);
}

describe("binomialTarget", () => {
  test("Binomial(12, 0.3), full support: direct product formula, ratio recurrence, sum, mean, variance", () => {
    const n = 12;
    const p = 0.3;
    const t = binomialTarget(n, p);
    assert.equal(t.numCategories, 13);
    let byRecurrence = Math.pow(1 - p, n);
    for (let k = 0; k <= n; k++) {
      const direct = Number(choose(n, k)) * Math.pow(p, k) * Math.pow(1 - p, n - k);
      // 1e-12 relative: Float64 sums of ~13 logs vs a product; both round at ~1e-15 per op.
      assertClose(t.probs[k], direct, 1e-12, `direct k=${k}`);
      assertClose(t.probs[k], byRecurrence, 1e-12, `recurrence k=${k}`);
      byRecurrence *= ((n - k) / (k + 1)) * (p / (1 - p));
    }
    const m = moments(t.probs);
    // 1e-12: Float64 rounding of a 13-term sum.
    assert.ok(Math.abs(m.total - 1) < 1e-12);
    assert.ok(Math.abs(m.mean - n * p) < 1e-12);
    assert.ok(Math.abs(m.variance - n * p * (1 - p)) < 1e-12);
    assert.ok(t.tailMass < 1e-12);
  });

  test("truncation to K = 12 (the appendix's Binomial(12, .3) as coded): not renormalised, tail 0.3^12", () => {
    const full = binomialTarget(12, 0.3);
    const cut = binomialTarget(12, 0.3, { numCategories: 12 });
    assert.equal(cut.numCategories, 12);
    assert.equal(cut.renormalised, false);
    for (let k = 0; k < 12; k++) assert.equal(cut.probs[k], full.probs[k]);
    // The missing mass is P(X = 12) = 0.3^12 ≈ 5.3e-7; 1e-13 relative: a few log-space roundings.
    assertClose(cut.tailMass, Math.pow(0.3, 12), 1e-13, "tail");
    // 3e-15: a 12-term Float64 sum, ~12 × 1.1e-16 worst case.
    assert.ok(Math.abs(moments(cut.probs).total - (1 - Math.pow(0.3, 12))) < 3e-15);
    const renorm = binomialTarget(12, 0.3, { numCategories: 12, renormalise: true });
    assert.equal(renorm.renormalised, true);
    // 3e-15: renormalised entries sum to 1 (12-term sum) and keep the ratios.
    assert.ok(Math.abs(moments(renorm.probs).total - 1) < 3e-15);
    assertClose(renorm.probs[3] / renorm.probs[4], full.probs[3] / full.probs[4], 1e-14, "ratio kept");
  });

  test("K beyond n + 1 pads with exact zeros", () => {
    const t = binomialTarget(3, 0.5, { numCategories: 6 });
    assert.deepEqual(t.probs.slice(4), [0, 0]);
    // 1e-15: 1/8, 3/8, 3/8, 1/8 from a few log ops.
    [1 / 8, 3 / 8, 3 / 8, 1 / 8].forEach((v, k) => assert.ok(Math.abs(t.probs[k] - v) < 1e-15));
  });
});

describe("negativeBinomialTarget (scipy nbinom: failures before the r-th success)", () => {
  test("NegBin(50, 0.6): exact BigInt binomial coefficients, sum, mean 33.3, variance 55.6", () => {
    const r = 50;
    const p = 0.6;
    const t = negativeBinomialTarget(r, p, { numCategories: 400 });
    for (const k of [0, 1, 10, 33, 60, 150]) {
      const direct = Number(choose(k + r - 1, k)) * Math.pow(p, r) * Math.pow(1 - p, k);
      // 1e-11 relative: up to k = 150 the log-space sum accumulates ~150 roundings.
      assertClose(t.probs[k], direct, 1e-11, `k=${k}`);
    }
    const m = moments(t.probs);
    // 1e-10: the tail beyond 400 is < 1e-60; the rest is Float64 rounding over 400 terms.
    assert.ok(Math.abs(m.total - 1) < 1e-10);
    assert.ok(Math.abs(m.mean - (r * (1 - p)) / p) < 1e-9, `${m.mean}`);
    assert.ok(Math.abs(m.variance - (r * (1 - p)) / (p * p)) < 1e-8, `${m.variance}`);
  });

  test("truncations used by GS (K = 20, 40, 100) keep the first K entries and report the tail", () => {
    const full = negativeBinomialTarget(50, 0.6, { numCategories: 400 });
    for (const K of [20, 40, 100]) {
      const t = negativeBinomialTarget(50, 0.6, { numCategories: K });
      const tail = full.probs.slice(K).reduce((a, b) => a + b, 0);
      // 1e-12: two Float64 sums of the same terms in different groupings.
      assert.ok(Math.abs(t.tailMass - tail) < 1e-12, `K=${K}: ${t.tailMass} vs ${tail}`);
      for (let k = 0; k < K; k++) assert.equal(t.probs[k], full.probs[k]);
    }
  });

  test("non-integer r: ratio p(k+1)/p(k) = (k + r)/(k + 1) · (1 − p)", () => {
    const t = negativeBinomialTarget(2.5, 0.3, { numCategories: 30 });
    // 1e-13: one log-space step.
    for (let k = 0; k < 29; k++) assertClose(t.probs[k + 1] / t.probs[k], ((k + 2.5) / (k + 1)) * 0.7, 1e-13, `k=${k}`);
    assertClose(t.probs[0], Math.pow(0.3, 2.5), 1e-14, "p(0) = p^r");
  });
});

describe("poissonTarget", () => {
  test("Poisson(50), K = 200: recurrence from e^{−λ}, sum, mean, variance", () => {
    const rate = 50;
    const t = poissonTarget(rate, { numCategories: 200 });
    let ref = Math.exp(-rate);
    for (let k = 0; k < 200; k++) {
      // 1e-12 relative: ~200 Float64 roundings either way.
      assertClose(t.probs[k], ref, 1e-12, `k=${k}`);
      ref *= rate / (k + 1);
    }
    const m = moments(t.probs);
    // 1e-10: the tail beyond 199 is ~1e−50; the rest is rounding.
    assert.ok(Math.abs(m.total - 1) < 1e-10);
    assert.ok(Math.abs(m.mean - rate) < 1e-9);
    assert.ok(Math.abs(m.variance - rate) < 1e-8);
  });

  test("Poisson(3), K = 3: tail = 1 − e^{−3}(1 + 3 + 9/2)", () => {
    const t = poissonTarget(3, { numCategories: 3 });
    // 1e-15: closed form of three terms.
    assert.ok(Math.abs(t.tailMass - (1 - Math.exp(-3) * 8.5)) < 1e-15);
  });
});

describe("uniformTarget, paperDiscreteTarget", () => {
  test("Uniform(K) is 1/K", () => {
    for (const K of [2, 10, 50]) {
      const t = uniformTarget(K);
      assert.equal(t.numCategories, K);
      for (const v of t.probs) assert.equal(v, 1 / K);
    }
  });

  test("the 10-point target is (10,1,5,1,10,10,1,6,1,1)/46 and sums to 1 (the caption's 11th entry is a typo)", () => {
    const t = paperDiscreteTarget();
    assert.equal(t.numCategories, 10);
    assert.equal(PAPER_DISCRETE_WEIGHTS.reduce((a, b) => a + b, 0), 46);
    const expected = [10, 1, 5, 1, 10, 10, 1, 6, 1, 1];
    // 1e-16: one division each.
    expected.forEach((w, k) => assert.ok(Math.abs(t.probs[k] - w / 46) < 1e-16));
    // The caption's 11 entries would sum to 47/46: not a pmf, and explicitTarget rejects it.
    assert.throws(() => explicitTarget([...expected, 1].map((w) => w / 46)), /sum to 1.*1\.02/);
  });
});

describe("validation", () => {
  test("not a pmf: negative entry, NaN, Infinity, sum far from 1 without renormalisation", () => {
    assert.throws(() => explicitTarget([0.5, -0.1, 0.6]), /probs\[1\] must be ≥ 0.*-0\.1/);
    assert.throws(() => explicitTarget([0.5, NaN, 0.5]), /probs\[1\] must be finite; got NaN/);
    assert.throws(() => explicitTarget([0.5, Infinity]), /probs\[1\] must be finite/);
    assert.throws(() => explicitTarget([0.5, 0.4]), /must sum to 1.*0\.9/);
    assert.throws(() => explicitTarget([0, 0], { renormalise: true }), /cannot renormalise.*0/);
    const ok = explicitTarget([2, 6], { renormalise: true });
    assert.deepEqual(ok.probs, [0.25, 0.75]);
    assert.throws(() => checkTarget("fit", { name: "x", probs: [0.7, 0.6], numCategories: 2, tailMass: 0, renormalised: false }), /sums to 1\.(3|29)\d* > 1/);
  });

  test("K < 2 is rejected", () => {
    assert.throws(() => uniformTarget(1), /numCategories \(K\) must be an integer ≥ 2; got 1/);
    assert.throws(() => explicitTarget([1]), /numCategories \(K\) must be an integer ≥ 2; got 1/);
    assert.throws(() => binomialTarget(12, 0.3, { numCategories: 1 }), /got 1/);
    assert.throws(() => negativeBinomialTarget(50, 0.6, { numCategories: 2.5 }), /got 2\.5/);
    assert.throws(() => poissonTarget(3, { numCategories: 0 }), /got 0/);
  });

  test("family parameters are checked", () => {
    assert.throws(() => binomialTarget(12, 1.2), /probability must be a number in \(0, 1\); got 1\.2/);
    assert.throws(() => binomialTarget(0, 0.3), /trials must be an integer ≥ 1; got 0/);
    assert.throws(() => negativeBinomialTarget(-1, 0.6, { numCategories: 5 }), /successes \(r\).*-1/);
    assert.throws(() => poissonTarget(NaN, { numCategories: 5 }), /rate must be.*NaN/);
  });
});

describe("totalVariation", () => {
  test("½ Σ |p − q| on hand-computed cases, missing entries count as 0", () => {
    assert.equal(totalVariation([1, 0], [0, 1]), 1);
    assert.equal(totalVariation([0.5, 0.5], [1]), 0.5);
    // 1e-16: three subtractions.
    assert.ok(Math.abs(totalVariation([0.2, 0.3, 0.5], [0.3, 0.3, 0.4]) - 0.1) < 1e-16);
  });
});
