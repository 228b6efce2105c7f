// Bench "eval-run": what `igr eval` costs for an IGR-Planar and an IGR-SB nonlinear MNIST model on 500
// test and 500 training images with S = 1,000 importance samples, 100 authors' samples and 1,000-draw
// frequency estimates (evaluateModel, as the CLI calls it). Records wall and CPU seconds: evaluation
// is single-threaded, so CPU seconds are what the wall time is on an otherwise idle core, and they
// move much less than wall time on a shared machine. The model is at its initialisation (the run
// folders' checkpoints are not committed): every loop of the evaluation has a fixed size, so its cost
// does not depend on the weights.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/core/backend";
import { loadDataset } from "../lib/data/dataset";
import { evaluateModel } from "../lib/eval/evaluateModel";
import { CategoricalVAE } from "../lib/models/vae";
import type { BenchRecord } from "./results";

const IMAGES = 500;

export async function benchEvalRun(): Promise<BenchRecord[]> {
  await initBackend();
  const train = await loadDataset("mnist", { split: "train", limit: IMAGES, validationSize: 0 });
  const test = await loadDataset("mnist", { split: "test", limit: IMAGES });
  const records: BenchRecord[] = [];
  for (const family of ["igr-planar", "igr-sb"] as const) {
    const model = new CategoricalVAE({ model: family, arch: "nonlinear", temperature: 0.15, kl: "monte-carlo" });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    evaluateModel(model, { train, test }, { samples: 1000, authorsSamples: 100, frequencySamples: 1000 });
    const wallSeconds = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(cpu0);
    const cpuSeconds = (used.user + used.system) / 1e6;
    model.dispose();
    console.error(`  eval-run-${family}-nonlinear: ${wallSeconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU`);
    records.push({
      name: `eval-run-${family}-nonlinear`,
      backend: tf.getBackend(),
      ms: wallSeconds * 1000,
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      cpuSeconds: Math.round(cpuSeconds * 10) / 10,
      workload: `evaluateModel: ${IMAGES} test + ${IMAGES} train MNIST images, S = 1000 importance samples, 100 authors' samples, 1000 frequency draws`,
      measuredAt: new Date().toISOString(),
    });
  }
  return records;
}
