// A run is never lost: a checkpoint write the disk cuts short (injected, and a real full tmpfs) keeps
// the previous checkpoint and marks the run failed with the file, the bytes needed and free; a resume
// without a checkpoint is refused and changes nothing; a second writer is refused while the first
// runs; a stale lock is taken over; runExperiment stops on a signal and resumes bit-identically.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useDefaultBackend } from "../helpers/setup";
import { Dataset } from "../../lib/data/dataset";
import { CheckpointFs, CheckpointWriteError, nodeCheckpointFs, readCheckpoint } from "../../lib/train/checkpoint";
import { readExperimentRun, runExperiment } from "../../lib/train/experimentRun";
import { RunRecord } from "../../lib/train/runRecord";
import { LOCK_FILE, RunLockedError } from "../../lib/train/runLock";
import { ResumeRefusedError, train, TrainerState } from "../../lib/train/trainer";
import { assertSameCheckpoint, assertSameMetrics, DATA, tinyConfig } from "./tinyVae";

useDefaultBackend();

const quiet = { data: DATA, progress: "none" as const };

/** Every file of a folder with its bytes (to show that nothing changed). */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f)).toString("base64")]));
}

/** Checkpoint writes that work `good` times, then fail the way a full disk does. */
function fullDiskAfter(good: number, failure: "short" | "ENOSPC"): CheckpointFs {
  let opened = 0;
  return {
    ...nodeCheckpointFs,
    openSync: (file, flags) => {
      opened++;
      return nodeCheckpointFs.openSync(file, flags);
    },
    writeSync: (fd, buffer, offset, length) => {
      if (opened <= good || length < 1000) return nodeCheckpointFs.writeSync(fd, buffer, offset, length);
      if (failure === "short") return offset === 0 ? nodeCheckpointFs.writeSync(fd, buffer, 0, length >> 1) : 0;
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    },
  };
}

for (const failure of ["short", "ENOSPC"] as const) {
  test(`a ${failure === "short" ? "short write" : "ENOSPC"} keeps the previous checkpoint, marks the run failed with the reason, leaves no temp file; resume then finishes identically`, async () => {
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-full-"));
    const full = await train(tinyConfig(runsDir, "full"), quiet);
    // First checkpoint (step 3) is written; the second (end of epoch 1, step 4) meets a full disk.
    const record = new RunRecord(runsDir, "disk");
    let before: Buffer | null = null;
    const run = train(tinyConfig(runsDir, "disk"), {
      ...quiet,
      checkpointFs: fullDiskAfter(1, failure),
      onStep: (step) => {
        if (step === 4) before = fs.readFileSync(record.checkpointFile);
      },
    });
    await assert.rejects(run, (err: Error) => {
      assert.ok(err instanceof CheckpointWriteError, String(err));
      assert.match(err.message, new RegExp(`cannot write checkpoint .*disk[\\\\/]checkpoint\\.igrckpt: .*it needs \\d+ bytes, \\d+ bytes are free on that file system`));
      return true;
    });
    assert.ok(before !== null);
    assert.ok(fs.readFileSync(record.checkpointFile).equals(before!), "the previous checkpoint is unchanged");
    assert.equal(readCheckpoint<TrainerState>(record.checkpointFile).header.state.step, 3);
    const summary = record.readSummary()!;
    assert.equal(summary.status, "failed");
    assert.match(summary.message!, /cannot write checkpoint/);
    assert.equal(summary.checkpointStep, 3);
    assert.deepEqual(fs.readdirSync(record.dir).filter((f) => f.includes(".tmp") || f === LOCK_FILE), [], "no temp file, no lock left");
    const resumed = await train(tinyConfig(runsDir, "disk"), { ...quiet, resume: true });
    assert.equal(resumed.status, "completed");
    assertSameMetrics(full.metrics, resumed.metrics);
    assertSameCheckpoint(path.join(runsDir, "full", "checkpoint.igrckpt"), record.checkpointFile);
  });
}

