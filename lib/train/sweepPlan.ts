// What a sweep does with each run of its grid, decided from the run folder alone (so a sweep can be
// re-run, run twice at once, or run as SLURM array tasks that are requeued): a completed run is
// skipped, a run another process writes is skipped, a run with a checkpoint is resumed, a run
// without one is started (or started over, its old metrics kept), a diverged run is left for a person.
import * as fs from "node:fs";
import * as path from "node:path";
import { CHECKPOINT_FILE, RunRecord, RunStatus, RunSummary } from "./runRecord";
import { LockHolder, lockHolder } from "./runLock";

/** A run's state for a sweep: its summary's status, or "missing", or "killed" (said running, nobody writes it). */
export type SweepRunState = RunStatus | "missing" | "killed";

export interface RunProgress {
  state: SweepRunState;
  step: number;
  totalSteps: number | null;
  msPerStep: number | null;
  hasCheckpoint: boolean;
  holder: LockHolder | null;
}

export function runProgress(dir: string): RunProgress {
  const hasCheckpoint = fs.existsSync(path.join(dir, CHECKPOINT_FILE));
  const holder = lockHolder(dir);
  if (!fs.existsSync(path.join(dir, "config.json"))) return { state: holder ? "running" : "missing", step: 0, totalSteps: null, msPerStep: null, hasCheckpoint, holder };
  // Only the fields every experiment's summary has: a sweep may hold any experiment's runs.
  const summary = new RunRecord(path.dirname(dir), path.basename(dir)).readSummary<RunSummary>();
  let state: SweepRunState = summary?.status ?? "killed";
  if (holder) state = "running";
  else if (state === "running") state = "killed";
  // After a kill the summary's step is that of the last checkpoint (or of the last epoch row).
  const step = summary ? (state === "killed" && summary.checkpointStep != null ? summary.checkpointStep : summary.step) : 0;
  return { state, step, totalSteps: summary?.totalSteps ?? null, msPerStep: summary?.msPerStep ?? null, hasCheckpoint, holder };
}

export type SweepAction = "skip-done" | "skip-running" | "skip-diverged" | "start" | "resume" | "restart";

/** What a sweep does with a run in this state (see the file header). */
export function sweepAction(p: RunProgress): SweepAction {
  if (p.state === "completed") return "skip-done";
  if (p.state === "running") return "skip-running";
  if (p.state === "diverged") return "skip-diverged";
  if (p.state === "missing") return "start";
  return p.hasCheckpoint ? "resume" : "restart";
}
