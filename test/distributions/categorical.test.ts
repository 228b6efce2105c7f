import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { Categorical } from "../../lib/distributions/categorical";
import { chiSquareCritical, chiSquareStatistic } from "../helpers/statistics";

before(async () => {
  await initBackend();
});

describe("Categorical", () => {
  test("samples follow the probabilities (chi-square, α = 0.001); logProb and entropy match Float64", () => {
    const probs = [0.1, 0.4, 0.05, 0.45];
    const d = new Categorical({ probs: tf.tensor(probs) });
    const n = 10000;
    const counts = new Array(4).fill(0);
    for (const k of d.sample(n, { seed: 3 }).dataSync()) counts[k]++;
    const stat = chiSquareStatistic(counts, probs.map((p) => n * p));
    assert.ok(stat < chiSquareCritical(3), `${stat}`);
    const lp = d.logProb(tf.tensor([0, 1, 2, 3], undefined, "int32")).dataSync();
    probs.forEach((p, i) => assert.ok(Math.abs(lp[i] - Math.log(p)) < 1e-6)); // float32 log of p ≥ 0.05
    const entropy = -probs.reduce((s, p) => s + p * Math.log(p), 0);
    assert.ok(Math.abs(d.entropy().dataSync()[0] - entropy) < 1e-6);
  });

  test("logits and probs describe the same law; zero-probability categories are never drawn and cost −∞", () => {
    const a = new Categorical({ logits: tf.tensor([[0, Math.log(3)], [1, 1]]) });
    const b = new Categorical({ probs: tf.tensor([[0.25, 0.75], [0.5, 0.5]]) });
    const pa = a.probs().dataSync();
    const pb = b.probs().dataSync();
    pa.forEach((v, i) => assert.ok(Math.abs(v - pb[i]) < 1e-7)); // one float32 rounding
    const z = new Categorical({ probs: tf.tensor([0.5, 0, 0.5]) });
    assert.ok(z.sample(2000, { seed: 1 }).dataSync().every((k) => k !== 1));
    const lp = z.logProb(tf.tensor([0, 1], undefined, "int32")).dataSync();
    assert.ok(Math.abs(lp[0] - Math.log(0.5)) < 1e-7 && lp[1] === -Infinity);
    assert.deepEqual(a.sample(5).shape, [5, 2]);
  });

  test("bad parameters", () => {
    assert.throws(() => new Categorical({ logits: tf.zeros([3]), probs: tf.ones([3]) } as never), /either logits or probs, not both/);
    assert.throws(() => new Categorical({ logits: tf.scalar(1) }), /logits must have rank >= 1/);
    assert.throws(() => new Categorical({ probs: tf.tensor([0.5, NaN]) }), /probs\[1\].*got NaN/);
  });
});
