import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  STEEN_HALF_RANGE_HERMITE_15,
  halfRangeGaussHermite,
  gaussLaguerre,
  gaussLegendre,
  integrateAdaptive64,
  type QuadratureRule,
} from "../../lib/core/quadrature";

/** log Γ by Stirling's series after shifting the argument up (independent of lib). */
function logGamma(x: number): number {
  let shift = 0;
  while (x < 20) {
    shift -= Math.log(x);
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  return shift + (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
}

function moment(rule: QuadratureRule, degree: number): number {
  return rule.nodes.reduce((s, x, i) => s + rule.weights[i] * x ** degree, 0);
}

describe("halfRangeGaussHermite", () => {
  test("n = 15 reproduces the Steen, Byrne & Gelbard table (docs/paper.md §5)", () => {
    const rule = halfRangeGaussHermite(15);
    for (let i = 0; i < 15; i++) {
      // 1e-6 relative: the printed table itself is only that accurate (its moments are off by 3e-11,
      // ours by 1e-14; see the next test).
      assert.ok(Math.abs(rule.nodes[i] / STEEN_HALF_RANGE_HERMITE_15.nodes[i] - 1) < 1e-6, `node ${i}`);
      assert.ok(Math.abs(rule.weights[i] / STEEN_HALF_RANGE_HERMITE_15.weights[i] - 1) < 1e-5, `weight ${i}`);
    }
  });

  test("integrates x^d e^{−x²} on [0, ∞) exactly (Γ((d+1)/2)/2) up to degree 2n−1", () => {
    for (const n of [5, 15, 24, 48]) {
      const rule = halfRangeGaussHermite(n);
      for (let d = 0; d <= 2 * n - 1; d++) {
        const exact = Math.exp(logGamma((d + 1) / 2)) / 2;
        // 1e-11 relative: Float64 rounding accumulated over high-degree moments (measured ≤ 1e-13).
        assert.ok(Math.abs(moment(rule, d) / exact - 1) < 1e-11, `n=${n}, degree ${d}: ${moment(rule, d)} vs ${exact}`);
      }
    }
  });

  test("rejects a bad size", () => {
    assert.throws(() => halfRangeGaussHermite(0), /n must be an integer in \[1, 100\], got 0/);
  });
});

describe("gaussLaguerre and gaussLegendre", () => {
  test("Laguerre integrates x^d e^{−x} exactly (d!) up to degree 2n−1", () => {
    const rule = gaussLaguerre(12);
    let factorial = 1;
    for (let d = 0; d <= 23; d++) {
      if (d > 0) factorial *= d;
      // 1e-10 relative: d! reaches 2.6e22; rounding in the large nodes.
      assert.ok(Math.abs(moment(rule, d) / factorial - 1) < 1e-10, `degree ${d}`);
    }
  });

  test("Legendre integrates x^d on [−1, 1] exactly up to degree 2n−1", () => {
    const rule = gaussLegendre(9);
    for (let d = 0; d <= 17; d++) {
      const exact = d % 2 === 1 ? 0 : 2 / (d + 1);
      assert.ok(Math.abs(moment(rule, d) - exact) < 1e-14, `degree ${d}`);
    }
  });
});

describe("integrateAdaptive64 (reference path)", () => {
  test("closed-form integrals, smooth and peaked", () => {
    const cases: Array<[(x: number) => number, number, number, number]> = [
      [(x) => Math.exp(-x * x), -30, 30, Math.sqrt(Math.PI)],
      [(x) => Math.sin(x), 0, Math.PI, 2],
      [(x) => 1 / (1e-4 + x * x), -1, 1, 2e2 * Math.atan(1e2)],
      [(x) => Math.exp(-1e3 * (x - 0.3) ** 2), -1, 1, Math.sqrt(Math.PI / 1e3)],
    ];
    for (const [f, a, b, exact] of cases) {
      const { value } = integrateAdaptive64(f, a, b);
      // 1e-11 relative: the default tolerance is 1e-12 relative on the error estimate.
      assert.ok(Math.abs(value / exact - 1) < 1e-11, `${value} vs ${exact}`);
    }
  });
});
