// The files of a run folder data/runs/<id>/:
//   config.json        the TrainConfig, its hash, the backend and the start time
//   metrics.csv        one row per evaluated epoch (train/validation/test metrics)
//   summary.json       status, progress, the last row of metrics and timing; `igr eval` adds "eval"
//   checkpoint.igrckpt the latest checkpoint (not committed; see checkpoint.ts for the format)
//   lock.json          present while a process writes the run (runLock.ts; not committed)
//   metrics.restarted-<time>.csv  the metrics of an earlier attempt, kept by `igr train --restart`
// JSON files are written atomically (temp file + rename; the temp file is removed if that fails).
import * as fs from "node:fs";
import * as path from "node:path";
import type { TrainConfig } from "./config";

export const CHECKPOINT_FILE = "checkpoint.igrckpt";

export const METRIC_COLUMNS = [
  "epoch",
  "step",
  "train_loss",
  "train_relaxed_elbo",
  "train_discretized_elbo",
  "validation_relaxed_elbo",
  "validation_discretized_elbo",
  "validation_discretized_kl",
  "test_relaxed_elbo",
  "test_discretized_elbo",
  "test_discretized_kl",
  "elapsed_s",
] as const;

export type MetricRow = Record<(typeof METRIC_COLUMNS)[number], number>;

/**
 * "running" while a process trains it (or after that process was killed: lock.json then names a
 * process that no longer runs); "interrupted" after a stop signal; "failed" when a record or
 * checkpoint could not be written (the message says why).
 */
export type RunStatus = "running" | "completed" | "interrupted" | "diverged" | "failed";

/** A change to a run after it started, kept in config.json's "history". */
export interface RunHistoryEntry {
  at: string;
  event: "learning-rate" | "restart";
  step: number;
  learningRate?: number;
  metricsKeptAs?: string;
}

export interface RunSummary {
  runId: string;
  status: RunStatus;
  configHash: string;
  step: number;
  totalSteps: number;
  epochsCompleted: number;
  epochs: number;
  backend: string;
  /** Median ms per training step in the last session. */
  msPerStep: number | null;
  lastMetrics: MetricRow | null;
  /** The validation row with the highest discretized ELBO so far. */
  bestValidation: MetricRow | null;
  /** The last checkpoint file, relative to the run folder. */
  checkpoint: string | null;
  /** The step that checkpoint holds (a resume continues from there). Absent in records made before it existed. */
  checkpointStep?: number | null;
  /** The signal that stopped an "interrupted" run. */
  stoppedBy?: string;
  message?: string;
  updatedAt: string;
  eval?: unknown;
}

export function writeJsonAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeTextAtomic(file, JSON.stringify(value, null, 2) + "\n");
}

/** Temp file + rename; on failure (a full disk) the temp file is removed and the old file stays. */
function writeTextAtomic(file: string, text: string): void {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw new Error(`cannot write ${file}: ${(err as Error).message}`);
  }
}

export function readJson<T>(file: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
}

export class RunRecord {
  readonly dir: string;

  constructor(runsDir: string, readonly runId: string) {
    this.dir = path.join(runsDir, runId);
  }

  get configFile(): string {
    return path.join(this.dir, "config.json");
  }
  get metricsFile(): string {
    return path.join(this.dir, "metrics.csv");
  }
  get summaryFile(): string {
    return path.join(this.dir, "summary.json");
  }
  get checkpointFile(): string {
    return path.join(this.dir, CHECKPOINT_FILE);
  }

  exists(): boolean {
    return fs.existsSync(this.configFile);
  }

  writeConfig(config: TrainConfig, hash: string, backend: string): void {
    writeJsonAtomic(this.configFile, { config, configHash: hash, backend, createdAt: new Date().toISOString(), format: "igr-ts run", version: 1 });
  }

  readConfig(): { config: TrainConfig; configHash: string; history?: RunHistoryEntry[] } {
    return readJson(this.configFile);
  }

  /** Appends to config.json's history (the configuration and its hash are unchanged). */
  addHistory(entry: RunHistoryEntry): void {
    const saved = readJson<Record<string, unknown> & { history?: RunHistoryEntry[] }>(this.configFile);
    writeJsonAtomic(this.configFile, { ...saved, history: [...(saved.history ?? []), entry] });
  }

  /** The learning rate set by the last `--lr` on resume, or null (the configuration's). */
  learningRateOverride(): number | null {
    const changes = (this.readConfig().history ?? []).filter((h) => h.event === "learning-rate" && typeof h.learningRate === "number");
    return changes.length > 0 ? changes[changes.length - 1].learningRate! : null;
  }

  /** Moves metrics.csv aside (for a restart) and returns the new name, or null when there was none. */
  setMetricsAside(): string | null {
    if (!fs.existsSync(this.metricsFile)) return null;
    const name = `metrics.restarted-${new Date().toISOString().replace(/[:.]/g, "-")}.csv`;
    fs.renameSync(this.metricsFile, path.join(this.dir, name));
    return name;
  }

  /** Rows of metrics.csv (numbers), [] when there is none. */
  readMetrics(): MetricRow[] {
    if (!fs.existsSync(this.metricsFile)) return [];
    const lines = fs.readFileSync(this.metricsFile, "utf8").trim().split("\n");
    const header = lines[0].split(",");
    return lines.slice(1).filter((l) => l.length > 0).map((line) => {
      const cells = line.split(",");
      return Object.fromEntries(header.map((h, i) => [h, cells[i] === "" ? NaN : Number(cells[i])])) as MetricRow;
    });
  }

  /** Rewrites metrics.csv with `rows` (used on resume to drop rows past the checkpoint). */
  writeMetrics(rows: MetricRow[]): void {
    writeTextAtomic(this.metricsFile, [METRIC_COLUMNS.join(","), ...rows.map(formatRow)].join("\n") + "\n");
  }

  appendMetrics(row: MetricRow): void {
    if (!fs.existsSync(this.metricsFile)) fs.writeFileSync(this.metricsFile, METRIC_COLUMNS.join(",") + "\n");
    fs.appendFileSync(this.metricsFile, formatRow(row) + "\n");
  }

  readSummary(): RunSummary | null {
    return fs.existsSync(this.summaryFile) ? readJson<RunSummary>(this.summaryFile) : null;
  }

  writeSummary(summary: RunSummary): void {
    writeJsonAtomic(this.summaryFile, summary);
  }
}

/** Numbers written with full precision (17 significant digits round-trip a float64 exactly). */
function formatRow(row: MetricRow): string {
  return METRIC_COLUMNS.map((c) => (Number.isFinite(row[c]) ? String(row[c]) : "")).join(",");
}
