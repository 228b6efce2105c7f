import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { InvertibleGaussian } from "../../lib/distributions/invertibleGaussian";
import { IGRPlanar } from "../../lib/distributions/igrPlanar";
import { IGRStickBreaking } from "../../lib/distributions/igrStickBreaking";
import { GumbelSoftmax } from "../../lib/distributions/gumbelSoftmax";
import { kl } from "../../lib/distributions/kl";

before(async () => {
  await initBackend();
});

describe("IGR family: memory and the τ → 0 law", () => {
  test("building, sampling, scoring and KL inside tf.tidy leave tf.memory().numTensors unchanged", () => {
    const loc = tf.tensor([[0.1, -0.2, 0.3], [0, 0, 0]]);
    const scale = tf.ones([2, 3]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const flows = [{ w: tf.ones([3]), u: tf.tensor([0.1, 0.2, 0.3]), b: tf.scalar(0) }];
      for (const d of [
        new InvertibleGaussian({ loc, scale, temperature: 0.5 }),
        new IGRPlanar({ loc, scale, temperature: 0.5, flows }),
        new IGRStickBreaking({ loc, scale, temperature: 0.5 }),
      ]) {
        const x = d.sample(10, { seed: 1, straightThrough: true });
        d.logProb(d.sample(10));
        d.sampleAndLogProb(5);
        d.zeroTemperatureSample(5);
        kl(d, d);
        kl(d, new InvertibleGaussian({ loc, scale, temperature: 0.7 }), { numSamples: 10 });
        x.dispose();
      }
      const gs = new GumbelSoftmax({ probs: tf.tensor([0.2, 0.8]), temperature: 0.5 });
      gs.logProb(gs.sample(4));
    });
    assert.equal(tf.memory().numTensors, before);
    // outside tidy, sample() adds exactly the tensor it returns
    const d = new InvertibleGaussian({ loc, scale, temperature: 0.5 });
    const start = tf.memory().numTensors;
    const x = d.sample(3);
    assert.equal(tf.memory().numTensors, start + 1);
    const lp = d.logProb(x);
    assert.equal(tf.memory().numTensors, start + 2);
    tf.dispose([x, lp, loc, scale]);
  });

  test("IGR-I: Monte Carlo τ → 0 frequencies match discreteProbs (Proposition 2) within 4 binomial sigmas", () => {
    const d = new InvertibleGaussian({ loc: tf.tensor([0.5, -0.2, 0.1]), scale: tf.tensor([0.7, 1.2, 1]), temperature: 1 });
    const n = 20000;
    const freq = d.estimateDiscreteProbs({ numSamples: n, seed: 3 }).dataSync();
    const exact = d.discreteProbs().dataSync();
    exact.forEach((p, k) => assert.ok(Math.abs(freq[k] - p) < 4 * Math.sqrt((p * (1 - p)) / n), `k=${k}: ${freq[k]} vs ${p}`));
  });
});
