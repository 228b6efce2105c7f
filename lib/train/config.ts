// The configuration of one training run, its validation (before any work) and its hash.
import { integerAtLeast } from "../core/validate";
import { createHash } from "node:crypto";
import { DATASET_NAMES, DatasetName, PAPER_BINARIZE } from "../data/dataset";
import type { Binarize } from "../data/binarize";
import { ARCHITECTURES, Architecture, KLEstimator, LATENT_MODELS, LatentModel, Likelihood, LIKELIHOODS, modelConfig, VaeModelConfig } from "../models/vaeConfig";

export interface TrainConfig {
  model: LatentModel;
  dataset: DatasetName;
  arch: Architecture;
  /** τ, fixed during training. */
  tau: number;
  seed: number;
  epochs: number;
  /** Default 100 (as the authors). */
  batchSize: number;
  /** Adam's learning rate: the authors' final grid uses 1e−4 (also tried 3e−4). */
  learningRate: number;
  /** Default: Gaussian for Fashion-MNIST (as the authors), Bernoulli otherwise. */
  likelihood: Likelihood;
  /** Default: the paper's (MNIST static; FMNIST grey for the Gaussian decoder, static for Bernoulli; Omniglot grey). */
  binarize: Binarize;
  /** Default: closed form where it exists and stickTheLanding is off, else Monte Carlo. */
  kl: KLEstimator;
  stickTheLanding: boolean;
  /** Relaxed samples per example in the objective (S). */
  samples: number;
  /** Use only the first `limit` training examples (null = all). */
  limit: number | null;
  /**
   * Validation/test examples evaluated after each evaluated epoch (null = all; default 2000: the
   * IGR-I discrete KL needs Proposition 2's quadrature, ~0.15-0.25 s per 100 examples on wasm, so the
   * full sets would cost more than a training epoch; `igr eval` does the full test set).
   */
  evalLimit: number | null;
  /** Training examples for the per-epoch discretized train ELBO (null = all; default 2000). */
  trainEvalLimit: number | null;
  /** Evaluate every this many epochs (the last epoch is always evaluated). */
  evalEvery: number;
  /** Draws per example of the IGR-Planar / IGR-SB frequency estimate in per-epoch metrics. */
  frequencySamples: number;
  /** Images carved from the training pool for validation (null = the data set's default, a sixth). */
  validationSize: number | null;
  /** Write a checkpoint every this many steps (0 = only at the end of each epoch and at the end). */
  checkpointEvery: number;
  /** Run folder name under runsDir (default: made from the configuration). */
  runId: string;
  /** Where run folders go (default data/runs). */
  runsDir: string;
}

/** Fields that do not change the trajectory or the metrics: left out of the config hash. */
const NOT_HASHED: Array<keyof TrainConfig> = ["epochs", "checkpointEvery", "runId", "runsDir"];

export const TRAIN_DEFAULTS = {
  batchSize: 100,
  learningRate: 1e-4,
  seed: 1,
  epochs: 300,
  samples: 1,
  stickTheLanding: false,
  limit: null,
  evalLimit: 2000,
  trainEvalLimit: 2000,
  evalEvery: 1,
  frequencySamples: 100,
  validationSize: null,
  checkpointEvery: 1000,
} as const;

/** The paper's temperature grid (fixed τ chosen by validation). */
export const TAU_GRID = [0.03, 0.07, 0.1, 0.15, 0.25, 0.5, 0.67];

function fail(message: string): never {
  throw new Error(message);
}


/** The default run id: every setting that distinguishes runs of a sweep. */
export function defaultRunId(c: Omit<TrainConfig, "runId" | "runsDir">): string {
  const parts = [c.model, c.dataset, c.arch, `tau${c.tau}`, `lr${c.learningRate}`, `seed${c.seed}`];
  if (c.stickTheLanding) parts.push("stl");
  if (c.samples !== 1) parts.push(`S${c.samples}`);
  if (c.likelihood !== defaultLikelihood(c.dataset)) parts.push(c.likelihood);
  if (c.kl !== defaultKl(c.model, c.stickTheLanding)) parts.push(`kl-${c.kl}`);
  if (c.limit !== null) parts.push(`limit${c.limit}`);
  return parts.join("_");
}

function defaultLikelihood(dataset: DatasetName): Likelihood {
  return dataset === "fashion-mnist" ? "gaussian" : "bernoulli";
}

function defaultKl(model: LatentModel, stl: boolean): KLEstimator {
  return (model === "igr-i" || model === "igr-sb") && !stl ? "closed-form" : "monte-carlo";
}

