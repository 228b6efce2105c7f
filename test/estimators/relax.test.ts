import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { ControlVariate } from "../../lib/estimators/controlVariate";
import { exactGradient } from "../../lib/estimators/enumerate";
import { measureEstimator } from "../../lib/estimators/harness";
import { Relax, rebar } from "../../lib/estimators/relax";
import { assertBiased, assertUnbiased, igrParams, igrProblem, logitsParams, logitsProblem, Z_BOUND } from "../helpers/estimatorToy";

before(async () => {
  await initBackend();
});

const network = (seed: number) => new ControlVariate({ numVariables: 3, numCategories: 3, seed, networkScale: 1 });

describe("RELAX / REBAR against exact enumeration (3 × 3 toy)", () => {
  test("GS: RELAX (with network) and REBAR are unbiased", () => {
    const params = logitsParams();
    for (const est of [new Relax({ controlVariate: network(1) }), rebar({ numVariables: 3, numCategories: 3, temperature: 0.3, eta: 0.8 })]) {
      assertUnbiased(measureEstimator(est, logitsProblem, params, { draws: 4000, seed: 21 }));
      est.controlVariate.dispose();
    }
    tf.dispose(params);
  });

  test("IGR: RELAX with α(μ, σ) and the conditional z̃ | b is unbiased; REBAR too", () => {
    const params = igrParams();
    for (const est of [new Relax({ controlVariate: network(2) }), rebar({ numVariables: 3, numCategories: 3, temperature: 0.3 })]) {
      assertUnbiased(measureEstimator(est, igrProblem, params, { draws: 3000, seed: 22 }));
      assert.equal(est.lastFallbacks, 0);
      est.controlVariate.dispose();
    }
    tf.dispose(params);
  });

  test("IGR: the authors' independent-draw control variate is biased", () => {
    const params = igrParams();
    const est = new Relax({ controlVariate: network(3), authorsIndependentDraw: true });
    assert.equal(est.unbiased, false);
    assertBiased(measureEstimator(est, igrProblem, params, { draws: 3000, seed: 23 }));
    est.controlVariate.dispose();
    tf.dispose(params);
  });

  test("IGR: the authors' KL sign error is biased, and is unbiased for E[f] − KL instead", () => {
    const params = igrParams();
    const problem = { ...igrProblem, klWeight: 1 };
    const est = new Relax({ controlVariate: network(4), authorsSignError: true });
    const m = measureEstimator(est, problem, params, { draws: 3000, seed: 24 });
    assertBiased(m);
    // Its bias is exactly −2∇KL: the estimate is unbiased for the gradient of E[f] − KL.
    const withoutKl = exactGradient(igrProblem, params);
    const wrongTarget = exactGradient(problem, params).map((g, i) => 2 * withoutKl[i] - g);
    m.mean.forEach((x, i) => assert.ok(Math.abs(x - wrongTarget[i]) < Z_BOUND * m.standardError[i], `coordinate ${i}`));
    est.controlVariate.dispose();
    tf.dispose(params);
  });

  test("authorsIndependentDraw is refused for the logits family", () => {
    const params = logitsParams();
    const est = new Relax({ controlVariate: network(5), authorsIndependentDraw: true });
    assert.throws(() => measureEstimator(est, logitsProblem, params, { draws: 2 }), /IGRFamily/);
    est.controlVariate.dispose();
    tf.dispose(params);
  });
});