test("a real full disk (a small tmpfs) fails the run at the checkpoint that does not fit and keeps the previous one", async (t) => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "igr-probe-"));
  await train({ ...tinyConfig(scratch, "probe"), epochs: 1 }, quiet);
  const checkpointBytes = fs.statSync(path.join(scratch, "probe", "checkpoint.igrckpt")).size;
  // Room for the records and one checkpoint, not for the second one's temp file beside it.
  const size = Math.ceil((checkpointBytes * 1.5) / 4096) * 4096;
  const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), "igr-tmpfs-"));
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", mountPoint], { encoding: "utf8" });
  if (mount.status !== 0) {
    t.skip(`cannot mount a tmpfs here (mount -t tmpfs: ${(mount.stderr || mount.error?.message || "").trim()}); the injected short write / ENOSPC tests above cover the logic`);
    return;
  }
  try {
    const record = new RunRecord(mountPoint, "tiny");
    await assert.rejects(train(tinyConfig(mountPoint, "tiny"), quiet), /cannot write checkpoint .*tiny[\\/]checkpoint\.igrckpt: ENOSPC.*it needs \d+ bytes, \d+ bytes are free/);
    assert.equal(readCheckpoint<TrainerState>(record.checkpointFile).header.state.step, 3);
    assert.equal(record.readSummary()!.status, "failed");
    assert.deepEqual(fs.readdirSync(record.dir).filter((f) => f.includes(".tmp") || f === LOCK_FILE), []);
  } finally {
    spawnSync("umount", [mountPoint]);
    fs.rmSync(mountPoint, { recursive: true, force: true });
  }
});

test("resume without a checkpoint is refused and changes nothing; --restart keeps the old metrics", async () => {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-nockpt-"));
  await train(tinyConfig(runsDir, "r"), quiet);
  const record = new RunRecord(runsDir, "r");
  fs.rmSync(record.checkpointFile); // as in a committed record: checkpoints are not committed
  const before = snapshot(record.dir);
  await assert.rejects(train({ ...tinyConfig(runsDir, "r"), epochs: 3 }, { ...quiet, resume: true }), (err: Error) => err instanceof ResumeRefusedError && /has no checkpoint .*nothing was changed.*--restart/.test(err.message));
  assert.deepEqual(snapshot(record.dir), before);
  const oldMetrics = fs.readFileSync(record.metricsFile, "utf8");
  const restarted = await train(tinyConfig(runsDir, "r"), { ...quiet, restart: true });
  assert.equal(restarted.status, "completed");
  const history = record.readConfig().history!;
  assert.equal(history.length, 1);
  assert.equal(history[0].event, "restart");
  assert.equal(fs.readFileSync(path.join(record.dir, history[0].metricsKeptAs!), "utf8"), oldMetrics);
});

test("a second writer is refused while the first trains, naming the holder; a stale lock is taken over", async () => {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-lock-"));
  // Settled at once (an unhandled rejection would end the test before the first writer finishes).
  const attempts: Array<Promise<unknown>> = [];
  const settled = (p: Promise<unknown>) => p.then(() => "no error", (err: unknown) => err);
  const first = await train(tinyConfig(runsDir, "a"), {
    ...quiet,
    onStep: (step) => {
      if (step !== 4) return;
      attempts.push(settled(train(tinyConfig(runsDir, "a"), { ...quiet, resume: true })), settled(train(tinyConfig(runsDir, "a"), quiet)));
    },
  });
  assert.equal(first.status, "completed");
  assert.equal(attempts.length, 2);
  for (const attempt of attempts) {
    const err = (await attempt) as Error;
    assert.ok(err instanceof RunLockedError, String(err));
    assert.match(err.message, new RegExp(`being written by pid ${process.pid} on ${os.hostname()}`));
  }
  assert.equal(new RunRecord(runsDir, "a").readMetrics().length, 2, "the refused writers wrote nothing");
  // A lock whose process is gone (same host) is stale.
  const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
  fs.writeFileSync(path.join(runsDir, "a", LOCK_FILE), JSON.stringify({ pid: dead, host: os.hostname(), startedAt: "2020-01-01T00:00:00Z", command: "igr train" }));
  const more = await train({ ...tinyConfig(runsDir, "a"), epochs: 3 }, { ...quiet, resume: true });
  assert.equal(more.status, "completed");
  assert.ok(!fs.existsSync(path.join(runsDir, "a", LOCK_FILE)));
});

