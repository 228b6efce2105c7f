// What a sweep does with a run, from its folder alone: each state built by hand, including locks held
// by a live process, left by a dead one, and held from another host (stale only when not refreshed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LOCK_FILE, STALE_AFTER_S } from "../../lib/train/runLock";
import { runProgress, sweepAction } from "../../lib/train/sweepPlan";

function folder(root: string, name: string, status: string | null, checkpoint: boolean, lock?: { pid: number; host: string; ageS?: number }): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  if (status !== null) {
    fs.writeFileSync(path.join(dir, "config.json"), "{}");
    fs.writeFileSync(path.join(dir, "summary.json"), JSON.stringify({ status, step: 40, totalSteps: 100, msPerStep: 10, checkpointStep: 30 }));
  }
  if (checkpoint) fs.writeFileSync(path.join(dir, "checkpoint.igrckpt"), "x");
  if (lock) {
    const file = path.join(dir, LOCK_FILE);
    fs.writeFileSync(file, JSON.stringify({ pid: lock.pid, host: lock.host, startedAt: "2026-01-01T00:00:00Z", command: "igr train" }));
    if (lock.ageS) {
      const then = new Date(Date.now() - lock.ageS * 1000);
      fs.utimesSync(file, then, then);
    }
  }
  return dir;
}

test("a sweep starts, resumes, restarts or skips each run from its folder's state", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "igr-plan-"));
  const live = spawn("sleep", ["30"]);
  const dead = spawn(process.execPath, ["-e", "0"]);
  await new Promise((r) => dead.on("exit", r));
  try {
    const host = os.hostname();
    const cases: Array<[string, string | null, boolean, { pid: number; host: string; ageS?: number } | undefined, string, string]> = [
      ["missing", null, false, undefined, "missing", "start"],
      ["done", "completed", true, undefined, "completed", "skip-done"],
      ["live", "running", true, { pid: live.pid!, host }, "running", "skip-running"],
      ["killed-with-checkpoint", "running", true, { pid: dead.pid!, host }, "killed", "resume"],
      ["killed-before-checkpoint", "running", false, undefined, "killed", "restart"],
      ["interrupted", "interrupted", true, undefined, "interrupted", "resume"],
      ["failed", "failed", true, undefined, "failed", "resume"],
      ["diverged", "diverged", true, undefined, "diverged", "skip-diverged"],
      ["other-host-fresh", "running", true, { pid: 1, host: "another-node" }, "running", "skip-running"],
      ["other-host-stale", "running", true, { pid: 1, host: "another-node", ageS: STALE_AFTER_S + 60 }, "killed", "resume"],
    ];
    for (const [name, status, checkpoint, lock, state, action] of cases) {
      const p = runProgress(folder(root, name, status, checkpoint, lock));
      assert.equal(p.state, state, name);
      assert.equal(sweepAction(p), action, name);
    }
    // After a kill the step to continue from is the checkpoint's, not the summary's last one.
    assert.equal(runProgress(path.join(root, "killed-with-checkpoint")).step, 30);
    assert.equal(runProgress(path.join(root, "interrupted")).step, 40);
  } finally {
    live.kill();
  }
});
