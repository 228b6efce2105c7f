// The files of a run folder data/runs/<id>/, for every experiment (the VAE of `igr train` and the
// appendix-§5 experiments of runExperiment: SOP, mixture VAE, estimator VAE):
//   config.json        the experiment's configuration, its hash, "experiment" (absent for the VAE),
//                      the backend and the start time
//   metrics.csv        one row per evaluated epoch (the VAE's METRIC_COLUMNS, or the experiment's own)
//   summary.json       a RunSummary: status, progress, the last row of metrics and timing, and the
//                      experiment's section (VAE: best validation row, checkpoint, `igr eval`'s "eval";
//                      other experiments: budget and final evaluation)
//   checkpoint.igrckpt the latest checkpoint (not committed; see checkpoint.ts for the format)
//   samples.json       mixture VAE only: decoded draws of its used components (mixtureSamples.ts)
//   lock.json          present while a process writes the run (runLock.ts; not committed)
//   metrics.restarted-<time>.csv  the metrics of an earlier attempt, kept by `igr train --restart`
// JSON files are written atomically (temp file + rename; the temp file is removed if that fails).
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../core/paths";
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

/** A row of a VAE run's metrics.csv. */
export type MetricRow = Record<(typeof METRIC_COLUMNS)[number], number>;

/** A row of any run's metrics.csv (the columns are the experiment's). */
export type ExperimentRow = Record<string, number>;

/** The experiments that write run folders; config.json names it, except for the VAE ("vae" when absent). */
export type ExperimentName = "vae" | "sop" | "mixture" | "estimator-vae";

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

/** What every summary.json holds, whatever the experiment. */
export interface RunSummaryCommon {
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
  /** The step the last checkpoint holds (a resume continues from there). Absent in records made before it existed. */
  checkpointStep?: number | null;
  /** The signal that stopped an "interrupted" run. */
  stoppedBy?: string;
  message?: string;
  updatedAt: string;
}

/** The full-test-set numbers `igr eval` adds to a VAE summary (the fields the run table reads). */
export interface VaeEvalSummary {
  trainDiscretizedElbo?: { elbo: number; n: number };
  testDiscretizedElbo?: { elbo: number; n: number };
  testLogLikelihood?: { mean: number; samples: number } | null;
  authorsEstimator?: { mean: number } | null;
  [field: string]: unknown;
}

/** The VAE's section (`igr train`); its summary.json has no "experiment" field. */
export interface VaeSection {
  experiment?: undefined;
  lastMetrics: MetricRow | null;
  /** The validation row with the highest discretized ELBO so far. */
  bestValidation: MetricRow | null;
  /** The last checkpoint file, relative to the run folder. */
  checkpoint: string | null;
  eval?: VaeEvalSummary;
}

/** The section of runExperiment's experiments (SOP, mixture VAE, estimator VAE). */
export interface ExperimentSection {
  experiment: Exclude<ExperimentName, "vae">;
  lastMetrics: ExperimentRow | null;
  /** A sentence stating the compute budget of the run (data, epochs, evaluation sizes). */
  budget: string;
  /** The final evaluation (the experiment's headline numbers), null until the last epoch is done. */
  final: Record<string, unknown> | null;
}

/**
 * summary.json of a run: the common fields and the experiment's section. `RunSummary` alone is
 * either; `summary.experiment === undefined` tells a VAE summary from the others.
 */
export type RunSummary<S extends VaeSection | ExperimentSection = VaeSection | ExperimentSection> = RunSummaryCommon & S;
export type VaeRunSummary = RunSummary<VaeSection>;
export type ExperimentRunSummary = RunSummary<ExperimentSection>;

/** config.json of a run. */
export interface RunConfigFile<C = Record<string, unknown>> {
  config: C;
  configHash: string;
  /** Absent for the VAE. */
  experiment?: Exclude<ExperimentName, "vae">;
  backend: string;
  createdAt: string;
  history?: RunHistoryEntry[];
}

/** `compact` writes one line (for arrays of pixels, which indented JSON would put one number a line). */
export function writeJsonAtomic(file: string, value: unknown, { compact = false }: { compact?: boolean } = {}): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeTextAtomic(file, JSON.stringify(value, null, compact ? undefined : 2) + "\n");
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

/**
 * config.runsDir as written into config.json: relative to the project root when the folder lies inside
 * it, so a committed record does not name the machine it ran on (runsDir is not part of the
 * configuration hash, and resuming takes the folder from the command line, not from this field).
 */
