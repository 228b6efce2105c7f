import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { ndtr64 } from "../../lib/core/normal";
import { fitUniformPrior } from "../../lib/train/uniformPriorFit";

before(async () => {
  await initBackend();
});

describe("fitUniformPrior (the authors' set_prior, IGR-I)", () => {
  test("K = 3: the averaged fitted μ₀/σ₀ lands near the analytic −0.19512 and its law is near uniform", () => {
    const K = 3;
    const before = tf.memory().numTensors;
    const r = fitUniformPrior(K, { maxIterations: 200, numSamples: 2000, seed: 3 });
    // Independent check of the analytic ratio: Φ(−r)^{K−1} = 1/K (Float64 normal CDF).
    assert.ok(Math.abs(Math.pow(ndtr64(-r.analyticRatio), K - 1) - 1 / K) < 1e-12);
    // 0.03: the fit stops at the Monte Carlo noise of ψ̄ (S = 2000: √(p(1−p)/S) ≈ 0.011 per entry);
    // P(H = K) = Φ(−r)² moves by 2Φ(−r)φ(r) ≈ 0.45 per unit of r, so r is known to ≈ 0.011/0.45 ≈ 0.025.
    assert.ok(Math.abs(r.ratio - r.analyticRatio) < 0.03, `ratio ${r.ratio} vs ${r.analyticRatio}`);
    // The averaged prior's exact law: P(H = K) = Φ(−ratio)^{K−1} recomputed in Float64 (1e-5: quadrature accuracy).
    assert.ok(Math.abs(r.averagedProbs[K - 1] - Math.pow(ndtr64(-r.ratio), K - 1)) < 1e-5);
    // 0.015: the same ψ̄ noise, ½Σ over 3 entries ≈ 0.016 at one standard deviation, met on average.
    assert.ok(r.averagedTv < 0.015, `TV ${r.averagedTv}`);
    assert.ok(r.fittedTv < 0.015, `TV ${r.fittedTv}`);
    r.fit.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
