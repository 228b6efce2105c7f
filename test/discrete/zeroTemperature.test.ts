import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { zeroTemperatureLimit } from "../../lib/discrete/zeroTemperature";
import { mulberry32 } from "../helpers/prop2Reference";

before(async () => {
  await initBackend();
});

/** softmax++(y/τ) in Float64, written out: z_k = e^{y_k/τ}/(Σ_j e^{y_j/τ} + δ), z_K = δ/(…), max-shifted. */
function softmaxPlusPlus64(y: number[], temperature: number, delta: number): number[] {
  const logits = [...y.map((v) => v / temperature), Math.log(delta)];
  const top = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - top));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe("zeroTemperatureLimit (appendix eq. 5)", () => {
  test("equals softmax++(y/τ) at τ = 1e-4 (Float64) in both regimes, for δ ∈ {0.1, 1, 10}", () => {
    const rand = mulberry32(11);
    const ys: number[][] = [];
    for (let i = 0; i < 200; i++) {
      const m = 1 + (i % 6);
      // Half the rows all-negative (regime max y < 0), half with a positive maximum.
      const shift = i % 2 === 0 ? -2.5 : 0;
      ys.push(Array.from({ length: m }, () => 2 * rand() - 1 + shift));
    }
    let negatives = 0;
    for (const y of ys) {
      const got = Array.from(tf.tidy(() => zeroTemperatureLimit(tf.tensor1d(y)).dataSync()));
      if (Math.max(...y) < 0) negatives++;
      for (const delta of [0.1, 1, 10]) {
        const limit = softmaxPlusPlus64(y, 1e-4, delta);
        // 1e-6: at τ = 1e-4 every non-winning coordinate is below e^{−(gap)/τ}, and the random gaps
        // here exceed 2e-3, so the relaxed point is within e^{−20}·K of the vertex.
        const gapOk = y.every((v, i) => y.every((w, j) => i === j || Math.abs(v - w) > 2e-3)) && y.every((v) => Math.abs(v) > 2e-3);
        if (!gapOk) continue;
        got.forEach((g, k) => assert.ok(Math.abs(g - limit[k]) < 1e-6, `y=${y}, δ=${delta}: ${got} vs ${limit}`));
      }
    }
    assert.ok(negatives > 50 && negatives < 150, "both regimes exercised");
  });

  test("with δ = 1 it is the argmax of softmax++(y/τ) at every τ (docs/paper.md §1.5)", () => {
    const rand = mulberry32(5);
    for (let i = 0; i < 100; i++) {
      const y = Array.from({ length: 4 }, () => 3 * rand() - 2);
      const h = Array.from(tf.tidy(() => zeroTemperatureLimit(tf.tensor1d(y)).dataSync()));
      for (const tau of [0.1, 1, 5, 50]) {
        const z = softmaxPlusPlus64(y, tau, 1);
        assert.equal(h.indexOf(1), z.indexOf(Math.max(...z)), `y=${y}, τ=${tau}`);
      }
    }
  });

  test("shapes, one-hot output, documented ties", () => {
    const out = zeroTemperatureLimit(tf.tensor3d([[[0.5, 2, -1], [-0.1, -3, -0.2]], [[1, 1, 0.2], [0, 0, 0]]]));
    assert.deepEqual(out.shape, [2, 2, 4]);
    assert.deepEqual(out.arraySync(), [
      [[0, 1, 0, 0], [0, 0, 0, 1]],
      [[1, 0, 0, 0], [0, 0, 0, 1]], // tie among maxima: lowest index; max y = 0: category K
    ]);
    out.dispose();
    assert.throws(() => zeroTemperatureLimit(tf.scalar(1)), /y must have a last axis of K−1 ≥ 1 categories, got shape \[\]/);
  });
});