/**
 * Fills defaults and checks everything; throws an Error naming the bad field and the valid values.
 * `runsDir` must be given by the caller (lib code does not guess the working directory).
 */
export function trainConfig(partial: Partial<TrainConfig> & { model: unknown; dataset: unknown; arch: unknown; tau: unknown; runsDir: string }): TrainConfig {
  if (!(LATENT_MODELS as readonly unknown[]).includes(partial.model)) fail(`unknown model ${JSON.stringify(partial.model)}: valid models are ${LATENT_MODELS.join(", ")}`);
  if (!(DATASET_NAMES as readonly unknown[]).includes(partial.dataset)) fail(`unknown dataset ${JSON.stringify(partial.dataset)}: valid data sets are ${DATASET_NAMES.join(", ")}`);
  if (!(ARCHITECTURES as readonly unknown[]).includes(partial.arch)) fail(`unknown arch ${JSON.stringify(partial.arch)}: valid architectures are ${ARCHITECTURES.join(", ")}`);
  const model = partial.model as LatentModel;
  const dataset = partial.dataset as DatasetName;
  if (typeof partial.tau !== "number" || !Number.isFinite(partial.tau) || partial.tau <= 0) fail(`tau must be a number > 0 (the paper's grid: ${TAU_GRID.join(", ")}); got ${JSON.stringify(partial.tau)}`);
  const likelihood = partial.likelihood ?? defaultLikelihood(dataset);
  if (!(LIKELIHOODS as readonly string[]).includes(likelihood)) fail(`unknown likelihood ${JSON.stringify(likelihood)}: valid likelihoods are ${LIKELIHOODS.join(", ")}`);
  const binarize = partial.binarize ?? (likelihood === "bernoulli" && dataset === "fashion-mnist" ? "static" : PAPER_BINARIZE[dataset]);
  if (!["static", "dynamic", "none"].includes(binarize)) fail(`unknown binarize ${JSON.stringify(binarize)}: valid values are static, dynamic, none`);
  const stickTheLanding = partial.stickTheLanding ?? TRAIN_DEFAULTS.stickTheLanding;
  const base = {
    ...TRAIN_DEFAULTS,
    ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)),
    model,
    dataset,
    likelihood,
    binarize,
    stickTheLanding,
    kl: partial.kl ?? defaultKl(model, stickTheLanding),
  } as Omit<TrainConfig, "runId"> & { runId?: string };
  integerAtLeast("batchSize (batch size)", base.batchSize, 1);
  integerAtLeast("epochs", base.epochs, 1);
  integerAtLeast("seed", base.seed, 0);
  integerAtLeast("samples", base.samples, 1);
  integerAtLeast("evalEvery", base.evalEvery, 1);
  integerAtLeast("frequencySamples", base.frequencySamples, 1);
  integerAtLeast("checkpointEvery", base.checkpointEvery, 0);
  if (typeof base.learningRate !== "number" || !(base.learningRate > 0) || !Number.isFinite(base.learningRate)) fail(`learningRate must be a number > 0 (the authors use 1e-4 or 3e-4); got ${JSON.stringify(base.learningRate)}`);
  for (const key of ["limit", "evalLimit", "trainEvalLimit", "validationSize"] as const) {
    if (base[key] !== null) integerAtLeast(key, base[key], key === "validationSize" ? 0 : 1);
  }
  if (typeof base.runsDir !== "string" || base.runsDir === "") fail("runsDir must be a folder path");
  // Model-level checks (kl/STL compatibility, τ) with the model's own messages.
  toModelConfig({ ...base, runId: "" } as TrainConfig);
  const runId = base.runId ?? defaultRunId(base);
  if (!/^[A-Za-z0-9._+-]+$/.test(runId)) fail(`runId may contain letters, digits and . _ + - only; got ${JSON.stringify(runId)}`);
  return { ...base, runId } as TrainConfig;
}

/** The model part of a run configuration (initialised from the run's seed). */
export function toModelConfig(c: TrainConfig): VaeModelConfig {
  return modelConfig({ model: c.model, arch: c.arch, temperature: c.tau, likelihood: c.likelihood, kl: c.kl, stickTheLanding: c.stickTheLanding, samples: c.samples, initSeed: c.seed });
}

/** sha256 (first 16 hex digits) of the settings that determine the trajectory and the metrics. */
export function configHash(c: TrainConfig): string {
  const hashed = Object.fromEntries(
    Object.entries(c)
      .filter(([k]) => !NOT_HASHED.includes(k as keyof TrainConfig))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return createHash("sha256").update(JSON.stringify(hashed)).digest("hex").slice(0, 16);
}
