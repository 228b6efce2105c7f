// The compute a VAE sweep grid costs, from the step times measured on this project's bench
// (bench/results.json, entries "vae-step-<arch>-<model>": ms per step at batch 100, S = 1, one core).
// Training steps only: the per-epoch evaluations add a little (a few per cent at evalEvery ≥ 10).
import * as fs from "node:fs";
import type { TrainConfig } from "./config";

/** Training images per epoch when nothing is held out; a sixth goes to validation by default. */
const TRAINING_POOL: Record<string, number> = { mnist: 60000, "fashion-mnist": 60000, omniglot: 24345 };

export interface RunCost {
  runId: string;
  steps: number;
  msPerStep: number;
  cpuHours: number;
}

/** ms per step of each "<arch>-<model>" from a bench results file. */
export function measuredStepTimes(resultsFile: string): Map<string, number> {
  const results = JSON.parse(fs.readFileSync(resultsFile, "utf8")) as Array<{ name?: string; msPerStep?: number }>;
  const times = new Map<string, number>();
  for (const r of results) {
    const m = /^vae-step-(linear|nonlinear)-(.+)$/.exec(r.name ?? "");
    if (m && typeof r.msPerStep === "number") times.set(`${m[1]}-${m[2]}`, r.msPerStep);
  }
  return times;
}

/** Steps of a run: epochs × batches of its training split (the pool less the validation images, or `limit`). */
export function trainingSteps(c: TrainConfig): number {
  const pool = TRAINING_POOL[c.dataset];
  const train = pool - (c.validationSize ?? Math.round(pool / 6));
  return c.epochs * Math.ceil(Math.min(train, c.limit ?? train) / c.batchSize);
}

/** The cost of one run: the measured step time scaled by batch size and samples S. */
export function runCost(c: TrainConfig, times: Map<string, number>): RunCost {
  const base = times.get(`${c.arch}-${c.model}`);
  if (base === undefined) throw new Error(`no measured step time for ${c.arch} ${c.model} in the bench results (run npm run bench)`);
  const msPerStep = base * (c.batchSize / 100) * c.samples;
  const steps = trainingSteps(c);
  return { runId: c.runId, steps, msPerStep, cpuHours: (steps * msPerStep) / 3.6e6 };
}
