// The tabulated log Φ of Proposition 2's kernels (lib/core/logNdtrTable64.ts) against the series /
// continued-fraction reference logNdtr64 (lib/core/normal.ts), which shares no code with it.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  logNdtrByTable,
  logNdtrWithRatioByTable,
  TABLE_DENSITY,
  TABLE_MAX,
  TABLE_MIN,
} from "../../lib/core/logNdtrTable64";
import { logNdtr64, logNormalPdf64 } from "../../lib/core/normal";
import { logNdtrFast64, logNdtrFastWithRatio64 } from "../../lib/core/normalFast64";

/** max |d⁴/dx⁴ log Φ| = 0.1888 (at x ≈ 2.07; fourth differences of logNdtr64, step 0.05, over the table). */
const MAX_FOURTH_DERIVATIVE = 0.19;
const H = 1 / TABLE_DENSITY;
/** Cubic Hermite error bounds: h⁴/384·max|f⁗| on the value, √3/216·h³·max|f⁗| on the derivative. */
const VALUE_BOUND = (H ** 4 / 384) * MAX_FOURTH_DERIVATIVE;
const RATIO_BOUND = ((Math.sqrt(3) / 216) * H ** 3) * MAX_FOURTH_DERIVATIVE;

/** Arguments across the whole table at an irrational step (every position inside the intervals), plus knots. */
function grid(): number[] {
  const xs: number[] = [];
  for (let x = TABLE_MIN; x <= TABLE_MAX; x += 0.001 * Math.SQRT2) xs.push(x);
  for (let x = TABLE_MIN; x <= TABLE_MAX; x += 1) xs.push(x);
  return xs;
}

describe("logNdtrTable64 (cubic Hermite table of log Φ)", () => {
  test(`log Φ within h⁴/384·max|f⁗| = ${VALUE_BOUND.toExponential(2)} and λ = φ/Φ within ${RATIO_BOUND.toExponential(2)} of the reference`, () => {
    const out = new Float64Array(1);
    let worstValue = 0;
    let worstRatio = 0;
    for (const x of grid()) {
      const ref = logNdtr64(x);
      const refRatio = Math.exp(logNormalPdf64(x) - ref);
      const value = logNdtrWithRatioByTable(x, out);
      assert.equal(logNdtrByTable(x), value, `the two evaluations differ at x = ${x}`);
      // + 1e−13: the reference's own rounding (1e−14 relative) on |log Φ| ≤ 800 at x = −40.
      assert.ok(Math.abs(value - ref) <= VALUE_BOUND + 1e-14 * Math.abs(ref), `log Φ(${x}): table ${value}, reference ${ref}`);
      // λ ≈ |x| in the lower tail: relative rounding of the reference there.
      assert.ok(Math.abs(out[0] - refRatio) <= RATIO_BOUND + 1e-13 * refRatio, `λ(${x}): table ${out[0]}, reference ${refRatio}`);
      worstValue = Math.max(worstValue, Math.abs(value - ref));
      worstRatio = Math.max(worstRatio, Math.abs(out[0] - refRatio));
    }
    // The bound is nearly reached (near x = 2, where f⁗ peaks): a wrong coefficient could not hide below it.
    assert.ok(worstValue > 0.5 * VALUE_BOUND, `worst log Φ error ${worstValue} far below the bound: is the reference the table?`);
    assert.ok(worstRatio > 0.5 * RATIO_BOUND, `worst λ error ${worstRatio}`);
  });

  test("λ is the derivative of the tabulated log Φ (so kernel gradients match finite differences of the forward)", () => {
    const out = new Float64Array(1);
    const step = 1e-5;
    for (let x = -39.5; x < 9.5; x += 0.37) {
      logNdtrWithRatioByTable(x, out);
      const fd = (logNdtrByTable(x + step) - logNdtrByTable(x - step)) / (2 * step);
      // O(step²·|p‴|) ≈ 1e−10, plus the rounding of the two values (a few ulps of |log Φ| ≤ 800) over 2·step.
      assert.ok(Math.abs(fd - out[0]) <= 1e-8 + 4e-16 * Math.abs(logNdtrByTable(x)) / step, `x = ${x}: λ ${out[0]}, difference ${fd}`);
    }
  });

  test("outside the table: Cody's evaluation below TABLE_MIN, clamped (log Φ ≈ 0) above TABLE_MAX", () => {
    const out = new Float64Array(1);
    const ref = new Float64Array(1);
    for (const x of [TABLE_MIN - 1e-9, -41, -100, -1e3]) {
      assert.equal(logNdtrByTable(x), logNdtrFast64(x));
      assert.equal(logNdtrWithRatioByTable(x, out), logNdtrFastWithRatio64(x, ref));
      assert.equal(out[0], ref[0]);
    }
    for (const x of [TABLE_MAX, 12, 1e3, Infinity]) {
      const value = logNdtrWithRatioByTable(x, out);
      // log Φ(10) = −7.6e−24, λ(10) = 7.7e−23.
      assert.ok(value <= 0 && value > -1e-22, `log Φ(${x}) = ${value}`);
      assert.ok(out[0] >= 0 && out[0] < 1e-21, `λ(${x}) = ${out[0]}`);
    }
  });
});
