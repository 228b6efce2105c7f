// The estimator-trained VAE against exact enumeration: on a VAE small enough to enumerate every
// latent outcome (V = 2, K = 3, 4 pixels, 3 examples), the exact gradient of the discrete objective
// mean_x [Σ_b q(b|x) (−log p(x|b)) + KL(q ‖ Uniform)] with respect to every weight (encoder and
// decoder) is autodiff of the enumerated sum. The mean of many `gradients()` calls must match it
// within Monte Carlo error, for RELAX-IGR, RELAX-GS and the unordered-set estimator.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { allOutcomes, oneHotOutcomes } from "../../lib/estimators/enumerate";
import { klToUniformFromLogProbs } from "../../lib/estimators/problem";
import { EstimatorName, EstimatorVAE, estimatorVaeConfig, reconstructionObjective } from "../../lib/models/estimatorVae";
import { CategoricalVAE } from "../../lib/models/vae";
import { Z_BOUND } from "../helpers/estimatorToy";

before(async () => {
  process.env.IGR_QUIET ??= "1";
  await initBackend();
});

const V = 2;
const K = 3;
const D = 4;
const X = [
  [1, 0, 1, 1],
  [0, 0, 1, 0],
  [1, 1, 0, 0],
];

function tiny(estimator: EstimatorName, samples = 1): EstimatorVAE {
  return new EstimatorVAE({ estimator, arch: "linear", numVariables: V, numCategories: K, inputSize: D, samples, initSeed: 3 });
}

/** The encoder output as the family's parameters (the same split as the model's). */
function familyParams(m: EstimatorVAE, x: tf.Tensor2D): tf.Tensor[] {
  const encoded = m.vae.encode(x);
  const B = x.shape[0];
  if (m.family.kind === "logits") return [tf.reshape(encoded, [B, V, K])];
  return tf.split(encoded, 2, 1).map((h) => tf.reshape(h, [B, V, K - 1]));
}

