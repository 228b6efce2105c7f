// The public API of igr-ts (the package's entry point; notebooks import it as "./lib/index").
//
// At the top level: the distributions and bijectors, `kl`, the backend set-up and seeded streams,
// the names most programs need. Everything else is grouped by area under a namespace:
//   import { InvertibleGaussian, initBackend, discrete, training } from "igr-ts";
//   discrete.discreteProbabilities(...); training.trainConfig({ ... });

export * from "./distributions/index";
export * from "./bijectors/index";
export { initBackend } from "./core/backend";
export { SeedStream, type Seed } from "./core/random";

export * as core from "./core/index";
export * as discrete from "./discrete/index";
export * as data from "./data/index";
export * as models from "./models/index";
export * as evaluation from "./eval/index";
export * as training from "./train/index";
export * as estimators from "./estimators/index";
export * as notebook from "./notebook/index";

// Unqualified names for the notebooks (their cells import from lib/index) and bin/. The notebook kit
// is for notebooks, so all of it is here; of the other areas, the names those files use.
// test/index.test.ts fails when a notebook imports a name missing here.
export * from "./notebook/index";
export { STEEN_HALF_RANGE_HERMITE_15, fastMatMulActive, integrateAdaptive64, logNdtr64, projectPath } from "./core/index";
export { DISCRETE_PROBABILITIES_BOX, binomialTarget, boundedParameters, discreteLogProbabilities, discreteProbabilities, explicitTarget, negativeBinomialTarget, paperDiscreteTarget, totalVariation, uniformPriorLocation, zeroTemperatureLimit } from "./discrete/index";
export { DATASET_NAMES, DataNotFoundError, exampleImages, loadDataset } from "./data/index";
export { ARCHITECTURES, CategoricalVAE, ESTIMATOR_NAMES, KL_ESTIMATORS, LATENT_MODELS, LIKELIHOODS, MixtureVAE, StructuredOutputPredictor, encoderOutputSize, igrLocScale, igrPrior, splitHalves } from "./models/index";
export { authorsLogLikelihood, discretizedElbo, evaluateModel, importanceSampledLogLikelihood, relaxedElbo } from "./eval/index";
export { ESTIMATOR_TRAIN_DEFAULTS, type ProgressMode, RunRecord, TAU_GRID, TRAIN_DEFAULTS, type TrainConfig, TrainingDivergedError, collectRuns, estimatorTrainConfig, expandGrid, fitDiscreteApproximation, fitUniformPrior, loadEstimatorData, loadRun, markdownTable, mixtureTrainConfig, readExperimentRun, readMixtureSamples, sopTrainConfig, train, trainConfig, trainMixture, trainSop, trainWithEstimator, writeJsonAtomic } from "./train/index";
export { ControlVariate, IGRFamily, LogitsFamily, Reinforce, Relax, Reparameterization, UnorderedSetEstimator, allOutcomes, estimateGradients, exactGradient, exactObjective, klToUniformFromLogProbs, measureEstimator, quadraticToyObjective, rebar, relaxStep } from "./estimators/index";