test("runExperiment stops on SIGTERM with a checkpoint and resumes bit-identically", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-exp-stop-"));
  const n = 12;
  const images = new Float32Array(n * 784).map((_, i) => ((i * 7919) % 13) / 13);
  const data = new Dataset("mnist", "train", "static", images, new Int32Array(n), ["0"], 0, "tiny", []);
  const run = async (runId: string, resume: boolean, stopAt: number | null) => {
    const w = tf.variable(tf.scalar(3));
    return runExperiment({
      experiment: "sop", config: { runId, runsDir: dir, seed: 1, epochs: 3, batchSize: 5 }, model: { namedVariables: () => [{ name: "w", variable: w as tf.Variable }], dispose: () => w.dispose() },
      train: data, budget: "", progress: "none", resume,
      learningRate: (step) => {
        if (step === stopAt) process.emit("SIGTERM" as never);
        return 0.1 / (1 + step);
      },
      // The loss depends on which images are in the batch, so a wrong data order after resume shows.
      loss: (_m, x) => tf.mean(tf.square(tf.sub(tf.mean(x, 1), w))) as tf.Scalar,
      evaluate: () => ({ w: w.dataSync()[0] }),
    });
  };
  const full = await run("full", false, null);
  // Step 5 is mid-epoch; step 6 is an epoch's last step (3 per epoch), stopped before that epoch's end.
  for (const stopAfter of [5, 6]) {
    const id = `stopped-${stopAfter}`;
    const stopped = await run(id, false, stopAfter - 1);
    assert.equal(stopped.status, "interrupted");
    assert.equal(stopped.stoppedBy, "SIGTERM");
    assert.equal(stopped.summary.step, stopAfter);
    assert.equal(stopped.summary.checkpointStep, stopAfter);
    const resumed = await run(id, true, null);
    assert.equal(resumed.status, "completed");
    assert.deepEqual(readExperimentRun(path.join(dir, id)).metrics.map(({ elapsed_s, ...r }) => r), full.metrics.map(({ elapsed_s, ...r }) => r), `stopped after step ${stopAfter}`);
  }
  assert.ok(full.metrics[2].w !== full.metrics[0].w);
  await assert.rejects(run("full", true, null).then(() => run("none", true, null)), /cannot resume run .*none: no .*config\.json/);
});

test("a resumed runExperiment reports the rate of its own steps, not of the steps before the checkpoint", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-exp-rate-"));
  const data = new Dataset("mnist", "train", "static", new Float32Array(9 * 784).fill(0.5), new Int32Array(9), ["0"], 0, "tiny", []);
  const run = async (resume: boolean, stopAt: number | null, stepMs: number) => {
    const w = tf.variable(tf.scalar(3));
    return runExperiment({
      experiment: "sop", config: { runId: "r", runsDir: dir, seed: 1, epochs: 3, batchSize: 3 }, model: { namedVariables: () => [{ name: "w", variable: w as tf.Variable }], dispose: () => w.dispose() },
      train: data, budget: "", progress: resume ? "lines" : "none", resume,
      learningRate: (step) => {
        if (step === stopAt) process.emit("SIGTERM" as never);
        return 0.1;
      },
      loss: () => {
        for (const until = Date.now() + stepMs; Date.now() < until; );
        return tf.square(w) as tf.Scalar;
      },
      evaluate: () => ({}),
    });
  };
  assert.equal((await run(false, 7, 0)).summary.step, 8);
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    await run(true, null, 60);
  } finally {
    process.stderr.write = write;
  }
  // One step of at least 59 ms in this process (Date.now() counts whole ms): at most 1/0.059 ≈ 17
  // steps/s, 18 with the display's rounding. Counting the 8 steps before the checkpoint as well would
  // show about 9/0.06 = 150.
  const rates = lines.flatMap((l) => [...l.matchAll(/([\d.]+) steps\/s/g)].map((m) => Number(m[1])));
  assert.ok(rates.length > 0, `no progress line in ${JSON.stringify(lines)}`);
  for (const r of rates) assert.ok(r <= 18, `rate ${r} steps/s after one 60 ms step`);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("runExperiment shows the final evaluation's progress on the run's progress display", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-exp-final-"));
  const data = new Dataset("mnist", "train", "static", new Float32Array(3 * 784).fill(0.5), new Int32Array(3), ["0"], 0, "tiny", []);
  const w = tf.variable(tf.scalar(3));
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    await runExperiment({
      experiment: "sop", config: { runId: "f", runsDir: dir, seed: 1, epochs: 1, batchSize: 3 }, model: { namedVariables: () => [{ name: "w", variable: w as tf.Variable }], dispose: () => w.dispose() },
      train: data, budget: "", progress: "lines", learningRate: () => 0.1, loss: () => tf.square(w) as tf.Scalar, evaluate: () => ({}),
      finalEvaluate: (_m, onProgress) => {
        for (let done = 100; done <= 1000; done += 100) onProgress("test log-likelihood, images", done, 1000);
        return { done: true };
      },
    });
  } finally {
    process.stderr.write = write;
  }
  const shown = lines.filter((l) => l.startsWith("final evaluation, test log-likelihood, images: "));
  // "lines" mode draws at every tenth and at the end: all ten counts here, the last one 1000/1000.
  assert.equal(shown.length, 10, JSON.stringify(lines));
  assert.match(shown[9], /: 1000\/1000 {2}ETA 0:00\n$/);
  fs.rmSync(dir, { recursive: true, force: true });
});
