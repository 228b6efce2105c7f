import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { measureEstimator } from "../../lib/estimators/harness";
import { Reparameterization } from "../../lib/estimators/reparameterization";
import { assertBiased, igrParams, igrProblem, logitsParams, logitsProblem } from "../helpers/estimatorToy";

before(async () => {
  await initBackend();
});

describe("biased baselines: GS, IGR reparameterization and straight-through (3 × 3 toy)", () => {
  test("each is measurably biased for ∇E[f(b)] (f is not linear on the simplex, so E f(σ(z)) ≠ E f(b))", () => {
    const a = logitsParams();
    const b = igrParams();
    const cases: Array<[Reparameterization, typeof logitsProblem, tf.Tensor[]]> = [
      [new Reparameterization({ temperature: 0.5 }), logitsProblem, a],
      [new Reparameterization({ temperature: 0.5, straightThrough: true }), logitsProblem, a],
      [new Reparameterization({ temperature: 0.5 }), igrProblem, b],
      [new Reparameterization({ temperature: 0.5, straightThrough: true }), igrProblem, b],
    ];
    for (const [est, problem, params] of cases) {
      assert.equal(est.unbiased, false);
      assertBiased(measureEstimator(est, problem, params, { draws: 3000, seed: 41 }));
    }
    tf.dispose([...a, ...b]);
  });

  test("GS: the bias shrinks as τ → 0 while the variance grows (τ = 1, 0.5, 0.1)", () => {
    const params = logitsParams();
    const ms = [1, 0.5, 0.1].map((temperature) => measureEstimator(new Reparameterization({ temperature }), logitsProblem, params, { draws: 3000, seed: 42 }));
    assert.ok(ms[0].squaredBiasCorrected > ms[1].squaredBiasCorrected && ms[1].squaredBiasCorrected > ms[2].squaredBiasCorrected, ms.map((m) => m.squaredBiasCorrected).join());
    assert.ok(ms[2].totalVariance > ms[0].totalVariance, ms.map((m) => m.totalVariance).join());
    tf.dispose(params);
  });
});
