// samples.json, the small picture a mixture run leaves behind (checkpoints are not committed): for
// every component the run uses (final E[π_k] > usageThreshold, the components counted in
// summary.json's components_used), its mean weight, decoded draws w ~ N(ν_k, I) of its prior
// (Bernoulli means rounded to 3 decimals) and test images whose largest weight it is. Written at the
// end of a run, atomically, on one line (about 30 kB per component with the defaults).
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { mixSeeds } from "../core/prng";
import { SEED_STREAM } from "../core/seedStreams";
import type { Dataset } from "../data/dataset";
import type { MixtureVAE } from "../models/mixtureVae";
import { readJson, writeJsonAtomic } from "./runRecord";

export const MIXTURE_SAMPLES_FILE = "samples.json";
export const MIXTURE_SAMPLES_FORMAT = "igr-ts mixture samples";

export interface MixtureSampleComponent {
  /** 0-based index of the component (its position in summary.json's final.usage). */
  component: number;
  /** E[π_k] over the final evaluation's test images (final.usage[component]). */
  weight: number;
  /** Decoded prior draws, each 784 Bernoulli means (28×28, row-major) rounded to 3 decimals. */
  draws: number[][];
  /** Test images (0/1 pixels) whose largest weight is this component; at most `perComponent`, maybe none. */
  assigned: number[][];
}

export interface MixtureSamples {
  format: typeof MIXTURE_SAMPLES_FORMAT;
  version: 1;
  runId: string;
  imageSide: number;
  perComponent: number;
  usageThreshold: number;
  /** Test images (the first ones) whose weights decided `assigned`. */
  probeImages: number;
  components: MixtureSampleComponent[];
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** The artifact of a trained model: `usage` is the final evaluation's E[π_k]; draws and probe noise from `seed`. */
export function mixtureSamples(model: MixtureVAE, test: Dataset, usage: number[], { runId, seed, perComponent = 5, usageThreshold = 0.01, probeImages = 500 }: { runId: string; seed: number; perComponent?: number; usageThreshold?: number; probeImages?: number }): MixtureSamples {
  const n = Math.min(probeImages, test.n);
  let pixels: number[][] = [];
  let assignedTo: number[] = [];
  // The first batch only; breaking out of the loop disposes its tensors.
  for (const { x } of test.batches({ batchSize: n, shuffle: false })) {
    pixels = x.arraySync() as number[][];
    // Rows are sample-major: the first n rows are the first draw of every image.
    const weights = tf.tidy(() => model.objective(x as tf.Tensor2D, model.noise(n * model.config.samples, mixSeeds(seed, SEED_STREAM.mixtureSamplesProbe))).weights.arraySync() as number[][]);
    assignedTo = weights.slice(0, n).map((w) => w.indexOf(Math.max(...w)));
    break;
  }
  const components = usage.flatMap((weight, k) => {
    if (!(weight > usageThreshold)) return [];
    const drawn = model.sampleComponent(k, perComponent, mixSeeds(seed, SEED_STREAM.mixtureSamplesDraws));
    const draws = (drawn.arraySync() as number[][]).map((row) => row.map(round3));
    drawn.dispose();
    const assigned = pixels.filter((_, i) => assignedTo[i] === k).slice(0, perComponent);
    return [{ component: k, weight, draws, assigned }];
  });
  return { format: MIXTURE_SAMPLES_FORMAT, version: 1, runId, imageSide: Math.round(Math.sqrt(model.config.inputSize)), perComponent, usageThreshold, probeImages: n, components };
}

export function writeMixtureSamples(dir: string, samples: MixtureSamples): void {
  writeJsonAtomic(path.join(dir, MIXTURE_SAMPLES_FILE), samples, { compact: true });
}

/** Reads a run's samples.json, refusing a file of another format. */
export function readMixtureSamples(dir: string): MixtureSamples {
  const file = path.join(dir, MIXTURE_SAMPLES_FILE);
  const s = readJson<MixtureSamples>(file);
  if (s.format !== MIXTURE_SAMPLES_FORMAT || s.version !== 1) throw new Error(`${file}: not an "${MIXTURE_SAMPLES_FORMAT}" file of version 1 (format ${JSON.stringify(s.format)}, version ${JSON.stringify(s.version)})`);
  return s;
}
