import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { RelaxedBernoulli } from "../../lib/distributions/relaxedBernoulli";
import { gridSimpson, ksCritical, ksStatistic } from "../helpers/statistics";

/** Binary Concrete density (Maddison et al. 2017, eq. (22)) in Float64, α = e^ℓ. */
function binaryConcreteDensity(x: number, logit: number, tau: number): number {
  const a = Math.exp(logit);
  return (tau * a * Math.pow(x, -tau - 1) * Math.pow(1 - x, -tau - 1)) / Math.pow(a * Math.pow(x, -tau) + Math.pow(1 - x, -tau), 2);
}

before(async () => {
  await initBackend();
});

describe("RelaxedBernoulli", () => {
  test("logProb equals the Float64 binary Concrete density; its integral matches the exact CDF", () => {
    for (const [logit, tau] of [[0.8, 0.5], [-1.5, 1], [0, 2.5]]) {
      const d = new RelaxedBernoulli({ logits: tf.scalar(logit), temperature: tau });
      const xs = [0.01, 0.2, 0.5, 0.77, 0.99];
      const got = d.logProb(tf.tensor(xs)).dataSync();
      // 1e-5 relative: float32 logs of x and 1 − x and a softplus
      xs.forEach((x, i) => assert.ok(Math.abs(got[i] - Math.log(binaryConcreteDensity(x, logit, tau))) < 1e-5 * Math.max(1, Math.abs(got[i])), `${got[i]}`));
      // x ∈ [sigmoid(−15), sigmoid(15)]: beyond, float32 rounds 1 − x to 0 or to a few ulps; the
      // mass there is known exactly from the CDF sigmoid(τ·logit x − ℓ)
      const cdf = (u: number) => 1 / (1 + Math.exp(-(tau * u - logit)));
      const total = gridSimpson(-15, 15, 6000, (us) => {
        const x = us.map((u) => 1 / (1 + Math.exp(-u)));
        const logp = tf.tidy(() => d.logProb(tf.tensor(x)).dataSync());
        return x.map((v, i) => (Number.isFinite(logp[i]) ? Math.exp(logp[i]) * v * (1 - v) : 0));
      });
      assert.ok(Math.abs(total - (cdf(15) - cdf(-15))) < 2e-5, `∫ = ${total}`); // float32 densities integrated
    }
  });

  test("sampler vs the exact CDF sigmoid(τ·logit x − ℓ) (KS, α = 0.001); probs = sigmoid(logits) give the same law", () => {
    const [logit, tau] = [0.6, 0.4];
    const n = 5000;
    const cdf = (v: number) => 1 / (1 + Math.exp(-(tau * (Math.log(v) - Math.log1p(-v)) - logit)));
    for (const d of [
      new RelaxedBernoulli({ logits: tf.scalar(logit), temperature: tau }),
      new RelaxedBernoulli({ probs: tf.scalar(1 / (1 + Math.exp(-logit))), temperature: tau }),
    ]) {
      const ks = ksStatistic(Array.from(d.sample(n, { seed: 13 }).dataSync()), cdf);
      assert.ok(ks < ksCritical(n), `KS ${ks}`);
    }
  });

  test("shapes, gradients, and bad parameters", () => {
    const d = new RelaxedBernoulli({ logits: tf.zeros([2, 3]), temperature: tf.tensor([0.5, 1, 2]) });
    assert.deepEqual(d.sample(4).shape, [4, 2, 3]);
    const g = tf.grad((l: tf.Tensor) => tf.sum(new RelaxedBernoulli({ logits: l, temperature: 0.5, validateArgs: false }).sample(10, { seed: 1 })))(tf.zeros([3]));
    assert.ok(g.dataSync().every((v) => Number.isFinite(v) && v > 0));
    assert.throws(() => new RelaxedBernoulli({ logits: tf.scalar(0), probs: tf.scalar(0.5), temperature: 1 } as never), /not both/);
    assert.throws(() => new RelaxedBernoulli({ probs: tf.scalar(1.5), temperature: 1 }), /probs must be in \[0, 1\]; got 1.5/);
    assert.throws(() => new RelaxedBernoulli({ logits: tf.scalar(0), temperature: 0 }), /temperature.*got 0/);
  });
});
