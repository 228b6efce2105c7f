import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { GumbelSoftmax } from "../../lib/distributions/gumbelSoftmax";
import { chiSquareCritical, gridSimpson, chiSquareStatistic, ksCritical, ksStatistic } from "../helpers/statistics";

/** Maddison et al.'s Concrete log-density on the simplex in Float64. */
function concreteLogDensity(x: number[], logits: number[], tau: number): number {
  const k = x.length;
  let logGamma = 0;
  for (let i = 2; i < k; i++) logGamma += Math.log(i);
  const terms = logits.map((l, i) => Math.exp(l) * Math.pow(x[i], -tau));
  const total = terms.reduce((s, v) => s + v, 0);
  return logGamma + (k - 1) * Math.log(tau) + logits.reduce((s, l, i) => s + l - (tau + 1) * Math.log(x[i]), 0) - k * Math.log(total);
}

before(async () => {
  await initBackend();
});

describe("GumbelSoftmax", () => {
  test("logProb agrees with the Concrete closed form (Float64)", () => {
    const logits = [0.2, 1.1, -0.7];
    for (const tau of [0.3, 1, 3]) {
      const d = new GumbelSoftmax({ logits: tf.tensor(logits), temperature: tau });
      const x = d.sample(20, { seed: 2 });
      const got = d.logProb(x).dataSync();
      const xs = x.dataSync();
      for (let i = 0; i < 20; i++) {
        const expected = concreteLogDensity(Array.from(xs.slice(3 * i, 3 * i + 3)), logits, tau);
        // float32 log x_k of points near a vertex carry ~1e-7 relative, times (τ+1): 2e-5 relative
        assert.ok(Math.abs(got[i] - expected) < 2e-5 * Math.max(1, Math.abs(expected)), `${got[i]} vs ${expected}`);
      }
    }
  });

  test("K = 2: the density integrates to 1 over x₁ ∈ (0, 1) (Float64 quadrature of float32 values)", () => {
    for (const tau of [0.4, 1, 2]) {
      const d = new GumbelSoftmax({ logits: tf.tensor([0.3, -0.9]), temperature: tau });
      // in u = logit x₁ the integrand x(1 − x)p(x) is smooth and decays like e^{−τ|u|}; |u| ≤ 60/τ
      // leaves out e^{−60} and keeps x₁ away from float32's 0 and 1 except in the negligible tails
      const total = gridSimpson(-60 / tau, 60 / tau, 12000, (us) => {
        const x = us.map((u) => 1 / (1 + Math.exp(-u)));
        const logp = tf.tidy(() => d.logProb(tf.tensor(x.map((v, i) => [v, 1 / (1 + Math.exp(us[i]))]))).dataSync());
        return x.map((v, i) => (Number.isFinite(logp[i]) ? Math.exp(logp[i]) * v * (1 - v) : 0));
      });
      assert.ok(Math.abs(total - 1) < 2e-5, `tau=${tau}: ${total}`); // float32 densities integrated
    }
  });

  test("K = 2 sampler vs the exact CDF sigmoid(τ·logit x − (ℓ₁ − ℓ₂)) (KS, α = 0.001)", () => {
    const [l1, l2, tau] = [0.3, -0.9, 0.7];
    const d = new GumbelSoftmax({ logits: tf.tensor([l1, l2]), temperature: tau });
    const n = 5000;
    const x = d.sample(n, { seed: 5 }).dataSync();
    const first = Array.from({ length: n }, (_, i) => x[2 * i]);
    const ks = ksStatistic(first, (v) => 1 / (1 + Math.exp(-(tau * (Math.log(v) - Math.log1p(-v)) - (l1 - l2)))));
    assert.ok(ks < ksCritical(n), `KS ${ks}`);
  });

  test("argmax of samples is Categorical(softmax(logits)) at any τ (chi-square, α = 0.001)", () => {
    const logits = [0.5, -0.2, 1.0, -1.5];
    const p = logits.map(Math.exp);
    const z = p.reduce((a, b) => a + b, 0);
    const n = 10000;
    for (const tau of [0.1, 2]) {
      const x = new GumbelSoftmax({ logits: tf.tensor(logits), temperature: tau }).sample(n, { seed: 21 });
      const winners = tf.argMax(x, -1).dataSync();
      const counts = new Array(4).fill(0);
      for (const w of winners) counts[w]++;
      const stat = chiSquareStatistic(counts, p.map((v) => (n * v) / z));
      assert.ok(stat < chiSquareCritical(3), `tau=${tau}: ${stat}`);
    }
  });

  test("shapes over batch shapes; straight-through is one-hot with the soft gradient; gradients finite", () => {
    for (const batch of [[], [3], [2, 3]]) {
      const d = new GumbelSoftmax({ logits: tf.zeros([...batch, 4]), temperature: 0.5 });
      const x = d.sample(6);
      assert.deepEqual(x.shape, [6, ...batch, 4]);
      assert.deepEqual(d.logProb(x).shape, [6, ...batch]);
    }
    const logits = tf.tensor([[0.1, 0.2, -0.3], [1, 0, 0]]);
    const w = tf.tensor([1, -1, 2]);
    const f = (straight: boolean) => (l: tf.Tensor) =>
      tf.sum(tf.mul(new GumbelSoftmax({ logits: l, temperature: 0.4, validateArgs: false }).sample(30, { seed: 4, straightThrough: straight }), w));
    const soft = tf.grad(f(false))(logits).dataSync();
    const hard = tf.grad(f(true))(logits).dataSync();
    assert.deepEqual(Array.from(hard), Array.from(soft));
    assert.ok(soft.every(Number.isFinite) && soft.some((v) => v !== 0));
    const st = new GumbelSoftmax({ logits, temperature: 0.4 }).sample(30, { seed: 4, straightThrough: true }).dataSync();
    for (let i = 0; i < st.length; i += 3) assert.deepEqual(Array.from(st.slice(i, i + 3)).sort(), [0, 0, 1]);
  });
});
