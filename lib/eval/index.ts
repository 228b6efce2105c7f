export { relaxedElbo, discretizedElbo, evalBatches, type EvalData, type EvalOptions, type ElboResult, type DiscretizedOptions } from "./elbo";
export { importanceSampledLogLikelihood, authorsLogLikelihood, type LogLikelihoodOptions, type LogLikelihoodResult } from "./logLikelihood";
export { categoryScores, discretePosterior, klToUniform, proposalFrom, argmaxBlocks, oneHotRows, FREQUENCY_SAMPLES, PROPOSAL_UNIFORM_WEIGHT, type DiscretePosterior } from "./discrete";
export { evaluateModel, type EvaluateModelOptions, type ModelEvaluation } from "./evaluateModel";
