import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { uniformPriorLocation } from "../../lib/discrete/uniformPriorLocation";
import { discreteProbabilities } from "../../lib/discrete/discreteProbabilities";
import { monteCarloArgmax, refDiscreteProbabilities } from "../helpers/prop2Reference";

before(async () => {
  await initBackend();
});

describe("uniformPriorLocation (docs/paper.md §2.1)", () => {
  test("matches the notes' values (K = 3, 5, 10, 50) and gives 0 for K = 2", () => {
    // Notes values are printed to 5–6 digits; tolerance is half their last digit.
    assert.ok(Math.abs(uniformPriorLocation(2)) < 1e-14);
    assert.ok(Math.abs(uniformPriorLocation(3) - -0.19512) < 5e-6);
    assert.ok(Math.abs(uniformPriorLocation(5) - -0.43644) < 5e-6);
    assert.ok(Math.abs(uniformPriorLocation(10) - -0.752962) < 5e-7);
    assert.ok(Math.abs(uniformPriorLocation(50) - -1.42739) < 5e-6);
    assert.ok(Math.abs(uniformPriorLocation(10, { scale: 2 }) - 2 * uniformPriorLocation(10)) < 1e-14);
  });

  test("discreteProbabilities at (μ₀, σ₀) is uniform 1/K to 1e-5, K ∈ {2, 3, 10, 20, 50}, σ₀ ∈ {0.5, 2}", () => {
    for (const K of [2, 3, 10, 20, 50]) {
      for (const sigma0 of [0.5, 2]) {
        const mu0 = uniformPriorLocation(K, { scale: sigma0 });
        const p = tf.tidy(() => Array.from(discreteProbabilities(tf.fill([K - 1], mu0), tf.fill([K - 1], sigma0)).dataSync()));
        // 1e-5: the accuracy of discreteProbabilities.
        for (const v of p) assert.ok(Math.abs(v - 1 / K) < 1e-5, `K=${K}, σ₀=${sigma0}: ${v}`);
      }
    }
  });

  test("uniform by the independent adaptive integral (K = 10, 20) and by Monte Carlo (K = 10)", () => {
    for (const K of [10, 20]) {
      const mu0 = uniformPriorLocation(K);
      const ref = refDiscreteProbabilities(new Array(K - 1).fill(mu0), new Array(K - 1).fill(1), 1e-12);
      // 1e-9: Float64 reference; the root is found to ~1e-13.
      for (const v of ref) assert.ok(Math.abs(v - 1 / K) < 1e-9, `K=${K}: ${v}`);
    }
    const draws = 200000;
    const freq = monteCarloArgmax(new Array(9).fill(uniformPriorLocation(10)), new Array(9).fill(1), draws, 99);
    // Chi-square with 9 degrees of freedom; 27.88 is the 0.999 quantile.
    const chi2 = freq.reduce((acc, f) => acc + ((f - 0.1) * draws) ** 2 / (0.1 * draws), 0);
    assert.ok(chi2 < 27.88, `chi2 = ${chi2}`);
  });

  test("bad K and scale name the value", () => {
    assert.throws(() => uniformPriorLocation(1), /K must be an integer ≥ 2, got 1/);
    assert.throws(() => uniformPriorLocation(2.5), /got 2.5/);
    assert.throws(() => uniformPriorLocation(3, { scale: 0 }), /scale must be finite and > 0, got 0/);
  });
});
