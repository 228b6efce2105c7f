// Training and evaluation of the nonparametric mixture VAE (docs/paper.md §7.4): Adam(0.9, 0.999),
// lr 3e−4, batch 100, S = 1; per-epoch test ELBO and component usage on a subset of the test set,
// and a final evaluation on `finalEvalLimit` test images, with samples.json (mixtureSamples.ts).
import * as path from "node:path";
import { mixSeeds } from "../core/prng";
import { SEED_STREAM } from "../core/seedStreams";
import { MIXTURE_DEFAULTS, MixtureVAE, mixtureVaeConfig, MixtureVaeConfig } from "../models/mixtureVae";
import { stepSeed } from "../models/noise";
import { checkTrainSettings, ExperimentResult, ExperimentTrainOptions, ExperimentTrainSettings, runExperiment } from "./experimentRun";
import { loadMnistTrainTest, MnistTrainTest } from "./mnistTrainTest";
import { mixtureSamples, writeMixtureSamples } from "./mixtureSamples";

export type MixtureTrainConfig = MixtureVaeConfig & ExperimentTrainSettings;

export const MIXTURE_TRAIN_DEFAULTS = {
  seed: 1,
  epochs: 300,
  batchSize: 100,
  learningRate: 3e-4,
  limit: null,
  evalLimit: 1000,
  finalEvalLimit: null,
} as const;

export function mixtureTrainConfig(partial: Omit<Partial<MixtureTrainConfig>, "sticks"> & { sticks: unknown; runsDir: string }): MixtureTrainConfig {
  const trainKeys = new Set<string>([...Object.keys(MIXTURE_TRAIN_DEFAULTS), "runId", "runsDir"]);
  const modelPart = Object.fromEntries(Object.entries(partial).filter(([k]) => !trainKeys.has(k))) as Omit<Partial<MixtureVaeConfig>, "sticks"> & { sticks: unknown };
  const model = mixtureVaeConfig({ ...modelPart, initSeed: partial.initSeed ?? partial.seed ?? MIXTURE_TRAIN_DEFAULTS.seed });
  const defined = Object.fromEntries(Object.entries(partial).filter(([k, v]) => trainKeys.has(k) && v !== undefined));
  const c = { ...MIXTURE_TRAIN_DEFAULTS, ...defined, ...model } as MixtureTrainConfig;
  checkTrainSettings(c, "mixture training");
  const runId = c.runId ?? ["mixture", c.sticks, c.truncate ? "trunc" : "full", `seed${c.seed}`, ...(c.limit !== null ? [`limit${c.limit}`] : []), `ep${c.epochs}`].join("_");
  return { ...c, runId };
}

/** The model part of a training configuration. */
export function mixtureModelConfig(c: MixtureTrainConfig): MixtureVaeConfig {
  const keys = ["sticks", "truncate", ...Object.keys(MIXTURE_DEFAULTS)];
  return Object.fromEntries(keys.map((k) => [k, (c as unknown as Record<string, unknown>)[k]])) as unknown as MixtureVaeConfig;
}

export type MixtureTrainOptions = ExperimentTrainOptions<MnistTrainTest>;

export function mixtureBudget(c: MixtureTrainConfig, trainImages: number, testImages: number): string {
  const evalImages = Math.min(testImages, c.evalLimit ?? testImages);
  const finalImages = Math.min(testImages, c.finalEvalLimit ?? testImages);
  return `${c.epochs} epoch(s) on ${trainImages} MNIST training images (batch ${c.batchSize}, ${c.epochs * Math.ceil(trainImages / c.batchSize)} steps; the paper: 300 epochs on 60000); per-epoch test ELBO on ${evalImages} test images; final test ELBO on ${finalImages} test images, S = ${c.samples}`;
}

export async function trainMixture(config: MixtureTrainConfig, options: MixtureTrainOptions = {}): Promise<ExperimentResult<MixtureVAE>> {
  const data = options.data ?? (await loadMnistTrainTest(config));
  const model = new MixtureVAE(mixtureModelConfig(config));
  return runExperiment({
    experiment: "mixture",
    config: config as unknown as MixtureTrainConfig & Record<string, unknown>,
    model,
    train: data.train,
    learningRate: () => config.learningRate,
    loss: (m, x, step) => {
      const noise = m.noise(config.samples * x.shape[0], stepSeed(config.seed, step));
      const loss = m.loss(x, noise);
      noise.dispose();
      return loss;
    },
    evaluate: (m, epoch) => {
      const r = m.evaluate(data.test, { seed: mixSeeds(config.seed, SEED_STREAM.epochEvaluation, epoch), ...(config.evalLimit !== null ? { limit: config.evalLimit } : {}) });
      return { test_elbo: r.elbo, components_used: r.componentsUsed, mean_components: r.meanComponents };
    },
    finalEvaluate: (m) => {
      const r = m.evaluate(data.test, { seed: mixSeeds(config.seed, SEED_STREAM.finalEvaluation), ...(config.finalEvalLimit !== null ? { limit: config.finalEvalLimit } : {}) });
      // Before the "completed" summary: a completed run always has its samples.json.
      writeMixtureSamples(path.join(config.runsDir, config.runId), mixtureSamples(m, data.test, r.usage, { runId: config.runId, seed: config.seed }));
      return { test_elbo: r.elbo, images: r.images, components_used: r.componentsUsed, mean_components: r.meanComponents, usage: r.usage, argmax_share: r.argmaxShare };
    },
    budget: mixtureBudget(config, data.train.n, data.test.n),
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
    ...(options.checkpoint !== undefined ? { checkpoint: options.checkpoint } : {}),
    ...(options.keepModel !== undefined ? { keepModel: options.keepModel } : {}),
    ...(options.resume ? { resume: true } : {}),
  });
}
