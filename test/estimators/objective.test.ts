import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { allOutcomes, oneHotOutcomes } from "../../lib/estimators/enumerate";
import { quadraticToyObjective } from "../../lib/estimators/objective";

before(async () => {
  await initBackend();
});

describe("quadratic toy objective", () => {
  test("K = 2 is the Bernoulli RELAX toy Σ (b_i − t_i)² (hand values)", () => {
    const f = quadraticToyObjective({ numCategories: 2 });
    assert.ok(Math.abs(f.evaluate64([1, 0, 0]) - 0.16) < 1e-15); // (1−1)² + (0−0.4)² + 0
    assert.ok(Math.abs(f.evaluate64([0, 1, 1]) - (1 + 0.36 + 1)) < 1e-15);
  });

  test("the tensor version agrees with the Float64 one on every outcome, and is linear-then-square on the simplex", () => {
    const f = quadraticToyObjective();
    const outcomes = allOutcomes(3, 3);
    const values = f.evaluate(oneHotOutcomes(outcomes, 3)).dataSync();
    outcomes.forEach((o, i) => assert.ok(Math.abs(values[i] - f.evaluate64(o)) < 1e-6)); // float32
    // Uniform simplex point: value = 0.5 per variable → (0.5−1)² + (0.5−0.4)² + 0.25 = 0.51.
    const mid = f.evaluate(tf.fill([3, 3], 1 / 3)).dataSync()[0];
    assert.ok(Math.abs(mid - 0.51) < 1e-6);
  });

  test("errors name the bad argument", () => {
    assert.throws(() => quadraticToyObjective({ numCategories: 1 }), /numCategories must be an integer >= 2, got 1/);
    assert.throws(() => quadraticToyObjective().evaluate(tf.zeros([3, 2])), /must end in \[3, 3\]/);
  });
});
