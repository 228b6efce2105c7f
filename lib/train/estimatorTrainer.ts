// Training and evaluation of the estimator-trained categorical VAE (appendix §4, Tables 2–3):
// MNIST (static binarisation, the VAE trainer's train/validation split), Adam(0.9, 0.999), batch 100.
// Per epoch: the discretized ELBO on validation and test subsets. At the end: the test discretized
// ELBO and the importance-sampled test log-likelihood (the same estimators as `igr eval`).
import { mixSeeds } from "../core/prng";
import { SEED_STREAM } from "../core/seedStreams";
import { Dataset, loadDataset } from "../data/dataset";
import { discretizedElbo } from "../eval/elbo";
import { importanceSampledLogLikelihood } from "../eval/logLikelihood";
import { ESTIMATOR_VAE_DEFAULTS, EstimatorVAE, estimatorVaeConfig, EstimatorVaeConfig } from "../models/estimatorVae";
import { stepSeed } from "../models/noise";
import { integerAtLeast } from "../core/validate";
import { checkTrainSettings, ExperimentResult, ExperimentTrainOptions, ExperimentTrainSettings, runExperiment } from "./experimentRun";

export interface EstimatorTrainConfig extends EstimatorVaeConfig, ExperimentTrainSettings {
  /** Importance samples per test image for the final log-likelihood (0 skips it). */
  finalSamples: number;
}

export const ESTIMATOR_TRAIN_DEFAULTS = {
  seed: 1,
  epochs: 10,
  batchSize: 100,
  learningRate: 3e-4,
  limit: null,
  evalLimit: 1000,
  finalEvalLimit: 1000,
  finalSamples: 1000,
} as const;

/** Fills defaults and checks every field (model fields through estimatorVaeConfig). */
export function estimatorTrainConfig(partial: Partial<EstimatorTrainConfig> & Pick<EstimatorTrainConfig, "estimator" | "arch" | "runsDir">): EstimatorTrainConfig {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const merged = { ...ESTIMATOR_VAE_DEFAULTS, ...ESTIMATOR_TRAIN_DEFAULTS, ...defined } as EstimatorTrainConfig;
  const model = estimatorVaeConfig({ ...merged, initSeed: partial.initSeed ?? merged.seed });
  const c = { ...merged, ...model };
  checkTrainSettings(c, "estimator training");
  integerAtLeast("finalSamples", c.finalSamples, 0, "estimator training");
  const flags = [c.authorsIndependentDraw ? "authors-draw" : "", c.authorsSignError ? "authors-sign" : ""].filter(Boolean);
  const runId = c.runId ?? [c.estimator, "mnist", c.arch, `S${c.samples}`, ...flags, `lr${c.learningRate}`, `seed${c.seed}`, ...(c.limit !== null ? [`limit${c.limit}`] : []), `ep${c.epochs}`].join("_");
  return { ...c, runId };
}

export interface EstimatorData {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
}

/** MNIST as the VAE trainer splits it (a sixth of the training pool held out for validation). */
export async function loadEstimatorData(c: Pick<EstimatorTrainConfig, "limit" | "seed">): Promise<EstimatorData> {
  const common = { binarize: "static" as const, seed: c.seed };
  return {
    train: await loadDataset("mnist", { ...common, split: "train", ...(c.limit !== null ? { limit: c.limit } : {}) }),
    validation: await loadDataset("mnist", { ...common, split: "validation" }),
    test: await loadDataset("mnist", { ...common, split: "test" }),
  };
}

/** A sentence stating the compute budget of a configuration. */
export function estimatorBudget(c: EstimatorTrainConfig, data: EstimatorData): string {
  const per = (set: Dataset) => Math.min(set.n, c.evalLimit ?? set.n);
  const final = Math.min(data.test.n, c.finalEvalLimit ?? data.test.n);
  const steps = c.epochs * Math.ceil(data.train.n / c.batchSize);
  return `${c.epochs} epoch(s) on ${data.train.n} MNIST training images (batch ${c.batchSize}, ${steps} steps, S = ${c.samples}; the paper: 100-200 epochs); per-epoch discretized ELBO on ${per(data.validation)} validation and ${per(data.test)} test images; final test discretized ELBO on ${final} test images` + (c.finalSamples > 0 ? ` and importance-sampled log-likelihood with ${c.finalSamples} samples per image` : "");
}

export type EstimatorTrainOptions = ExperimentTrainOptions<EstimatorData>;

export async function trainWithEstimator(config: EstimatorTrainConfig, options: EstimatorTrainOptions = {}): Promise<ExperimentResult<EstimatorVAE>> {
  const data = options.data ?? (await loadEstimatorData(config));
  const model = new EstimatorVAE(config);
  const limit = (n: number | null) => (n !== null ? { limit: n } : {});
  return runExperiment({
    experiment: "estimator-vae",
    config: config as unknown as EstimatorTrainConfig & Record<string, unknown>,
    model,
    train: data.train,
    learningRate: () => config.learningRate,
    gradients: (m, x, step) => m.gradients(x, stepSeed(config.seed, step)),
    evaluate: (m, epoch) => ({
      validation_discretized_elbo: discretizedElbo(m.vae, data.validation, { seed: mixSeeds(config.seed, SEED_STREAM.estimatorValidation, epoch), ...limit(config.evalLimit) }).elbo,
      test_discretized_elbo: discretizedElbo(m.vae, data.test, { seed: mixSeeds(config.seed, SEED_STREAM.estimatorTest, epoch), ...limit(config.evalLimit) }).elbo,
    }),
    finalEvaluate: (m, onProgress) => {
      const elbo = discretizedElbo(m.vae, data.test, { seed: mixSeeds(config.seed, SEED_STREAM.estimatorFinal), ...limit(config.finalEvalLimit), onProgress: (done, total) => onProgress("test discretized ELBO, images", done, total) });
      const ll = config.finalSamples > 0
        ? importanceSampledLogLikelihood(m.vae, data.test, { seed: mixSeeds(config.seed, SEED_STREAM.estimatorFinalLikelihood), samples: config.finalSamples, ...limit(config.finalEvalLimit), onProgress: (done, total) => onProgress("test log-likelihood, images", done, total) })
        : null;
      return {
        test_discretized_elbo: elbo.elbo,
        test_discretized_kl: elbo.kl,
        test_ll_is: ll?.mean ?? null,
        test_ll_is_standard_error: ll?.standardError ?? null,
        images: elbo.n,
        samples: config.finalSamples,
      };
    },
    budget: estimatorBudget(config, data),
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
    ...(options.checkpoint !== undefined ? { checkpoint: options.checkpoint } : {}),
    ...(options.keepModel !== undefined ? { keepModel: options.keepModel } : {}),
    ...(options.resume ? { resume: true } : {}),
  });
}
