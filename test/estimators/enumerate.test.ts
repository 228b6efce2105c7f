import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { boundedParameters } from "../../lib/discrete/boundedParameters";
import { allOutcomes, exactGradient, exactObjective } from "../../lib/estimators/enumerate";
import { refDiscreteProbabilities } from "../helpers/prop2Reference";
import { igrParams, igrProblem, locRawValues, logitsParams, logitsProblem, logitValues, objective, scaleRawValues } from "../helpers/estimatorToy";

before(async () => {
  await initBackend();
});

function softmax64(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** Float64 E[f] for per-variable probability rows. */
function expectation64(probs: number[][]): number {
  return allOutcomes(3, 3).reduce((sum, b) => sum + b.reduce((p, k, v) => p * probs[v][k], 1) * objective.evaluate64(b), 0);
}

describe("exact enumeration", () => {
  test("allOutcomes lists K^V distinct vectors", () => {
    const all = allOutcomes(3, 3);
    assert.equal(all.length, 27);
    assert.equal(new Set(all.map((o) => o.join())).size, 27);
  });

  test("logits family: autodiff of the enumerated sum equals the closed-form score-function sum in Float64", () => {
    // ∂E/∂θ_vk = Σ_b p(b) f(b) (1[b_v = k] − p_vk): an independent Float64 formula.
    const probs = logitValues.map(softmax64);
    const expected: number[] = [];
    for (let v = 0; v < 3; v++)
      for (let k = 0; k < 3; k++)
        expected.push(allOutcomes(3, 3).reduce((s, b) => s + b.reduce((p, c, u) => p * probs[u][c], 1) * objective.evaluate64(b) * ((b[v] === k ? 1 : 0) - probs[v][k]), 0));
    const params = logitsParams();
    const got = exactGradient(logitsProblem, params);
    const value = exactObjective(logitsProblem, params);
    // float32 autodiff of a 27-term sum of O(1) terms: 1e−5 absolute.
    got.forEach((g, i) => assert.ok(Math.abs(g - expected[i]) < 1e-5, `coordinate ${i}: ${g} vs ${expected[i]}`));
    assert.ok(Math.abs(value.dataSync()[0] - expectation64(probs)) < 1e-5);
    tf.dispose([...params, value]);
  });

  test("IGR family: autodiff through Proposition 2 equals central finite differences of a Float64 adaptive-quadrature reference", () => {
    const bounded = (locRaw: number[][], scaleRaw: number[][]) => {
      const { loc, scale } = boundedParameters(tf.tensor2d(locRaw), tf.tensor2d(scaleRaw));
      const l = loc.arraySync() as number[][];
      const s = scale.arraySync() as number[][];
      tf.dispose([loc, scale]);
      return l.map((row, v) => refDiscreteProbabilities(row, s[v]));
    };
    // Central differences in Float64 (the bounded map is recomputed in float32, hence h = 1e−3 and
    // a 2e−4 tolerance: float32 rounding of μ, σ (~1e−7) divided by 2h, plus O(h²) truncation).
    const h = 1e-3;
    const expected: number[] = [];
    for (const which of [0, 1])
      for (let v = 0; v < 3; v++)
        for (let j = 0; j < 2; j++) {
          const shift = (d: number) => {
            const lr = locRawValues.map((r) => r.slice());
            const sr = scaleRawValues.map((r) => r.slice());
            (which === 0 ? lr : sr)[v][j] += d;
            return expectation64(bounded(lr, sr));
          };
          expected.push((shift(h) - shift(-h)) / (2 * h));
        }
    const params = igrParams();
    const got = exactGradient(igrProblem, params);
    got.forEach((g, i) => assert.ok(Math.abs(g - expected[i]) < 2e-4, `coordinate ${i}: ${g} vs ${expected[i]}`));
    tf.dispose(params);
  });
});
