// The files of a run folder data/runs/<id>/:
//   config.json        the TrainConfig, its hash, the backend and the start time
//   metrics.csv        one row per evaluated epoch (train/validation/test metrics)
//   summary.json       status, progress, the last row of metrics and timing; `igr eval` adds "eval"
//   checkpoint.igrckpt the latest checkpoint (not committed; see checkpoint.ts for the format)
// JSON files are written atomically (temp file + rename).
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

export type RunStatus = "running" | "completed" | "interrupted" | "diverged";

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
  message?: string;
  updatedAt: string;
  eval?: unknown;
}

export function writeJsonAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temp, JSON.stringify(value, null, 2) + "\n");
  fs.renameSync(temp, file);
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

  readConfig(): { config: TrainConfig; configHash: string } {
    return readJson(this.configFile);
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
    const text = [METRIC_COLUMNS.join(","), ...rows.map(formatRow)].join("\n") + "\n";
    const temp = `${this.metricsFile}.tmp-${process.pid}`;
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, this.metricsFile);
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
