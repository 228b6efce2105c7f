import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { Normal } from "../../lib/distributions/normal";
import { ksCritical, ksStatistic, normalCdf } from "../helpers/statistics";

before(async () => {
  await initBackend();
});

describe("Normal", () => {
  test("logProb matches Float64, gradients of logProb match the authors' formulas (docs/paper.md §9, test 2)", () => {
    const [mu, sigma] = [0.3, 1.7];
    const d = new Normal({ loc: tf.scalar(mu), scale: tf.scalar(sigma) });
    const xs = [-3, 0, 0.3, 2.5];
    const got = d.logProb(tf.tensor(xs)).dataSync();
    // 2e-6: float32 log σ and squares of numbers ≲ 2
    xs.forEach((x, i) => assert.ok(Math.abs(got[i] - (-0.5 * ((x - mu) / sigma) ** 2 - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI))) < 2e-6));
    const z = tf.tensor(xs);
    const [gMu, gSigma] = tf.grads((m: tf.Tensor, s: tf.Tensor) => tf.sum(new Normal({ loc: m, scale: s, validateArgs: false }).logProb(z)))([tf.scalar(mu), tf.scalar(sigma)]);
    const eMu = xs.reduce((a, x) => a + (x - mu) / sigma ** 2, 0);
    const eSigma = xs.reduce((a, x) => a - 1 / sigma + (x - mu) ** 2 / sigma ** 3, 0);
    assert.ok(Math.abs(gMu.dataSync()[0] - eMu) < 1e-5 * Math.abs(eMu) + 1e-6); // float32 sums of 4 terms
    assert.ok(Math.abs(gSigma.dataSync()[0] - eSigma) < 1e-5 * Math.abs(eSigma) + 1e-6);
  });

  test("samples pass a KS test (α = 0.001); shapes; bad scale throws", () => {
    const d = new Normal({ loc: tf.tensor([0, 5]), scale: tf.tensor([1, 0.1]) });
    const x = d.sample(4000, { seed: 8 });
    assert.deepEqual(x.shape, [4000, 2]);
    const values = x.dataSync();
    const second = Array.from({ length: 4000 }, (_, i) => values[2 * i + 1]);
    const ks = ksStatistic(second, (v) => normalCdf((v - 5) / 0.1));
    assert.ok(ks < ksCritical(4000), `${ks}`);
    assert.throws(() => new Normal({ loc: tf.scalar(0), scale: tf.scalar(0) }), /scale must be a finite number > 0; got 0/);
    assert.throws(() => new Normal({ loc: tf.zeros([2]), scale: tf.ones([3]) }), /shape mismatch: loc \[2\], scale \[3\]/);
  });
});
