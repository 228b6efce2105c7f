// Training and evaluation of the structured output predictor (docs/paper.md §7.3): Adam(0.9, 0.999),
// lr 1e−3 with the inverse-time decay max(1e−4, 1e−3/(1 + 1e−3·t)), batch 100, one relaxed sample per
// image; per-epoch test NLL with S = 100 binary draws (the authors' training check), and a final
// test NLL with S = 1000 (their test script). The authors monitor on the test set; so do we.
import { mixSeeds } from "../core/prng";
import { SEED_STREAM } from "../core/seedStreams";
import { stepSeed } from "../models/noise";
import { SOP_DEFAULTS, sopConfig, SopConfig, splitHalves, StructuredOutputPredictor } from "../models/sop";
import { integerAtLeast } from "../core/validate";
import { checkTrainSettings, ExperimentResult, ExperimentTrainOptions, ExperimentTrainSettings, inverseTimeDecay, runExperiment } from "./experimentRun";
import { loadMnistTrainTest, MnistTrainTest } from "./mnistTrainTest";

export interface SopTrainConfig extends SopConfig, ExperimentTrainSettings {
  /** The inverse-time decay rate (the appendix's "weight decay"). */
  learningRateDecay: number;
  minLearningRate: number;
  /** Binary draws per image in the per-epoch NLL (authors: 100). */
  evalSamples: number;
  /** Binary draws per image in the final NLL (authors: 1000). */
  finalEvalSamples: number;
}

export const SOP_TRAIN_DEFAULTS = {
  seed: 1,
  epochs: 100,
  batchSize: 100,
  learningRate: 1e-3,
  learningRateDecay: 1e-3,
  minLearningRate: 1e-4,
  limit: null,
  evalLimit: 1000,
  evalSamples: 100,
  finalEvalLimit: null,
  finalEvalSamples: 1000,
} as const;

/** Fills defaults and checks every field (model fields through sopConfig). */
export function sopTrainConfig(partial: Omit<Partial<SopTrainConfig>, "relaxation"> & { relaxation: unknown; runsDir: string }): SopTrainConfig {
  const trainKeys = new Set<string>([...Object.keys(SOP_TRAIN_DEFAULTS), "runId", "runsDir"]);
  const modelPart = Object.fromEntries(Object.entries(partial).filter(([k]) => !trainKeys.has(k))) as Omit<Partial<SopConfig>, "relaxation"> & { relaxation: unknown };
  const model = sopConfig({ ...modelPart, initSeed: partial.initSeed ?? partial.seed ?? SOP_TRAIN_DEFAULTS.seed });
  const defined = Object.fromEntries(Object.entries(partial).filter(([k, v]) => trainKeys.has(k) && v !== undefined));
  const c = { ...SOP_TRAIN_DEFAULTS, ...defined, ...model } as SopTrainConfig;
  checkTrainSettings(c, "SOP training");
  integerAtLeast("evalSamples", c.evalSamples, 1, "SOP training");
  integerAtLeast("finalEvalSamples", c.finalEvalSamples, 1, "SOP training");
  for (const key of ["learningRateDecay", "minLearningRate"] as const) {
    if (typeof c[key] !== "number" || !Number.isFinite(c[key]) || c[key] < 0) throw new Error(`SOP training: ${key} must be a finite number >= 0; got ${JSON.stringify(c[key])}`);
  }
  const runId = c.runId ?? ["sop", c.relaxation, `tau${c.temperature}`, ...(c.authors ? ["authors"] : []), `seed${c.seed}`, ...(c.limit !== null ? [`limit${c.limit}`] : []), `ep${c.epochs}`].join("_");
  return { ...c, runId };
}

/** The model part of a training configuration. */
export function sopModelConfig(c: SopTrainConfig): SopConfig {
  return Object.fromEntries(Object.keys({ relaxation: 0, ...SOP_DEFAULTS }).map((k) => [k, (c as unknown as Record<string, unknown>)[k]])) as unknown as SopConfig;
}

export type SopTrainOptions = ExperimentTrainOptions<MnistTrainTest>;

/** A sentence stating the compute budget of a configuration. */
export function sopBudget(c: SopTrainConfig, trainImages: number, testImages: number): string {
  const evalImages = Math.min(testImages, c.evalLimit ?? testImages);
  const finalImages = Math.min(testImages, c.finalEvalLimit ?? testImages);
  return `${c.epochs} epoch(s) on ${trainImages} MNIST training images (batch ${c.batchSize}, ${c.epochs * Math.ceil(trainImages / c.batchSize)} steps; the paper: 100 epochs on 60000); per-epoch test NLL on ${evalImages} test images with S = ${c.evalSamples}; final test NLL on ${finalImages} test images with S = ${c.finalEvalSamples}`;
}

export async function trainSop(config: SopTrainConfig, options: SopTrainOptions = {}): Promise<ExperimentResult<StructuredOutputPredictor>> {
  const data = options.data ?? (await loadMnistTrainTest(config));
  const model = new StructuredOutputPredictor(sopModelConfig(config));
  return runExperiment({
    experiment: "sop",
    config: config as unknown as SopTrainConfig & Record<string, unknown>,
    model,
    train: data.train,
    learningRate: inverseTimeDecay(config.learningRate, config.learningRateDecay, config.minLearningRate),
    loss: (m, x, step) => {
      const { upper, lower } = splitHalves(x);
      const noise = m.noise(x.shape[0], stepSeed(config.seed, step));
      const loss = m.loss(upper, lower, noise);
      noise.dispose();
      return loss;
    },
    evaluate: (m, epoch) => ({
      test_nll: m.testNll(data.test, { samples: config.evalSamples, seed: mixSeeds(config.seed, SEED_STREAM.epochEvaluation, epoch), ...(config.evalLimit !== null ? { limit: config.evalLimit } : {}) }).nll,
    }),
    finalEvaluate: (m) => {
      const result = m.testNll(data.test, { samples: config.finalEvalSamples, seed: mixSeeds(config.seed, SEED_STREAM.finalEvaluation), ...(config.finalEvalLimit !== null ? { limit: config.finalEvalLimit } : {}) });
      return { test_nll: result.nll, samples: result.samples, images: result.images };
    },
    budget: sopBudget(config, data.train.n, data.test.n),
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
    ...(options.checkpoint !== undefined ? { checkpoint: options.checkpoint } : {}),
    ...(options.keepModel !== undefined ? { keepModel: options.keepModel } : {}),
    ...(options.resume ? { resume: true } : {}),
  });
}