function portableRunsDir(config: object): { runsDir?: string } {
  const runsDir = (config as { runsDir?: unknown }).runsDir;
  if (typeof runsDir !== "string" || !path.isAbsolute(runsDir)) return {};
  const relative = path.relative(PROJECT_ROOT, runsDir);
  return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? {} : { runsDir: relative.split(path.sep).join("/") };
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

  /** `experiment` is omitted for the VAE (its records never had the field). */
  writeConfig(config: object, hash: string, backend: string, experiment?: ExperimentSection["experiment"]): void {
    const saved = { ...config, ...portableRunsDir(config) };
    writeJsonAtomic(this.configFile, { config: saved, configHash: hash, ...(experiment ? { experiment } : {}), backend, createdAt: new Date().toISOString(), format: "igr-ts run", version: 1 });
  }

  /** config.json; `C` is the experiment's configuration type (the VAE's TrainConfig by default). */
  readConfig<C = TrainConfig>(): RunConfigFile<C> {
    return readJson(this.configFile);
  }

  /** "vae" unless config.json names another experiment. */
  experiment(): ExperimentName {
    return this.readConfig().experiment ?? "vae";
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

  /**
   * Rows of metrics.csv (numbers; an empty cell is NaN), [] when there is none. `R` is the row type:
   * the VAE's MetricRow by default, ExperimentRow for the other experiments.
   */
  readMetrics<R extends ExperimentRow = MetricRow>(): R[] {
    if (!fs.existsSync(this.metricsFile)) return [];
    const lines = fs.readFileSync(this.metricsFile, "utf8").trim().split("\n");
    const header = lines[0].split(",");
    return lines.slice(1).filter((l) => l.length > 0).map((line) => {
      const cells = line.split(",");
      return Object.fromEntries(header.map((h, i) => [h, cells[i] === "" ? NaN : Number(cells[i])])) as R;
    });
  }

  /** Rewrites metrics.csv with `rows` (used on resume to drop rows past the checkpoint). */
  writeMetrics(rows: ExperimentRow[], columns: readonly string[] = METRIC_COLUMNS): void {
    writeTextAtomic(this.metricsFile, [columns.join(","), ...rows.map((r) => formatRow(columns, r))].join("\n") + "\n");
  }

  /** Appends a row (writing the header first when metrics.csv does not exist yet). */
  appendMetrics(row: ExperimentRow, columns: readonly string[] = METRIC_COLUMNS): void {
    if (!fs.existsSync(this.metricsFile)) writeTextAtomic(this.metricsFile, columns.join(",") + "\n");
    fs.appendFileSync(this.metricsFile, formatRow(columns, row) + "\n");
  }

  /** summary.json (null when there is none); `S` narrows it when the caller knows the experiment. */
  readSummary<S extends RunSummary = VaeRunSummary>(): S | null {
    return fs.existsSync(this.summaryFile) ? readJson<S>(this.summaryFile) : null;
  }

  writeSummary(summary: RunSummary): void {
    writeJsonAtomic(this.summaryFile, summary);
  }
}

/** Everything a run folder records (no checkpoint), as `readRun` returns it. */
export interface RunFiles<S extends RunSummary = RunSummary, C = Record<string, unknown>> {
  runId: string;
  dir: string;
  experiment: ExperimentName;
  config: C;
  configHash: string;
  history: RunHistoryEntry[];
  /** metrics.csv's rows ([] before the first evaluated epoch). */
  metrics: ExperimentRow[];
  summary: S;
}

/**
 * The one reader of a run folder of any experiment (every committed record under data/runs reads
 * through it). Throws, naming the file, when config.json or summary.json is missing or unreadable.
 */
export function readRun<S extends RunSummary = RunSummary, C = Record<string, unknown>>(dir: string): RunFiles<S, C> {
  const record = new RunRecord(path.dirname(path.resolve(dir)), path.basename(path.resolve(dir)));
  if (!fs.existsSync(record.configFile)) throw new Error(`run ${dir}: config.json is missing`);
  if (!fs.existsSync(record.summaryFile)) throw new Error(`run ${dir}: summary.json is missing`);
  const saved = record.readConfig<C>();
  return {
    runId: record.runId,
    dir: record.dir,
    experiment: saved.experiment ?? "vae",
    config: saved.config,
    configHash: saved.configHash,
    history: saved.history ?? [],
    metrics: record.readMetrics<ExperimentRow>(),
    summary: record.readSummary<S>()!,
  };
}

/** Numbers written with full precision (17 significant digits round-trip a float64 exactly). */
function formatRow(columns: readonly string[], row: ExperimentRow): string {
  return columns.map((c) => (Number.isFinite(row[c]) ? String(row[c]) : "")).join(",");
}
