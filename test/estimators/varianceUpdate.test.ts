import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { ControlVariate } from "../../lib/estimators/controlVariate";
import { Relax } from "../../lib/estimators/relax";
import { relaxStep } from "../../lib/estimators/varianceUpdate";
import { logitsParams, logitsProblem } from "../helpers/estimatorToy";

before(async () => {
  await initBackend();
});

describe("the variance-minimising update of RELAX's control variate", () => {
  test("∇_η of mean‖ĝ‖² (nested autodiff) equals a central finite difference in η with the same noise", () => {
    const params = logitsParams();
    const cv = new ControlVariate({ numVariables: 3, numCategories: 3, seed: 3, networkScale: 1 });
    const est = new Relax({ controlVariate: cv });
    const value = (eta: number) => {
      cv.eta.assign(tf.scalar(eta));
      const r = relaxStep(est, logitsProblem, params, { draws: 64, seed: 5 });
      tf.dispose(r.gradient);
      return r.meanSquaredNorm;
    };
    const h = 1e-2;
    const fd = (value(0.7 + h) - value(0.7 - h)) / (2 * h); // mean‖ĝ‖² is quadratic in η: exact up to rounding
    cv.eta.assign(tf.scalar(0.7));
    const sgd = tf.train.sgd(1);
    const before = cv.eta.dataSync()[0];
    const r = relaxStep(est, logitsProblem, params, { draws: 64, seed: 5, optimizer: sgd });
    const stepTaken = before - cv.eta.dataSync()[0]; // = lr · ∂/∂η
    // float32 sums over 64 draws × 9 coordinates: 1e−3 relative.
    assert.ok(Math.abs(stepTaken - fd) < 1e-3 * Math.abs(fd) + 1e-4, `${stepTaken} vs ${fd}`);
    tf.dispose([...params, ...r.gradient]);
    cv.dispose();
  });

  test("training the control variate lowers the estimator's variance (REBAR-style η, τ and network)", () => {
    const params = logitsParams();
    const cv = new ControlVariate({ numVariables: 3, numCategories: 3, seed: 4, eta: 0, networkScale: 0.01 });
    const est = new Relax({ controlVariate: cv });
    const optimizer = tf.train.adam(0.05);
    const first = relaxStep(est, logitsProblem, params, { draws: 500, seed: 100 });
    for (let i = 0; i < 60; i++) tf.dispose(relaxStep(est, logitsProblem, params, { draws: 32, seed: 200 + i, optimizer }).gradient);
    const last = relaxStep(est, logitsProblem, params, { draws: 500, seed: 100 });
    // With η = 0 RELAX starts as plain REINFORCE (E‖ĝ‖² ≈ 2.9); the learned control variate should
    // at least halve it (measured ≈ 0.5).
    assert.ok(last.meanSquaredNorm < 0.5 * first.meanSquaredNorm, `${first.meanSquaredNorm} -> ${last.meanSquaredNorm}`);
    tf.dispose([...params, ...first.gradient, ...last.gradient]);
    cv.dispose();
  });
});
