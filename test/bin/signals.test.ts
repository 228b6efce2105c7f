// Stopping `igr train` the ways people and schedulers do: Ctrl-C through `npm run igr` (the terminal
// signals the whole process group), SIGTERM and SIGUSR1 to the installed command (bin/igr.js, one node
// process). Each leaves a checkpoint and a truthful record and exits 130 / 143 / 138, and `--resume`
// then ends with metrics and weights bit-identical to an uninterrupted run (tiny seeded MNIST run).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunRecord } from "../../lib/train/runRecord";
import { assertSameCheckpoint, assertSameMetrics } from "../train/tinyVae";

const ROOT = path.join(__dirname, "..", "..");
const IGR = path.join(ROOT, "bin", "igr.js");
// 120 steps of batch 10 on 600 MNIST images: a few seconds, long enough to be stopped mid-run.
const TINY = ["--model", "igr-i", "--dataset", "mnist", "--arch", "linear", "--tau", "0.5", "--epochs", "2", "--limit", "600", "--batch-size", "10", "--eval-limit", "50", "--train-eval-limit", "50", "--seed", "3", "--progress", "lines"];
const env = { ...process.env, IGR_QUIET: "1" };

function igr(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [IGR, ...args], { encoding: "utf8", env, cwd: ROOT });
}

/** Starts a run, sends `signal` once it has taken a step, and resolves with its exit code and output. */
function stopMidRun(command: string, args: string[], signal: NodeJS.Signals, toGroup: boolean): Promise<{ code: number | null; output: string; seconds: number }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, cwd: ROOT, detached: toGroup });
    let output = "";
    let sentAt = 0;
    const onData = (d: Buffer) => {
      output += d.toString();
      if (sentAt === 0 && /\d+\/\d+ steps/.test(output)) {
        sentAt = Date.now();
        if (toGroup) process.kill(-child.pid!, signal);
        else child.kill(signal);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("close", (code) => resolve({ code, output, seconds: (Date.now() - sentAt) / 1000 }));
  });
}

test("Ctrl-C through npm run igr, SIGTERM and SIGUSR1 each checkpoint, record the truth, and resume bit-identically", async () => {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-signals-"));
  const full = igr(["train", ...TINY, "--runs-dir", runsDir, "--run-id", "full"]);
  assert.equal(full.status, 0, full.stderr);
  const fullRecord = new RunRecord(runsDir, "full");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const cases = [
    { signal: "SIGINT" as const, code: 130, start: (id: string) => stopMidRun(npm, ["run", "--silent", "igr", "--", "train", ...TINY, "--runs-dir", runsDir, "--run-id", id], "SIGINT", true) },
    { signal: "SIGTERM" as const, code: 143, start: (id: string) => stopMidRun(process.execPath, [IGR, "train", ...TINY, "--runs-dir", runsDir, "--run-id", id], "SIGTERM", false) },
    { signal: "SIGUSR1" as const, code: 138, start: (id: string) => stopMidRun(process.execPath, [IGR, "train", ...TINY, "--runs-dir", runsDir, "--run-id", id], "SIGUSR1", false) },
  ];
  for (const c of cases) {
    const id = `stopped-${c.signal}`;
    const stopped = await c.start(id);
    const record = new RunRecord(runsDir, id);
    const summary = record.readSummary()!;
    assert.equal(summary.status, "interrupted", `${c.signal}: ${stopped.output}`);
    assert.equal(summary.stoppedBy, c.signal);
    assert.ok(summary.step > 0 && summary.step < summary.totalSteps, `${c.signal} stopped at step ${summary.step} of ${summary.totalSteps}`);
    assert.equal(summary.checkpointStep, summary.step, "the record names the checkpoint's step");
    assert.ok(stopped.seconds < 5, `${c.signal}: ${stopped.seconds} s from the signal to the exit`);
    if (c.signal !== "SIGINT") assert.equal(stopped.code, c.code, stopped.output);
    else assert.notEqual(stopped.code, 0);
    assert.deepEqual(fs.readdirSync(record.dir).filter((f) => f.includes(".tmp") || f === "lock.json"), []);
    const resumed = igr(["train", "--resume", record.dir]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal(record.readSummary()!.status, "completed");
    assertSameMetrics(fullRecord.readMetrics(), record.readMetrics());
    assertSameCheckpoint(fullRecord.checkpointFile, record.checkpointFile);
  }
});

test("igr sop stopped by SIGTERM resumes to the same numbers as an uninterrupted run", async () => {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-sop-signal-"));
  const sop = ["sop", "--relaxation", "igr-i", "--tau", "0.5", "--epochs", "2", "--limit", "300", "--eval-limit", "10", "--final-eval-limit", "10", "--runs-dir", runsDir, "--progress", "lines"];
  assert.equal(igr([...sop, "--run-id", "full"]).status, 0);
  const stopped = await stopMidRun(process.execPath, [IGR, ...sop, "--run-id", "stopped"], "SIGTERM", false);
  assert.equal(stopped.code, 143, stopped.output);
  const resumed = igr(["sop", "--resume", path.join(runsDir, "stopped"), "--progress", "none"]);
  assert.equal(resumed.status, 0, resumed.stderr);
  const read = (id: string) => ({
    metrics: fs.readFileSync(path.join(runsDir, id, "metrics.csv"), "utf8").trim().split("\n").map((l) => l.split(",").slice(0, -1).join(",")),
    final: JSON.parse(fs.readFileSync(path.join(runsDir, id, "summary.json"), "utf8")).final,
  });
  assert.deepEqual(read("stopped"), read("full"));
});
