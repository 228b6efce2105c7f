// Propositions 1 and 2 of the appendix and the helpers around them.
export { zeroTemperatureLimit } from "./zeroTemperature";
export {
  discreteProbabilities,
  discreteLogProbabilities,
  DISCRETE_PROBABILITIES_BOX,
  type DiscreteProbabilitiesOptions,
} from "./discreteProbabilities";
export { boundedParameters, type BoundedParametersOptions } from "./boundedParameters";
export { uniformPriorLocation } from "./uniformPriorLocation";
export {
  binomialTarget,
  negativeBinomialTarget,
  poissonTarget,
  uniformTarget,
  explicitTarget,
  paperDiscreteTarget,
  checkTarget,
  totalVariation,
  PAPER_DISCRETE_WEIGHTS,
  PMF_SUM_TOLERANCE,
  type DiscreteTarget,
  type TargetTruncation,
} from "./targets";
