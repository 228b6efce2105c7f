// A real SLURM run of a sweep: a one-node cluster (slurmCluster.ts) takes a 2×2 tiny grid from
// `igr sweep --slurm`; one task is told to stop as SLURM does before a time limit or at preemption
// (`scancel --signal=USR1 --batch`), checkpoints, requeues itself and resumes. Every run completes and
// the preempted one ends bit-identical to the same run trained without interruption.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { RunRecord } from "../../lib/train/runRecord";
import { assertSameCheckpoint, assertSameMetrics } from "../train/tinyVae";
import { startCluster, whyNoSlurm } from "./slurmCluster";

const ROOT = path.join(__dirname, "..", "..");
const IGR = path.join(ROOT, "bin", "igr.js");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// 120 steps per run: long enough to be caught mid-run, short enough for a unit test.
const GRID = { model: ["igr-i", "gs"], dataset: "mnist", arch: "linear", tau: 0.5, epochs: 2, limit: 600, batchSize: 10, evalLimit: 50, trainEvalLimit: 50, seed: [1, 2] };
const FIRST_RUN = "igr-i_mnist_linear_tau0.5_lr0.0001_seed1_limit600";

test("igr sweep --slurm: every run completes; a task stopped by USR1 requeues and resumes bit-identically", { timeout: 240_000 }, async (t) => {
  const why = whyNoSlurm();
  if (why) {
    t.skip(why);
    return;
  }
  let cluster;
  try {
    cluster = await startCluster();
  } catch (err) {
    t.skip(`the test cluster did not start: ${(err as Error).message}`);
    return;
  }
  try {
    const work = path.join(cluster.dir, "work");
    fs.mkdirSync(work);
    const grid = path.join(work, "grid.json");
    fs.writeFileSync(grid, JSON.stringify(GRID));
    const runsDir = path.join(work, "runs");
    const env = { ...cluster.env, IGR_QUIET: "1" };
    const submit = spawnSync(process.execPath, [IGR, "sweep", grid, "--slurm", "--time", "0:10:00", "--runs-dir", runsDir], { encoding: "utf8", env, cwd: ROOT });
    assert.equal(submit.status, 0, submit.stderr);
    const jobId = /submitted job (\d+): 4 tasks/.exec(submit.stdout)?.[1];
    assert.ok(jobId, submit.stdout);

    // Task 0 is stopped once it has taken a step (its log shows the progress lines).
    const log0 = path.join(runsDir, "sweep-logs", "slurm-grid", "task-0.log");
    const deadline = Date.now() + 60_000;
    while (!(fs.existsSync(log0) && /\d+\/120 steps/.test(fs.readFileSync(log0, "utf8")))) {
      assert.ok(Date.now() < deadline, "task 0 did not start within 60 s");
      await sleep(100);
    }
    // scancel's own exit status is not the test: when the task requeues itself while scancel still
    // polls the job, scancel reports "already completing" although the signal was delivered.
    const scancel = spawnSync("scancel", ["--verbose", "--signal=USR1", "--batch", `${jobId}_0`], { encoding: "utf8", env });
    assert.match(scancel.stderr, /Signal 10 to batch job/, scancel.stderr);

    const done = () => GRID.model.every((m) => GRID.seed.every((s) => new RunRecord(runsDir, `${m}_mnist_linear_tau0.5_lr0.0001_seed${s}_limit600`).readSummary()?.status === "completed"));
    const finish = Date.now() + 180_000;
    while (!done() || spawnSync("squeue", ["-h", "-j", jobId!], { encoding: "utf8", env }).stdout.trim() !== "") {
      assert.ok(Date.now() < finish, `the grid did not finish within 3 minutes:\n${spawnSync(process.execPath, [IGR, "sweep", "status", grid, "--runs-dir", runsDir], { encoding: "utf8", env }).stdout}`);
      await sleep(1000);
    }
    const log = fs.readFileSync(log0, "utf8");
    assert.match(log, /SIGUSR1: stopped mid-epoch at step \d+/);
    assert.match(log, /igr exited with 138/);
    assert.match(log, /restart 1,/, "the task ran again after its requeue");
    assert.match(log, new RegExp(`task 0: resume ${FIRST_RUN}`));
    const status = spawnSync(process.execPath, [IGR, "sweep", "status", grid, "--runs-dir", runsDir], { encoding: "utf8", env });
    assert.match(status.stdout, /^4 runs: 4 done$/m);

    // The same run without interruption, here.
    const reference = path.join(work, "reference");
    const args = ["--model", "igr-i", "--dataset", "mnist", "--arch", "linear", "--tau", "0.5", "--epochs", "2", "--limit", "600", "--batch-size", "10", "--eval-limit", "50", "--train-eval-limit", "50", "--seed", "1", "--progress", "none"];
    const ref = spawnSync(process.execPath, [IGR, "train", ...args, "--runs-dir", reference], { encoding: "utf8", env, cwd: ROOT });
    assert.equal(ref.status, 0, ref.stderr);
    const a = new RunRecord(reference, FIRST_RUN);
    const b = new RunRecord(runsDir, FIRST_RUN);
    assertSameMetrics(a.readMetrics(), b.readMetrics());
    assertSameCheckpoint(a.checkpointFile, b.checkpointFile);
  } finally {
    await cluster.stop();
  }
});
