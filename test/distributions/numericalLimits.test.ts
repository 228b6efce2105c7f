// The numbers of README's "Numerical limits" for the relaxed families: each test measures one limit
// that remains and asserts the bound the README states.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { IGRStickBreaking } from "../../lib/distributions/igrStickBreaking";
import { useDefaultBackend } from "../helpers/setup";

useDefaultBackend();

/** Largest |logProbFromLog(logSample) − sampleAndLogProb| / (1 + |exact|) over 200 draws, and the count of −∞. */
function stickInverseError(secondLoc: number): { worst: number; outside: number } {
  const d = new IGRStickBreaking({ loc: tf.tensor([0, secondLoc]), scale: tf.tensor([1, 1]), temperature: 1 });
  const { sample, logSample, logProb } = d.sampleAndLogProb(200, { seed: 1 });
  const fromLog = d.logProbFromLog(logSample).dataSync();
  const exact = logProb.dataSync();
  let worst = 0;
  let outside = 0;
  for (let i = 0; i < exact.length; i++) {
    assert.ok(Number.isFinite(exact[i]), `sampleAndLogProb ${exact[i]}`);
    if (fromLog[i] === -Infinity) outside++;
    else worst = Math.max(worst, Math.abs(fromLog[i] - exact[i]) / (1 + Math.abs(exact[i])));
  }
  tf.dispose([sample, logSample, logProb, d.loc, d.scale]);
  return { worst, outside };
}

describe("numerical limits of the relaxed families (README)", () => {
  test("IGR-SB: inverting float32 sticks cancels in 1 − Σ η as the sticks fill the unit interval", () => {
    // μ₂ = 7.7: 1 − Σ η ≈ 5e−4 — about 1e−3 relative error; μ₂ = 10: ≈ 2.5e−2; μ₂ = 12.8: draws fall off the support
    const a = stickInverseError(7.7);
    assert.ok(a.outside === 0 && a.worst > 1e-4 && a.worst < 2e-3, `μ₂ = 7.7: ${JSON.stringify(a)}`);
    const b = stickInverseError(10);
    assert.ok(b.outside === 0 && b.worst > 5e-3 && b.worst < 5e-2, `μ₂ = 10: ${JSON.stringify(b)}`);
    const c = stickInverseError(12.8);
    assert.ok(c.outside > 0, `μ₂ = 12.8: ${JSON.stringify(c)}`);
  });
});
