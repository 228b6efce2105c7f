import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { kl } from "../../lib/distributions/kl";
import { Normal } from "../../lib/distributions/normal";
import { Categorical } from "../../lib/distributions/categorical";
import { InvertibleGaussian } from "../../lib/distributions/invertibleGaussian";
import { IGRStickBreaking } from "../../lib/distributions/igrStickBreaking";
import { IGRPlanar } from "../../lib/distributions/igrPlanar";
import { GumbelSoftmax } from "../../lib/distributions/gumbelSoftmax";
import { gridSimpson } from "../helpers/statistics";

/** Gaussian KL written from the textbook formula in Float64. */
const gaussianKl = (mq: number, sq: number, mp: number, sp: number) => Math.log(sp / sq) + (sq * sq + (mq - mp) ** 2) / (2 * sp * sp) - 0.5;

before(async () => {
  await initBackend();
});

describe("kl", () => {
  test("Normal ‖ Normal: closed form equals the Float64 formula", () => {
    const r = kl(new Normal({ loc: tf.tensor([0, 1]), scale: tf.tensor([1, 0.5]) }), new Normal({ loc: tf.tensor([0.5, -1]), scale: tf.tensor([2, 1.5]) }));
    assert.equal(r.method, "closed-form");
    const v = r.value.dataSync();
    [gaussianKl(0, 1, 0.5, 2), gaussianKl(1, 0.5, -1, 1.5)].forEach((e, i) => assert.ok(Math.abs(v[i] - e) < 1e-6)); // float32 of values ~1
  });

  test("IGR ‖ IGR with the same τ, δ: closed-form Gaussian KL, agreeing with Monte Carlo on the simplex within 4 standard errors", () => {
    const locQ = [0.3, -0.5, 0.1];
    const scaleQ = [0.8, 1.2, 0.5];
    const locP = [-0.75, -0.75, -0.75];
    const scaleP = [1, 1, 1];
    for (const Dist of [InvertibleGaussian, IGRStickBreaking]) {
      const q = new Dist({ loc: tf.tensor(locQ), scale: tf.tensor(scaleQ), temperature: 0.5 });
      const p = new Dist({ loc: tf.tensor(locP), scale: tf.tensor(scaleP), temperature: 0.5 });
      const closed = kl(q, p);
      assert.equal(closed.method, "closed-form");
      const expected = locQ.reduce((s, m, k) => s + gaussianKl(m, scaleQ[k], locP[k], scaleP[k]), 0);
      assert.ok(Math.abs(closed.value.dataSync()[0] - expected) < 2e-6, `${closed.value.dataSync()[0]} vs ${expected}`); // sum of 3 float32 terms
      // Monte Carlo through the simplex densities (softmax++ and stick Jacobians must cancel numerically)
      const n = 20000;
      const x = q.sample(n, { seed: 31 });
      const diff = Array.from(tf.sub(q.logProb(x), p.logProb(x)).dataSync());
      const mean = diff.reduce((a, b) => a + b, 0) / n;
      const se = Math.sqrt(diff.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) / n);
      assert.ok(Math.abs(mean - expected) < 4 * se, `${Dist.name}: MC ${mean} ± ${se} vs ${expected}`);
      // the library's own Monte Carlo path is labelled and agrees too
      const mc = kl(q, p, { method: "monte-carlo", numSamples: n, seed: 32 });
      assert.equal(mc.method, "monte-carlo");
      assert.equal(mc.numSamples, n);
      assert.ok(Math.abs(mc.value.dataSync()[0] - expected) < 4 * mc.standardError!.dataSync()[0]);
    }
  });

  test("IGR with a different temperature or different flows: Monte Carlo, labelled", () => {
    const loc = tf.zeros([2]);
    const scale = tf.ones([2]);
    const q = new InvertibleGaussian({ loc, scale, temperature: 0.5 });
    assert.equal(kl(q, new InvertibleGaussian({ loc, scale, temperature: 0.6 }), { numSamples: 200 }).method, "monte-carlo");
    const flow = (b: number) => [{ w: tf.tensor([1, 0]), u: tf.tensor([0.5, 0.5]), b: tf.scalar(b) }];
    const a = new IGRPlanar({ loc, scale, temperature: 0.5, flows: flow(0) });
    assert.equal(kl(a, new IGRPlanar({ loc, scale, temperature: 0.5, flows: flow(0) })).method, "closed-form");
    const other = kl(a, new IGRPlanar({ loc, scale, temperature: 0.5, flows: flow(1) }), { numSamples: 500, seed: 1 });
    assert.equal(other.method, "monte-carlo");
    assert.ok(other.value.dataSync()[0] > 0 && Number.isFinite(other.standardError!.dataSync()[0]));
  });

  test("Categorical ‖ Categorical: closed form with 0·log 0 = 0", () => {
    const r = kl(new Categorical({ probs: tf.tensor([0.2, 0, 0.8]) }), new Categorical({ probs: tf.tensor([0.3, 0.3, 0.4]) }));
    assert.equal(r.method, "closed-form");
    const expected = 0.2 * Math.log(0.2 / 0.3) + 0.8 * Math.log(0.8 / 0.4);
    assert.ok(Math.abs(r.value.dataSync()[0] - expected) < 1e-6);
  });

  test("GumbelSoftmax ‖ GumbelSoftmax (K = 2): Monte Carlo within 4 standard errors of a Float64 quadrature of the Concrete densities", () => {
    const [lq, tq, lp, tp] = [0.8, 0.6, 0, 0.5]; // posterior logit difference and τ; uniform prior at τp = 0.5 (docs/paper.md §3)
    const q = new GumbelSoftmax({ logits: tf.tensor([lq, 0]), temperature: tq });
    const p = new GumbelSoftmax({ logits: tf.tensor([lp, 0]), temperature: tp });
    const r = kl(q, p, { numSamples: 20000, seed: 7 });
    assert.equal(r.method, "monte-carlo");
    // binary Concrete density of x₁ on the logit scale u = logit x₁: τ α e^{−τu}/(1 + α e^{−τu})² (α = e^ℓ)
    const logDensityU = (u: number, l: number, t: number) => Math.log(t) + l - t * u - 2 * Math.log1p(Math.exp(l - t * u));
    const expected = gridSimpson(-80, 80, 16000, (us) => us.map((u) => Math.exp(logDensityU(u, lq, tq)) * (logDensityU(u, lq, tq) - logDensityU(u, lp, tp))));
    const se = r.standardError!.dataSync()[0];
    assert.ok(Math.abs(r.value.dataSync()[0] - expected) < 4 * se, `${r.value.dataSync()[0]} ± ${se} vs ${expected}`);
  });

  test("different event shapes throw", () => {
    assert.throws(
      () => kl(new GumbelSoftmax({ logits: tf.zeros([3]), temperature: 1 }), new GumbelSoftmax({ logits: tf.zeros([4]), temperature: 1 })),
      /same event shape; got \[3\] and \[4\]/,
    );
  });
});
