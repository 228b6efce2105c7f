// The configuration of the categorical VAE (docs/paper.md §4): what is trained and how. Validated
// before any work, with messages that list the valid values.
import { IMAGE_PIXELS } from "../data/pool";

export type LatentModel = "igr-i" | "igr-planar" | "igr-sb" | "gs";
export type Architecture = "linear" | "nonlinear";
export type Likelihood = "bernoulli" | "gaussian";
export type KLEstimator = "closed-form" | "monte-carlo";
export type IgrScale = "exp" | "bounded";

export const LATENT_MODELS: readonly LatentModel[] = ["igr-i", "igr-planar", "igr-sb", "gs"];
export const ARCHITECTURES: readonly Architecture[] = ["linear", "nonlinear"];
export const LIKELIHOODS: readonly Likelihood[] = ["bernoulli", "gaussian"];
export const KL_ESTIMATORS: readonly KLEstimator[] = ["closed-form", "monte-carlo"];
export const IGR_SCALES: readonly IgrScale[] = ["exp", "bounded"];

/** The shape and latent family of a VAE (no training settings). */
export interface VaeModelConfig {
  model: LatentModel;
  arch: Architecture;
  /** Bernoulli (MNIST, Omniglot, binarized FMNIST) or the authors' Gaussian decoder (FMNIST, docs/paper.md §4.2). */
  likelihood: Likelihood;
  /** τ > 0, fixed during training (the paper's grid: 0.03, 0.07, 0.1, 0.15, 0.25, 0.5, 0.67). */
  temperature: number;
  /** Number of discrete latent variables (paper: 20). */
  numVariables: number;
  /** Categories per variable K (paper: 10; IGR uses K−1 Gaussian coordinates + the softmax++ slack). */
  numCategories: number;
  /** Pixels per example (784 for 28×28 images). */
  inputSize: number;
  /** Hidden widths of the nonlinear encoder; the decoder uses them reversed (paper: 512, 256). */
  hidden: number[];
  /**
   * KL of the relaxed objective. IGR-I/IGR-SB: exact Gaussian KL ("closed-form", default) or the
   * authors' single-sample estimate ("monte-carlo"). IGR-Planar and GS have no closed form: always
   * "monte-carlo" (asking for "closed-form" there is an error).
   */
  kl: KLEstimator;
  /** Sticking-the-landing (Roeder et al.): stop-gradient on q's parameters inside log q; needs "monte-carlo". */
  stickTheLanding: boolean;
  /** GS only: the prior's temperature (authors: 0.5, whatever the posterior τ). */
  priorTemperature: number;
  /** Relaxed samples per example in the objective (S, default 1). */
  samples: number;
  /** Number of planar layers of IGR-Planar (paper: 2). */
  planarLayers: number;
  /**
   * IGR-I: how the encoder's 2·V·(K−1) outputs become (μ, σ). "exp" (default): [μ | log σ].
   * "bounded": appendix eq. (15), μ = 5 tanh(·), σ = 0.5 + 2 sigmoid(·), which keeps Proposition 2's
   * quadrature accurate; the RELAX-trained VAE differentiates log α(μ, σ), so it needs the box.
   */
  igrScale: IgrScale;
  /** Seed of the weight initialisation. */
  initSeed: number;
}

export const DEFAULT_MODEL_CONFIG: Omit<VaeModelConfig, "model" | "arch" | "temperature"> = {
  likelihood: "bernoulli",
  numVariables: 20,
  numCategories: 10,
  inputSize: IMAGE_PIXELS,
  hidden: [512, 256],
  kl: "closed-form",
  stickTheLanding: false,
  priorTemperature: 0.5,
  samples: 1,
  planarLayers: 2,
  igrScale: "exp",
  initSeed: 0,
};

/** True when the family has an exact Gaussian KL (same maps after the Gaussian for q and prior). */
export function hasClosedFormKl(model: LatentModel): boolean {
  return model === "igr-i" || model === "igr-sb";
}

function oneOf<T extends string>(name: string, value: unknown, valid: readonly T[]): T {
  if (typeof value !== "string" || !(valid as readonly string[]).includes(value)) {
    throw new Error(`${name} must be one of ${valid.join(", ")}; got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer; got ${JSON.stringify(value)}`);
  return value;
}

function positiveNumber(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a finite number > 0; got ${JSON.stringify(value)}`);
  return value;
}

/**
 * A full, checked model configuration. `kl` defaults to "closed-form" where it exists and to
 * "monte-carlo" otherwise (and whenever stickTheLanding is on, which only changes an estimator).
 */
export function modelConfig(partial: Partial<VaeModelConfig> & Pick<VaeModelConfig, "model" | "arch" | "temperature">): VaeModelConfig {
  const model = oneOf("model", partial.model, LATENT_MODELS);
  const stickTheLanding = partial.stickTheLanding ?? false;
  if (typeof stickTheLanding !== "boolean") throw new Error(`stickTheLanding must be true or false; got ${JSON.stringify(stickTheLanding)}`);
  const defaultKl: KLEstimator = hasClosedFormKl(model) && !stickTheLanding ? "closed-form" : "monte-carlo";
  const config: VaeModelConfig = { ...DEFAULT_MODEL_CONFIG, kl: defaultKl, ...partial, model, stickTheLanding };
  oneOf("arch", config.arch, ARCHITECTURES);
  oneOf("likelihood", config.likelihood, LIKELIHOODS);
  oneOf("kl", config.kl, KL_ESTIMATORS);
  oneOf("igrScale", config.igrScale, IGR_SCALES);
  if (config.igrScale === "bounded" && model !== "igr-i") throw new Error(`igrScale "bounded" is for igr-i only; got model ${model}`);
  positiveNumber("temperature (tau)", config.temperature);
  positiveNumber("priorTemperature", config.priorTemperature);
  positiveInteger("numVariables", config.numVariables);
  positiveInteger("inputSize", config.inputSize);
  positiveInteger("samples", config.samples);
  positiveInteger("planarLayers", config.planarLayers);
  if (!Number.isInteger(config.initSeed)) throw new Error(`initSeed must be an integer; got ${config.initSeed}`);
  if (!Number.isInteger(config.numCategories) || config.numCategories < 2) throw new Error(`numCategories must be an integer >= 2; got ${config.numCategories}`);
  if (!Array.isArray(config.hidden)) throw new Error(`hidden must be an array of widths; got ${JSON.stringify(config.hidden)}`);
  config.hidden.forEach((h, i) => positiveInteger(`hidden[${i}]`, h));
  if (config.kl === "closed-form" && !hasClosedFormKl(model)) {
    throw new Error(`kl "closed-form" is not available for ${model} (no closed form: use kl "monte-carlo"); closed forms exist for ${LATENT_MODELS.filter(hasClosedFormKl).join(", ")}`);
  }
  if (config.stickTheLanding && config.kl !== "monte-carlo") {
    throw new Error(`stickTheLanding changes the gradient of a Monte Carlo KL estimate: use kl "monte-carlo" with it (got kl "${config.kl}")`);
  }
  return config;
}

/** Encoder outputs per example: IGR 2·V·(K−1) (μ, log σ); GS V·K logits. */
export function encoderOutputSize(config: VaeModelConfig): number {
  const V = config.numVariables;
  const K = config.numCategories;
  return config.model === "gs" ? V * K : 2 * V * (K - 1);
}

/** Decoder outputs per example: one logit per pixel (Bernoulli) or (m, r) per pixel (Gaussian). */
export function decoderOutputSize(config: VaeModelConfig): number {
  return config.likelihood === "gaussian" ? 2 * config.inputSize : config.inputSize;
}
