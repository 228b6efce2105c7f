import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { ExpConcrete } from "../../lib/distributions/expConcrete";
import { adaptiveSimpson, gridSimpson, ksCritical, ksStatistic } from "../helpers/statistics";

/** Maddison et al.'s ExpConcrete log-density in Float64, written from the paper: α = e^ℓ. */
function maddisonLogDensity(y: number[], logits: number[], tau: number): number {
  const k = y.length;
  let logGamma = 0;
  for (let i = 2; i < k; i++) logGamma += Math.log(i);
  const a = logits.map((l, i) => Math.exp(l - tau * y[i]));
  const total = a.reduce((s, v) => s + v, 0);
  return logGamma + (k - 1) * Math.log(tau) + a.reduce((s, v) => s + Math.log(v / total), 0);
}

before(async () => {
  await initBackend();
});

describe("ExpConcrete", () => {
  test("logProb agrees with Maddison et al.'s closed form (Float64), from logits and from probs", () => {
    const logits = [0.5, -1, 2, 0.1];
    const probs = logits.map(Math.exp);
    const z = probs.reduce((a, b) => a + b, 0);
    for (const tau of [0.1, 0.6, 2]) {
      const fromLogits = new ExpConcrete({ logits: tf.tensor(logits), temperature: tau });
      const fromProbs = new ExpConcrete({ probs: tf.tensor(probs.map((p) => p / z)), temperature: tau });
      const y = fromLogits.sample(20, { seed: 1 });
      const a = fromLogits.logProb(y).dataSync();
      const b = fromProbs.logProb(y).dataSync();
      const ys = y.dataSync();
      for (let i = 0; i < 20; i++) {
        const expected = maddisonLogDensity(Array.from(ys.slice(4 * i, 4 * i + 4)), logits, tau);
        // log-densities of size ~10 with log-sum-exps of τ·y ~ 10: 1e-5 relative
        assert.ok(Math.abs(a[i] - expected) < 1e-5 * Math.max(1, Math.abs(expected)), `${a[i]} vs ${expected}`);
        assert.ok(Math.abs(b[i] - expected) < 1e-5 * Math.max(1, Math.abs(expected)), `probs: ${b[i]} vs ${expected}`);
      }
    }
  });

  test("K = 2: the density integrates to 1 against Π x_k⁻¹ dx (= e^{−y₂} dy₁), and to E[x₂] against dy₁", () => {
    const logits = [0.7, -0.4];
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    for (const tau of [0.3, 1, 2.5]) {
      const d = new ExpConcrete({ logits: tf.tensor(logits), temperature: tau });
      // y₁ = log x₁ < 0; substitute y₁ = −e^{s}, s ∈ [−80, 6]: x₂ ≈ e^{s} ≥ 1e-35 keeps float32 finite and
      // the mass left out is ~(1e-35)^τ
      const integrate = (weight: (y1: number, y2: number) => number) =>
        gridSimpson(-80, 6, 8600, (ss) => {
          const y1 = ss.map((v) => -Math.exp(v));
          const y2 = y1.map((v) => Math.log(-Math.expm1(v)));
          const logp = tf.tidy(() => d.logProb(tf.tensor(y1.map((v, i) => [v, y2[i]]))).dataSync());
          return ss.map((v, i) => Math.exp(logp[i]) * weight(y1[i], y2[i]) * Math.exp(v));
        });
      const total = integrate((_, y2) => Math.exp(-y2));
      // float32 log-densities (abs. error ~1e-6) integrated: 2e-5
      assert.ok(Math.abs(total - 1) < 2e-5, `tau=${tau}: ∫ = ${total}`);
      // Maddison's formula is not a density against dy₁: its integral is E[x₂], computed here from the
      // Gumbel-max construction X₁ = sigmoid((ℓ₁ − ℓ₂ + L)/τ), L standard logistic, in Float64
      const lebesgue = integrate(() => 1);
      const meanX2 = adaptiveSimpson((l) => (1 - sigmoid((logits[0] - logits[1] + l) / tau)) * sigmoid(l) * sigmoid(-l), -40, 40, 1e-10);
      assert.ok(Math.abs(lebesgue - meanX2) < 2e-5, `tau=${tau}: ${lebesgue} vs E[x2] = ${meanX2}`); // as above
      assert.ok(Math.abs(lebesgue - 1) > 0.1);
    }
  });

  test("K = 2 sampler vs the exact CDF: P(Y₁ ≤ y) = sigmoid(τ·logit(e^y) − (ℓ₁ − ℓ₂)) (KS, α = 0.001)", () => {
    const [l1, l2, tau] = [0.7, -0.4, 0.5];
    const d = new ExpConcrete({ logits: tf.tensor([l1, l2]), temperature: tau });
    const n = 5000;
    const y = d.sample(n, { seed: 12 }).dataSync();
    const first = Array.from({ length: n }, (_, i) => y[2 * i]);
    const cdf = (v: number) => 1 / (1 + Math.exp(-(tau * (v - Math.log1p(-Math.exp(v))) - (l1 - l2))));
    const ks = ksStatistic(first, cdf);
    assert.ok(ks < ksCritical(n), `KS ${ks}`);
  });

  test("log-space samples stay finite at τ = 0.05 with K = 50 (the simplex point underflows)", () => {
    const d = new ExpConcrete({ logits: tf.zeros([50]), temperature: 0.05 });
    const y = d.sample(200, { seed: 3 });
    assert.ok(y.dataSync().every(Number.isFinite));
    assert.ok(tf.exp(y).dataSync().some((v) => v === 0)); // the reason to work in log space
    assert.ok(d.logProb(y).dataSync().every(Number.isFinite));
  });

  test("parameters: logits and probs together or neither throw; τ ≤ 0 and NaN throw with the value", () => {
    assert.throws(() => new ExpConcrete({ logits: tf.zeros([3]), probs: tf.ones([3]), temperature: 1 } as never), /either logits or probs, not both/);
    assert.throws(() => new ExpConcrete({ temperature: 1 } as never), /pass logits or probs \(got neither\)/);
    assert.throws(() => new ExpConcrete({ logits: tf.zeros([3]), temperature: -0.5 }), /temperature must be a finite number > 0; got -0.5/);
    assert.throws(() => new ExpConcrete({ logits: tf.tensor([0, NaN]), temperature: 1 }), /logits\[1\] must be finite; got NaN/);
    assert.throws(() => new ExpConcrete({ probs: tf.tensor([0.5, -0.1, 0.6]), temperature: 1 }), /probs\[1\] must be a finite number >= 0; got -0.1/);
    assert.throws(() => new ExpConcrete({ logits: tf.zeros([2, 3]), temperature: tf.ones([4]) }), /shape mismatch.*temperature \[4\]/);
  });
});
