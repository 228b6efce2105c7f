import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { ControlVariate } from "../../lib/estimators/controlVariate";
import { exactGradient } from "../../lib/estimators/enumerate";
import { measureEstimator } from "../../lib/estimators/harness";
import { Relax, rebar } from "../../lib/estimators/relax";
import { SeedStream, uniformOpen } from "../../lib/core/random";
import { stopGradient } from "../../lib/core/special";
import { gaussianArgmaxConditional, gumbelConditional } from "../../lib/estimators/conditional";
import { tileParams } from "../../lib/estimators/estimator";
import { IGRFamily } from "../../lib/estimators/family";
import { EstimationProblem, klTerm } from "../../lib/estimators/problem";
import { hardThreshold, relax, sampleLatentNoise } from "../../lib/estimators/relaxation";
import { random64 } from "../../lib/estimators/rng";
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

/**
 * RELAX written out as in Grathwohl et al. (2018): c evaluated three times, at y, at ỹ and at a copy
 * of ỹ cut from θ for the score coefficient. It draws the same noise in the same order as
 * Relax.surrogate, so with one seed the two must give the same ĝ per draw.
 */
function textbookSurrogate(est: Relax, problem: EstimationProblem, params: tf.Tensor[], seed: SeedStream): tf.Tensor {
  const { family, objective } = problem;
  const cv = est.controlVariate;
  const tau = cv.temperature();
  const c = (z: tf.Tensor) => cv.evaluate(relax(family.kind, z, tau), objective);
  const logP = family.logProbs(params);
  const z = sampleLatentNoise(family, params, seed);
  const b = hardThreshold(family.kind, z);
  const logPb = tf.sum(tf.mul(logP, b), [-2, -1]);
  const fb = objective.evaluate(b);
  let zTilde: tf.Tensor;
  if (family.kind === "logits") {
    zTilde = gumbelConditional(logP, b, uniformOpen(logP.shape, seed.next()));
  } else {
    const { loc, scale } = (family as IGRFamily).locScale(params);
    zTilde = gaussianArgmaxConditional(loc, scale, logP, z, b, random64(seed)).sample;
  }
  const scoreTerm = tf.mul(tf.sub(fb, c(stopGradient(zTilde))), logPb);
  return tf.add(tf.add(scoreTerm, tf.sub(c(z), c(zTilde))), klTerm(problem, logP));
}

/** Per-draw ĝ (flattened) and ∇_φ mean_d ‖ĝ_d‖² for every control-variate variable, from one seed. */
function gradientAndVarianceGradient(est: Relax, surrogate: typeof textbookSurrogate, problem: EstimationProblem, params: tf.Tensor[], draws: number) {
  const tiled = tileParams(params, draws);
  const stream = new SeedStream(31);
  let g: number[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const perDraw = tf.grads((...ps: tf.Tensor[]) => tf.sum(surrogate(est, problem, ps, stream)))(tiled);
    g = perDraw.flatMap((t) => Array.from(t.dataSync()));
    return tf.mean(tf.addN(perDraw.map((t) => tf.sum(tf.reshape(tf.square(t), [draws, -1]), 1)))) as tf.Scalar;
  }, est.controlVariate.variables);
  const phi = est.controlVariate.variables.map((v, i) => {
    assert.ok(grads[v.name], `no variance gradient for control-variate variable ${i}`);
    return Array.from(grads[v.name].dataSync());
  });
  tf.dispose([value, ...Object.values(grads), ...tiled]);
  return { g, phi };
}

describe("RELAX evaluates c(ỹ) once for both of its uses", () => {
  test("ĝ and the variance-minimising gradient (η, τ, network) equal the three-evaluation textbook form, draw by draw", () => {
    const cases: Array<[string, EstimationProblem, () => tf.Tensor[]]> = [
      ["GS", { ...logitsProblem, klWeight: 1 }, logitsParams],
      ["IGR", { ...igrProblem, klWeight: 1 }, igrParams],
    ];
    for (const [label, problem, makeParams] of cases) {
      const params = makeParams();
      const est = new Relax({ controlVariate: network(6) });
      const tensorsBefore = tf.memory().numTensors;
      const ours = gradientAndVarianceGradient(est, (e, p, ps, s) => e.surrogate(p, ps, s), problem, params, 64);
      const textbook = gradientAndVarianceGradient(est, textbookSurrogate, problem, params, 64);
      assert.equal(tf.memory().numTensors, tensorsBefore, `${label}: tensors leaked`);
      // Same draws and the same arithmetic up to the order of float32 sums: 1e−5 relative to the
      // largest entry; a lost φ-dependence of the score coefficient or a doubled −c(ỹ)∇log p(b)
      // changes entries by O(1).
      const close = (a: number[], b: number[], what: string) => {
        const scale = Math.max(...b.map(Math.abs));
        assert.ok(scale > 0, `${label}: ${what} is identically zero`);
        a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= 1e-5 * scale, `${label} ${what}[${i}]: ${x} vs ${b[i]}`));
      };
      close(ours.g, textbook.g, "ĝ");
      est.controlVariate.variables.forEach((v, i) => close(ours.phi[i], textbook.phi[i], `∇φ of variable ${i}`));
      est.controlVariate.dispose();
      tf.dispose(params);
    }
  });
});
