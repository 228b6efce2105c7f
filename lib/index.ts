// The public API of igr-ts. Notebooks and bin/ import from here and nothing else.
export * from "./core/index";
export * from "./data/index";
export * from "./models/index";
export * from "./notebook/index";
