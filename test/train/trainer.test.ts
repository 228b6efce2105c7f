// The training loop on a tiny problem (tinyVae.ts): resume after a kill or a Ctrl-C gives
// bit-identical metrics and weights to an uninterrupted run; a NaN loss stops the run naming the step,
// the batch and the last good checkpoint; numTensors is flat.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useDefaultBackend } from "../helpers/setup";
import { readCheckpoint } from "../../lib/train/checkpoint";
import { RunRecord } from "../../lib/train/runRecord";
import { train, TrainerState, TrainingDivergedError } from "../../lib/train/trainer";
import { assertSameCheckpoint, assertSameMetrics, DATA, tinyConfig as config } from "./tinyVae";

useDefaultBackend();

test("resume after a kill or after Ctrl-C is bit-identical to an uninterrupted run; numTensors is flat", async () => {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-train-"));
  const counts: number[] = [];
  const full = await train(config(runsDir, "full"), { data: DATA, progress: "none", onStep: () => counts.push(tf.memory().numTensors) });
  assert.equal(full.status, "completed");
  assert.equal(full.metrics.length, 2);
  // The record names its checkpoint relative to the run folder (committed records carry no local paths).
  assert.equal(full.summary.checkpoint, "checkpoint.igrckpt");
  // Training moved the loss (so equality below compares real trajectories).
  assert.ok(full.metrics[1].train_loss < full.metrics[0].train_loss, `loss ${full.metrics[0].train_loss} -> ${full.metrics[1].train_loss}`);
  // The tensor count never changes within an epoch (steps 1-4 and 5-8) nor across epochs.
  assert.equal(counts.length, 8);
  assert.deepEqual(new Set(counts).size, 1, `numTensors per step: ${counts}`);

  // Killed after 7 steps (last checkpoint: step 6, mid-epoch 2), then resumed.
  const killed = await train(config(runsDir, "killed"), { data: DATA, progress: "none", killAfterSteps: 7 });
  assert.equal(killed.step, 7);
  assert.equal(readCheckpoint<TrainerState>(path.join(runsDir, "killed", "checkpoint.igrckpt")).header.state.step, 6);
  const resumed = await train(config(runsDir, "killed"), { data: DATA, progress: "none", resume: true });
  assert.equal(resumed.status, "completed");
  assertSameMetrics(full.metrics, new RunRecord(runsDir, "killed").readMetrics());
  assertSameCheckpoint(path.join(runsDir, "full", "checkpoint.igrckpt"), path.join(runsDir, "killed", "checkpoint.igrckpt"));

  // Ctrl-C at step 3: a checkpoint is written at once, status "interrupted"; resume finishes identically.
  const interrupted = await train(config(runsDir, "sigint"), {
    data: DATA, progress: "none",
    onStep: (step) => {
      if (step === 3) process.emit("SIGINT");
    },
  });
  assert.equal(interrupted.status, "interrupted");
  assert.equal(interrupted.step, 3);
  assert.equal(readCheckpoint<{ step: number }>(path.join(runsDir, "sigint", "checkpoint.igrckpt")).header.state.step, 3);
  const finished = await train(config(runsDir, "sigint"), { data: DATA, progress: "none", resume: true });
  assertSameMetrics(full.metrics, finished.metrics);
  assertSameCheckpoint(path.join(runsDir, "full", "checkpoint.igrckpt"), path.join(runsDir, "sigint", "checkpoint.igrckpt"));

  // A run folder is never silently overwritten, and a changed configuration cannot resume it.
  await assert.rejects(train(config(runsDir, "full"), { data: DATA, progress: "none" }), /already exists: resume it/);
  const changed = { ...config(runsDir, "full"), tau: 0.25 };
  await assert.rejects(train(changed, { data: DATA, progress: "none", resume: true }), /configuration differs .* fields tau/);
});

test("a NaN loss stops the run with the step, the batch and the last good checkpoint; earlier records stay", async () => {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-nan-"));
  let decoderBias: tf.Variable | null = null;
  const run = train(config(runsDir, "nan"), {
    data: DATA, progress: "none",
    onModel: (model) => {
      decoderBias = model.namedVariables().find((v) => v.name === "decoder/0/bias")!.variable;
    },
    onStep: (step) => {
      // After step 6 (checkpoint at 6; epoch 1's metrics row written at step 4), poison a weight.
      if (step === 6) tf.tidy(() => decoderBias!.assign(tf.fill([784], NaN)));
    },
  });
  await assert.rejects(run, (err: Error) => {
    assert.ok(err instanceof TrainingDivergedError);
    assert.equal(err.step, 6);
    assert.equal(err.epoch, 1);
    assert.equal(err.batchIndex, 2);
    assert.match(err.message, /loss is NaN at step 6 \(epoch 2, batch 2\); the last good checkpoint is .*nan[\\/]checkpoint\.igrckpt/);
    return true;
  });
  const record = new RunRecord(runsDir, "nan");
  assert.equal(record.readSummary()!.status, "diverged");
  assert.equal(record.readMetrics().length, 1, "epoch 1's metrics row is kept");
  assert.equal(readCheckpoint<TrainerState>(record.checkpointFile).header.state.step, 6);
});
