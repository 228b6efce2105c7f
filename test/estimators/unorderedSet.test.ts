import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { allOutcomes, exactObjective } from "../../lib/estimators/enumerate";
import { measureEstimator } from "../../lib/estimators/harness";
import { random64 } from "../../lib/estimators/rng";
import { UnorderedSetEstimator, unorderedSetWeights } from "../../lib/estimators/unorderedSet";
import { stochasticBeamSearch } from "../../lib/estimators/withoutReplacement";
import { assertUnbiased, igrParams, igrProblem, logitsParams, logitsProblem, logitValues, objective } from "../helpers/estimatorToy";

before(async () => {
  await initBackend();
});

describe("unordered-set estimator with built-in baseline (3 × 3 toy)", () => {
  test("unbiased for the logits family (k = 4) and the IGR family (k = 3)", () => {
    const a = logitsParams();
    assertUnbiased(measureEstimator(new UnorderedSetEstimator({ numSamples: 4 }), logitsProblem, a, { draws: 2500, seed: 31 }));
    const b = igrParams();
    assertUnbiased(measureEstimator(new UnorderedSetEstimator({ numSamples: 3 }), igrProblem, b, { draws: 2500, seed: 32 }));
    tf.dispose([...a, ...b]);
  });

  test("k = all 27 outcomes gives the exact gradient in every draw (zero variance)", () => {
    const params = logitsParams();
    const m = measureEstimator(new UnorderedSetEstimator({ numSamples: 27 }), logitsProblem, params, { draws: 3, seed: 33 });
    // float32 log p and f: 1e−5 absolute.
    m.mean.forEach((x, i) => assert.ok(Math.abs(x - m.exact[i]) < 1e-5 && m.variance[i] < 1e-10, `coordinate ${i}`));
    tf.dispose(params);
  });

  test("Σ_s p(s)R(S, s) f(s) is an unbiased estimate of E[f] (Float64, 6000 sets)", () => {
    const logP = logitValues.map((row) => {
      const m = Math.max(...row);
      const z = Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0)) + m;
      return row.map((x) => x - z);
    });
    const random = random64(34);
    let sum = 0;
    let sumSq = 0;
    const draws = 6000;
    for (let d = 0; d < draws; d++) {
      const { outcomes, logProbs } = stochasticBeamSearch(logP, 4, random);
      const f = outcomes.map((o) => objective.evaluate64(o));
      const { value } = unorderedSetWeights(logProbs, f);
      const est = value.reduce((s, w, i) => s + w * f[i], 0);
      sum += est;
      sumSq += est * est;
    }
    const mean = sum / draws;
    const se = Math.sqrt((sumSq / draws - mean * mean) / draws);
    const params = logitsParams();
    const exact = exactObjective(logitsProblem, params).dataSync()[0];
    assert.ok(allOutcomes(3, 3).length === 27);
    assert.ok(Math.abs(mean - exact) < 4.5 * se, `${mean} vs ${exact} (SE ${se})`);
    tf.dispose(params);
  });
});
