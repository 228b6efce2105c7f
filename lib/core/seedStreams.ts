// Every named seed stream. A stream id is mixed into a seed (mixSeeds(seed, SEED_STREAM.x, ...)) so
// that two uses of one seed never draw the same numbers. Ids only need to differ among the streams
// derived from the same parent seed: each group below is one parent (test/core/seedStreams.test.ts
// checks it). The values are part of every recorded run (its noise, its initial weights): never
// renumber one.
export const SEED_STREAM = Object.freeze({
  // From a run's seed: per-step training noise.
  train: 1,
  // From a model's initSeed: weight initialisation and the flow parameters' initial values.
  flows: 3,
  vaeWeights: 7,
  sopWeights: 11,
  sopFlows: 13,
  mixtureWeights: 19,
  mixturePriorMeans: 23,
  // From an evaluation's seed: the VAE's evaluation batches, SOP test draws, mixture test draws and
  // per-component images.
  evaluate: 2,
  sopTestNll: 5,
  sopPredict: 6,
  mixtureEvaluate: 9,
  mixtureComponentImages: 29,
  // From a run's seed, in the training loops: per-epoch evaluation, final evaluation, and the
  // estimator VAE's validation, test and final evaluations.
  epochEvaluation: 17,
  finalEvaluation: 31,
  estimatorValidation: 41,
  estimatorTest: 43,
  estimatorFinal: 47,
  estimatorFinalLikelihood: 53,
  // From a mixture run's seed, for samples.json: the component draws and the probe images' weights.
  mixtureSamplesDraws: 41,
  mixtureSamplesProbe: 43,
  // From one batch's seed: dynamic binarisation (data), the mixture's stick uniforms, the posterior
  // frequencies of the discretized ELBO, importance-sampling draws, the authors' estimator's draws.
  binarize: 1,
  mixtureSticks: 1,
  posteriorFrequencies: 1,
  importanceDraws: 2,
  authorsDraws: 3,
});
