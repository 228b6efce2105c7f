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
