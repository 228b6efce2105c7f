// The tiny VAE problem the training-loop tests share: 200 synthetic 28×28 binary images (a blob per
// example, so training moves), batch 50, linear IGR-I, 2 epochs of 4 steps, a checkpoint every 3 steps.
import assert from "node:assert/strict";
import { mulberry32 } from "../helpers/setup";
import { Dataset } from "../../lib/data/dataset";
import { readCheckpoint } from "../../lib/train/checkpoint";
import { TrainConfig, trainConfig } from "../../lib/train/config";
import { METRIC_COLUMNS, MetricRow } from "../../lib/train/runRecord";
import type { TrainData, TrainerState } from "../../lib/train/trainer";

export function synthetic(n: number, seed: number, split: "train" | "validation" | "test"): Dataset {
  const rand = mulberry32(seed);
  const images = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) {
    const cx = 8 + rand() * 12;
    const cy = 8 + rand() * 12;
    for (let p = 0; p < 784; p++) {
      const d = Math.hypot((p % 28) - cx, Math.floor(p / 28) - cy);
      images[i * 784 + p] = d < 5 + rand() ? 1 : 0;
    }
  }
  return new Dataset("mnist", split, "static", images, new Int32Array(n), [], 0, `synthetic ${split}`, []);
}

export const DATA: TrainData = { train: synthetic(200, 1, "train"), validation: synthetic(50, 2, "validation"), test: synthetic(50, 3, "test") };

export function tinyConfig(runsDir: string, runId: string): TrainConfig {
  return trainConfig({
    model: "igr-i", dataset: "mnist", arch: "linear", tau: 0.5, epochs: 2, batchSize: 50, learningRate: 1e-3, seed: 5,
    evalLimit: 50, trainEvalLimit: 50, checkpointEvery: 3, runsDir, runId,
  });
}

const COMPARED = METRIC_COLUMNS.filter((c) => c !== "elapsed_s");

/** Every metric but the wall time equal, bit for bit. */
export function assertSameMetrics(a: MetricRow[], b: MetricRow[]): void {
  assert.equal(a.length, b.length);
  a.forEach((row, i) => COMPARED.forEach((c) => assert.equal(b[i][c], row[c], `epoch ${row.epoch} ${c}: ${b[i][c]} vs ${row[c]}`)));
}

/** Same tensors bit for bit and the same loop state (but the wall time). */
export function assertSameCheckpoint(fileA: string, fileB: string): void {
  const a = readCheckpoint<TrainerState>(fileA);
  const b = readCheckpoint<TrainerState>(fileB);
  assert.equal(a.values.size, b.values.size);
  for (const [name, value] of a.values) {
    const other = b.values.get(name)!.data;
    assert.ok(value.data.every((v, i) => Object.is(v, other[i])), `tensor ${name} differs`);
  }
  assert.deepEqual({ ...a.header.state, elapsedBefore: 0 }, { ...b.header.state, elapsedBefore: 0 });
}
