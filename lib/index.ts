// The public API of igr-ts. Notebooks and bin/ import from here and nothing else.
export * from "./core/index";
export { SeedStream, type Seed } from "./core/random";
export * from "./bijectors/index";
export * from "./distributions/index";
export * from "./discrete/index";
export * from "./data/index";
export * from "./models/index";
export * from "./eval/index";
export * from "./train/index";
export * from "./estimators/index";
export * from "./notebook/index";
