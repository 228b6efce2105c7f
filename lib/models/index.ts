export { Dense, MLP } from "./dense";
export type { ApplyOptions, DenseActivation, DenseOptions, MLPOptions } from "./dense";