/** Exact gradient of the enumerated objective for every variable of the VAE (flattened, model order). */
function exactGradient(m: EstimatorVAE, x: tf.Tensor2D): number[] {
  const outcomes = allOutcomes(V, K);
  const vars = m.vae.variables;
  const { grads, value } = tf.variableGrads(() => {
    const logP = m.family.logProbs(familyParams(m, x)); // [B, V, K]
    const b = oneHotOutcomes(outcomes, K); // [n, V, K]
    const B = x.shape[0];
    const n = outcomes.length;
    const logJoint = tf.sum(tf.mul(tf.expandDims(logP, 1), tf.expandDims(b, 0)), [-2, -1]); // [B, n]
    const decoded = m.vae.decode(tf.reshape(b, [n, V * K]) as tf.Tensor2D);
    const f = tf.stack(X.map((row) => tf.neg(m.vae.logLikelihood(decoded, tf.tile(tf.tensor2d([row]), [n, 1]) as tf.Tensor2D)))); // [B, n]
    const perExample = tf.add(tf.sum(tf.mul(tf.exp(logJoint), f), 1), klToUniformFromLogProbs(logP));
    return tf.div(tf.sum(perExample), B) as tf.Scalar;
  }, vars);
  const out = vars.flatMap((v) => Array.from(grads[v.name].dataSync()));
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

function assertMatchesExact(estimator: EstimatorName, draws: number, samples = 1): void {
  const m = tiny(estimator, samples);
  const x = tf.tensor2d(X);
  const exact = exactGradient(m, x);
  const sum = new Float64Array(exact.length);
  const sumSq = new Float64Array(exact.length);
  const vaeCount = m.vae.variables.length;
  const tensorsBefore = tf.memory().numTensors;
  for (let d = 0; d < draws; d++) {
    const { grads } = m.gradients(x, 1000 + d);
    const flat = grads.slice(0, vaeCount).flatMap((g) => Array.from(g.dataSync()));
    flat.forEach((g, i) => {
      sum[i] += g;
      sumSq[i] += g * g;
    });
    tf.dispose(grads);
  }
  assert.equal(tf.memory().numTensors, tensorsBefore, "gradients() leaked tensors");
  let worst = 0;
  exact.forEach((e, i) => {
    const mean = sum[i] / draws;
    const se = Math.sqrt(Math.max(sumSq[i] / draws - mean * mean, 0) / draws);
    // Coordinates with (almost) no variance are deterministic parts (decoder biases of certain pixels).
    const z = Math.abs(mean - e) / Math.max(se, 1e-6 * (1 + Math.abs(e)));
    worst = Math.max(worst, z);
  });
  assert.ok(worst < Z_BOUND, `${estimator}: worst |mean − exact| / SE = ${worst.toFixed(2)} over ${exact.length} coordinates`);
  x.dispose();
  m.dispose();
}

describe("EstimatorVAE gradients against exact enumeration (V = 2, K = 3)", () => {
  test("RELAX with GS is unbiased for encoder and decoder weights", () => assertMatchesExact("relax-gs", 1500));
  test("RELAX with IGR (Proposition 2) is unbiased for encoder and decoder weights", () => assertMatchesExact("relax-igr", 800));
  // S = 2 evaluates Proposition 2 once per example and repeats it over the draws (RecordingFamily).
  test("RELAX with IGR at S = 2 is unbiased for encoder and decoder weights", () => assertMatchesExact("relax-igr", 400, 2));
  test("the unordered-set estimator (k = 3) is unbiased for encoder and decoder weights", () => assertMatchesExact("unordered-set", 1500, 3));
  test("a wrong encoder scaling would be caught: the exact gradient is far from zero", () => {
    const m = tiny("relax-gs");
    const x = tf.tensor2d(X);
    const exact = exactGradient(m, x);
    assert.ok(Math.max(...exact.map(Math.abs)) > 0.05, "the enumerated gradient is too small for the unbiasedness tests to mean anything");
    x.dispose();
    m.dispose();
  });
});

describe("reconstructionObjective", () => {
  test("rows map to their example for [B, V, K] and [B, k, V, K] inputs", () => {
    const vae = new CategoricalVAE({ model: "gs", arch: "linear", temperature: 0.5, numVariables: V, numCategories: K, inputSize: D, initSeed: 1 });
    const x = tf.tensor2d(X);
    const f = reconstructionObjective(vae, x);
    const outcomes = allOutcomes(V, K).slice(0, 6); // two outcomes per example
    const b = tf.reshape(oneHotOutcomes(outcomes, K), [3, 2, V, K]);
    const got = f.evaluate(b);
    assert.deepEqual(got.shape, [3, 2]);
    const values = got.dataSync();
    outcomes.forEach((o, r) => {
      const example = Math.floor(r / 2);
      const direct = tf.tidy(() => tf.neg(vae.logLikelihood(vae.decode(tf.reshape(oneHotOutcomes([o], K), [1, V * K]) as tf.Tensor2D), tf.tensor2d([X[example]]))).dataSync()[0]);
      assert.ok(Math.abs(values[r] - direct) < 1e-5, `row ${r}: ${values[r]} vs ${direct}`);
    });
    assert.throws(() => f.evaluate(tf.zeros([4, V, K])), /multiple of the batch 3/);
    tf.dispose([x, b, got]);
    vae.dispose();
  });
});

describe("estimatorVaeConfig", () => {
  test("bad settings are rejected with the valid values", () => {
    assert.throws(() => estimatorVaeConfig({ estimator: "relax" as EstimatorName, arch: "linear" }), /relax-igr, relax-gs, unordered-set/);
    assert.throws(() => estimatorVaeConfig({ estimator: "relax-gs", arch: "deep" as "linear" }), /linear, nonlinear/);
    assert.throws(() => estimatorVaeConfig({ estimator: "relax-gs", arch: "linear", samples: 0 }), /samples/);
    assert.throws(() => estimatorVaeConfig({ estimator: "relax-gs", arch: "linear", authorsSignError: true }), /relax-igr/);
  });
});
