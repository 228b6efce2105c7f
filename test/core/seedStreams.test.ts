// Every SEED_STREAM id belongs to exactly one parent seed, and ids mixed into the same parent differ.
// The groups are written out here because lib/core/seedStreams.ts can only say them in comments: a
// new stream fails this test until it is placed in a group.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SEED_STREAM } from "../../lib/core/seedStreams";

type Stream = keyof typeof SEED_STREAM;

// Streams mixed into the same parent seed, by the parent (the places that mix them are named).
const PARENTS: Record<string, Stream[]> = {
  // A run's seed, in every kind of run (trainers, experimentRun).
  run: ["train", "epochEvaluation", "finalEvaluation"],
  // A run's seed, in estimator-VAE runs only (estimatorTrainer.ts).
  estimatorRun: ["estimatorValidation", "estimatorTest", "estimatorFinal", "estimatorFinalLikelihood"],
  // A run's seed, in mixture runs only, for samples.json (mixtureSamples.ts).
  mixtureRun: ["mixtureSamplesDraws", "mixtureSamplesProbe"],
  // A model's initSeed.
  init: ["flows", "vaeWeights", "sopWeights", "sopFlows", "mixtureWeights", "mixturePriorMeans"],
  // An evaluation's seed.
  evaluation: ["evaluate", "sopTestNll", "sopPredict", "mixtureEvaluate", "mixtureComponentImages"],
  // One evaluation batch's seed (elbo.ts, logLikelihood.ts: mixSeeds(seed, evaluate, index)).
  evaluationBatch: ["posteriorFrequencies", "importanceDraws", "authorsDraws"],
  // Seeds with a single stream each: the data's binarisation and the mixture's stick uniforms.
  dataBatch: ["binarize"],
  mixtureBatch: ["mixtureSticks"],
};

// Parents that one run uses together: their ids must all differ.
const TOGETHER = [["run", "estimatorRun"], ["run", "mixtureRun"], ["init"], ["evaluation"], ["evaluationBatch"], ["dataBatch"], ["mixtureBatch"]];

test("every SEED_STREAM id is in exactly one parent group", () => {
  const grouped = Object.values(PARENTS).flat();
  assert.deepEqual([...grouped].sort(), Object.keys(SEED_STREAM).sort());
  assert.equal(new Set(grouped).size, grouped.length, "a stream listed under two parents");
});

test("streams mixed into the same parent seed have different ids", () => {
  for (const parents of TOGETHER) {
    const names = parents.flatMap((p) => PARENTS[p]);
    const ids = names.map((n) => SEED_STREAM[n as Stream]);
    const clash = names.filter((_, i) => ids.indexOf(ids[i]) !== i);
    assert.deepEqual(clash, [], `${parents.join(" + ")}: ${clash.join(", ")} reuse an id`);
  }
});
