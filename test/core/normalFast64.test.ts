import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { expNegative64, logNdtrFast64, logNdtrFastWithRatio64 } from "../../lib/core/normalFast64";
import { logNdtr64, logNormalPdf64 } from "../../lib/core/normal";
import { refLogNormalCdf } from "../helpers/prop2Reference";

// Arguments covering every branch: Cody's three intervals on both sides, both tails far out.
function grid(): number[] {
  const xs: number[] = [];
  for (let x = -80; x <= 40; x += 0.0173) xs.push(x);
  xs.push(-1e3, -0.6629126073623883, 0.6629126073623883, -5.656854249492381, 5.656854249492381, 0, -0, 1e-300);
  return xs;
}

describe("logNdtrFast64 (Cody's rational erf/erfcx, Float64)", () => {
  test("matches published values of Φ", () => {
    const table: Array<[number, number]> = [
      [0, 0.5],
      [-1, 0.15865525393145707],
      [1.959963984540054, 0.975],
      [-3, 1.3498980316300946e-3],
      [-5, 2.866515718791939e-7],
      [-10, 7.619853024160527e-24],
      [-20, 2.7536241186062337e-89],
    ];
    for (const [x, p] of table) {
      // 1e-13 relative: exp of a log of size |log Φ| ≤ 204 carries 204·1.1e−16 = 2.3e−14 of rounding.
      assert.ok(Math.abs(Math.exp(logNdtrFast64(x)) / p - 1) < 1e-13, `Φ(${x}) = ${Math.exp(logNdtrFast64(x))}, table ${p}`);
    }
  });

  test("agrees with two independent Float64 implementations (lib series/continued fraction, test helper Maclaurin/Lentz)", () => {
    for (const x of grid()) {
      const got = logNdtrFast64(x);
      for (const [name, want] of [
        ["logNdtr64", logNdtr64(x)],
        ["refLogNormalCdf", refLogNormalCdf(x)],
      ] as const) {
        // 1e-12 relative: the references are ~1e-14; in the upper tail log Φ ≈ −Q carries e^{−x²/2}'s
        // relative rounding of x²/2 ≈ 800·1.1e−16.
        const tol = 1e-12 * Math.abs(want) + 1e-300;
        assert.ok(Math.abs(got - want) <= tol, `x=${x}: ${got} vs ${name} ${want}`);
      }
    }
  });

  test("never underflows in the lower tail: log Φ(−1000) ≈ −x²/2 − log(−x√(2π))", () => {
    const x = -1000;
    // Mills-ratio asymptotics: log Φ(x) = −x²/2 − log(|x|√(2π)) + log(1 − 1/x² + 3/x⁴ − …).
    const asymptotic = -0.5 * x * x - Math.log(-x * Math.sqrt(2 * Math.PI)) + Math.log1p(-1 / (x * x) + 3 / x ** 4);
    // 1e-15 relative: the next series term is 15/x⁶ = 1.5e−17.
    assert.ok(Math.abs(logNdtrFast64(x) / asymptotic - 1) < 1e-15, `${logNdtrFast64(x)} vs ${asymptotic}`);
  });
});

describe("logNdtrFastWithRatio64: φ/Φ", () => {
  test("returns the same log Φ and φ/Φ = exp(log φ − log Φ) of the reference", () => {
    const out = new Float64Array(1);
    // x ≥ −80: beyond, the reference's difference of two logs of size x²/2 loses the digits.
    for (const x of grid().filter((v) => v >= -80)) {
      const value = logNdtrFastWithRatio64(x, out);
      assert.equal(value, logNdtrFast64(x), `x=${x}`);
      const want = Math.exp(logNormalPdf64(x) - logNdtr64(x));
      // 1e-12 relative (same reason as log Φ); plus 1e-300 where φ underflows.
      assert.ok(Math.abs(out[0] - want) <= 1e-12 * want + 1e-300, `x=${x}: ${out[0]} vs ${want}`);
    }
  });

  test("far lower tail: φ/Φ(−1000) = |x|/(1 − 1/x² + 3/x⁴ − …) (Mills-ratio series)", () => {
    const out = new Float64Array(1);
    const x = -1000;
    logNdtrFastWithRatio64(x, out);
    const want = -x / (1 - 1 / (x * x) + 3 / x ** 4);
    // 1e-15 relative: the next series term is 15/x⁶ = 1.5e−17.
    assert.ok(Math.abs(out[0] / want - 1) < 1e-15, `${out[0]} vs ${want}`);
  });

  test("is the derivative of log Φ (central differences of the reference)", () => {
    const out = new Float64Array(1);
    const h = 1e-5;
    for (let x = -30; x <= 8; x += 0.37) {
      logNdtrFastWithRatio64(x, out);
      const fd = (logNdtr64(x + h) - logNdtr64(x - h)) / (2 * h);
      // 1e-7 relative: O(h²)·f‴ ≈ 1e−10 plus cancellation 1e−16·|log Φ|/h ≈ 1e−8 at x = −30.
      assert.ok(Math.abs(out[0] - fd) <= 1e-7 * Math.abs(fd) + 1e-12, `x=${x}: ${out[0]} vs ${fd}`);
    }
  });
});

describe("expNegative64", () => {
  test("matches Math.exp(−v) to 1e−15 relative over the table and beyond", () => {
    for (let v = 0; v < 120; v += 0.000917) {
      const want = Math.exp(-v);
      // 1e-15: table entry and polynomial each round once (a few ulp), truncation < 5e−17.
      assert.ok(Math.abs(expNegative64(v) - want) <= 1e-15 * want, `v=${v}: ${expNegative64(v)} vs ${want}`);
    }
    assert.equal(expNegative64(0), 1);
    assert.ok(Number.isNaN(expNegative64(NaN)));
    assert.equal(expNegative64(Infinity), 0);
  });
});
