// The experiments' side of the one training loop (loop.ts) for the appendix-§5 experiments (structured output prediction, mixture VAE,
// estimator-trained VAE) that writes the same run folder as the VAE trainer: data/runs/<id>/config.json,
// metrics.csv (the experiment's own columns), summary.json and a checkpoint (weights, Adam moments and
// the loop's counters) at the end of each epoch and when a stop signal arrives. It runs the same loop
// as the VAE trainer (loop.ts) inside a RunSession (runSession.ts): one writer per run, a clean stop on
// SIGINT/SIGTERM/SIGUSR1, checkpoints that cannot be half-written; `resume` continues bit-identically.
//
// Determinism as in trainer.ts: the noise of step t comes from (seed, t), the order of epoch e from
// (seed, e), the evaluation noise from (seed, epoch).
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import * as tf from "@tensorflow/tfjs";
import { integerAtLeast } from "../core/validate";
import type { Dataset } from "../data/dataset";
import type { NamedVariable } from "../models/vae";
import { Adam } from "./adam";
import { CheckpointFs, readCheckpoint, writeCheckpoint } from "./checkpoint";
import { ProgressMode, ProgressReporter } from "./progress";
import { CHECKPOINT_FILE, ExperimentName, ExperimentRow, ExperimentRunSummary, readRun, RunFiles, RunRecord } from "./runRecord";
import { RunSession } from "./runSession";
import { checkpointTensors, median, restoreTraining } from "./trainingState";
import { LoopState, trainingLoop } from "./loop";
import type { StopSignal } from "./stopSignals";

/** Adam whose learning rate may change between steps (for the SOP's inverse-time decay). */
export class ScheduledAdam extends Adam {
  declare learningRate: number;

  /** Sets the learning rate of the next updates. */
  setLearningRate(value: number): void {
    if (!(value > 0) || !Number.isFinite(value)) throw new Error(`Adam: learningRate must be a finite number > 0; got ${value}`);
    this.learningRate = value;
  }
}

/**
 * The authors' SOP schedule (docs/paper.md §7.3; the appendix's "weight decay 1e−3"):
 * lr_t = max(minimum, initial / (1 + decay · t)) with t the global step.
 */
export function inverseTimeDecay(initial: number, decay: number, minimum: number): (step: number) => number {
  for (const [name, v] of [["initial", initial], ["decay", decay], ["minimum", minimum]] as const) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`inverseTimeDecay: ${name} must be a finite number >= 0; got ${v}`);
  }
  if (!(initial > 0)) throw new Error(`inverseTimeDecay: initial must be > 0; got ${initial}`);
  return (step) => Math.max(minimum, initial / (1 + decay * step));
}

/** The training settings every experiment trainer shares (SOP, mixture VAE, estimator VAE). */
export interface ExperimentTrainSettings {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Train on the first `limit` training images (null = the whole training split). */
  limit: number | null;
  /** Test (and validation) images for the per-epoch metrics (null = all). */
  evalLimit: number | null;
  /** Test images for the final evaluation (null = all). */
  finalEvalLimit: number | null;
  runId: string;
  runsDir: string;
}

/** Checks the shared settings; `where` names the trainer in messages ("SOP training"). */
export function checkTrainSettings(c: Omit<ExperimentTrainSettings, "runId">, where: string): void {
  integerAtLeast("seed", c.seed, 0, where);
  integerAtLeast("epochs", c.epochs, 1, where);
  integerAtLeast("batchSize", c.batchSize, 1, where);
  for (const key of ["limit", "evalLimit", "finalEvalLimit"] as const) if (c[key] !== null) integerAtLeast(key, c[key], 1, where);
  if (typeof c.learningRate !== "number" || !Number.isFinite(c.learningRate) || c.learningRate <= 0) {
    throw new Error(`${where}: learningRate must be a finite number > 0; got ${JSON.stringify(c.learningRate)}`);
  }
  if (typeof c.runsDir !== "string" || c.runsDir === "") throw new Error(`${where}: runsDir must be a folder path`);
}

export interface ExperimentModel {
  namedVariables(): NamedVariable[];
  dispose(): void;
}

/** What an experiment checkpoint's header stores besides the tensors: the loop's counters and these. */
interface ExperimentState extends LoopState {
  seed: number;
  adamStep: number;
  /** Wall seconds spent training before this session. */
  elapsedBefore: number;
}

export interface ExperimentRunOptions<M extends ExperimentModel> {
  /** Written to config.json so readers can tell experiments apart. */
  experiment: Exclude<ExperimentName, "vae">;
  /** JSON-able configuration with runId, runsDir, seed, epochs, batchSize. */
  config: { runId: string; runsDir: string; seed: number; epochs: number; batchSize: number } & Record<string, unknown>;
  model: M;
  train: Dataset;
  learningRate: (step: number) => number;
  /** The training loss of one batch at a global step (its noise from (seed, step)); give this or `gradients`. */
  loss?: (model: M, x: tf.Tensor2D, step: number) => tf.Scalar;
  /**
   * For models whose gradient is not the gradient of one loss (estimator-trained VAEs): the loss
   * value and one gradient per variable of `namedVariables()`, in that order (the loop disposes them).
   */
  gradients?: (model: M, x: tf.Tensor2D, step: number) => { loss: number; grads: tf.Tensor[] };
  /** Per-epoch metrics (without epoch, step, train_loss, learning_rate, elapsed_s). */
  evaluate: (model: M, epoch: number) => ExperimentRow;
  /**
   * After the last epoch: the headline numbers for summary.json. `onProgress(what, done, total)`
   * shows a long evaluation's progress on the run's progress display.
   */
  finalEvaluate?: (model: M, onProgress: (what: string, done: number, total: number) => void) => Record<string, unknown>;
  /** Evaluate every this many epochs (the last one always). Default 1. */
  evalEvery?: number;
  budget: string;
  progress?: ProgressMode;
  onEpoch?: (row: ExperimentRow) => void;
  /** Write checkpoint.igrckpt after each epoch (default true). */
  checkpoint?: boolean;
  /** Keep the model alive after training (the caller disposes it). Default false. */
  keepModel?: boolean;
  /** Continue the run in config.runsDir/config.runId from its checkpoint (refused when it has none). */
  resume?: boolean;
  /** Stop cleanly on SIGINT, SIGTERM and SIGUSR1 (default true). */
  handleSignals?: boolean;
  /** Tests only: the file operations of checkpoint writes. */
  checkpointFs?: CheckpointFs;
}

/** What each experiment's train function takes besides its configuration; D is its data. */
export interface ExperimentTrainOptions<D> {
  /** Continue the run from its checkpoint (refused when it has none). */
  resume?: boolean;
  /** Preloaded data (notebooks, tests); default: the experiment's loader. */
  data?: D;
  progress?: ProgressMode;
  onEpoch?: (row: ExperimentRow) => void;
  checkpoint?: boolean;
  keepModel?: boolean;
}

export interface ExperimentResult<M> {
  status: ExperimentRunSummary["status"];
  dir: string;
  metrics: ExperimentRow[];
  summary: ExperimentRunSummary;
  /** The trained model when keepModel was set, else null (disposed). */
  model: M | null;
  /** The signal that stopped an "interrupted" run. */
  stoppedBy: StopSignal | null;
}

function hashOf(config: Record<string, unknown>): string {
  const hashed = Object.fromEntries(Object.entries(config).filter(([k]) => !["epochs", "runId", "runsDir"].includes(k)).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash("sha256").update(JSON.stringify(hashed)).digest("hex").slice(0, 16);
}

/** Checks a resume request before anything is written (nothing is changed when it is refused). */
function checkResume(dir: string, hash: string, withCheckpoint: boolean): void {
  const record = new RunRecord(path.dirname(dir), path.basename(dir));
  if (!record.exists()) throw new Error(`cannot resume run ${dir}: no ${record.configFile}`);
  const saved = record.readConfig();
  if (saved.configHash !== hash) throw new Error(`cannot resume run ${dir}: its configuration differs (config hash ${saved.configHash} vs ${hash})`);
  const file = path.join(dir, CHECKPOINT_FILE);
  if (!withCheckpoint || !fs.existsSync(file)) throw new Error(`cannot resume run ${dir}: it has no checkpoint (${file}); nothing was changed`);
  readCheckpoint(file, hash);
}

/**
 * Trains (or resumes) one run and writes its record. Throws (after writing a "diverged" or "failed"
 * summary) on a non-finite loss or a record that cannot be written; returns status "interrupted"
 * after a stop signal.
 */
export async function runExperiment<M extends ExperimentModel>(options: ExperimentRunOptions<M>): Promise<ExperimentResult<M>> {
  const { config, model, train } = options;
  const dir = path.join(config.runsDir, config.runId);
  if ((options.loss === undefined) === (options.gradients === undefined)) throw new Error("runExperiment: give exactly one of loss and gradients");
  if (!/^[A-Za-z0-9._+-]+$/.test(config.runId)) throw new Error(`runId may contain letters, digits and . _ + - only; got ${JSON.stringify(config.runId)}`);
  const hash = hashOf(config);
  const withCheckpoint = options.checkpoint ?? true;
  const check = () => {
    if (options.resume) checkResume(dir, hash, withCheckpoint);
    else if (fs.existsSync(path.join(dir, "config.json"))) throw new Error(`run folder ${dir} already exists: resume it or choose another runId (or delete the folder)`);
  };
  check();
  const session = RunSession.open(dir, options.handleSignals ?? true);
  try {
    check(); // again under the lock
    return await runLocked(options, dir, hash, withCheckpoint, session);
  } finally {
    session.close();
  }
}

async function runLocked<M extends ExperimentModel>(options: ExperimentRunOptions<M>, dir: string, hash: string, withCheckpoint: boolean, session: RunSession): Promise<ExperimentResult<M>> {
  const { config, model, train } = options;
  const checkpointFile = path.join(dir, CHECKPOINT_FILE);
  const stepsPerEpoch = Math.ceil(train.n / config.batchSize);
  if (stepsPerEpoch === 0) throw new Error("the training split is empty");
  const totalSteps = stepsPerEpoch * config.epochs;
  const evalEvery = options.evalEvery ?? 1;
  let metrics: ExperimentRow[] = [];
  let columns: string[] | null = null;
  const record = new RunRecord(config.runsDir, config.runId);
  const named = model.namedVariables();
  const variables = named.map((v) => v.variable);
  const adam = new ScheduledAdam(variables, { learningRate: options.learningRate(0) });
  const progress = new ProgressReporter(options.progress ?? "auto");
  const start = Date.now();
  const stepTimes: number[] = [];
  let state: ExperimentState = { step: 0, epoch: 0, batchInEpoch: 0, completedEpochs: 0, epochLossSum: 0, epochLossCount: 0, seed: config.seed, adamStep: 0, elapsedBefore: 0 };
  let checkpointStep: number | null = null;
  let final: Record<string, unknown> | null = null;

  if (options.resume) {
    const loaded = readCheckpoint<ExperimentState>(checkpointFile, hash);
    restoreTraining(checkpointFile, loaded, named, adam);
    state = loaded.header.state;
    checkpointStep = state.step;
    // The rate of the last step taken, as the optimiser held it when the checkpoint was written.
    if (state.step > 0) adam.setLearningRate(options.learningRate(state.step - 1));
    // Rows past the checkpoint (a kill between a row and the next checkpoint) are redone.
    if (fs.existsSync(record.metricsFile)) {
      const rows = record.readMetrics<ExperimentRow>().filter((r) => r.epoch <= state.completedEpochs);
      if (rows.length > 0) {
        columns = Object.keys(rows[0]);
        record.writeMetrics(rows, columns);
      } else fs.rmSync(record.metricsFile);
      metrics = rows;
    }
  } else {
    record.writeConfig(config, hash, tf.getBackend(), options.experiment);
  }
  const elapsed = () => state.elapsedBefore + (Date.now() - start) / 1000;

  const summary = (status: ExperimentRunSummary["status"], extra: { message?: string; stoppedBy?: StopSignal } = {}): ExperimentRunSummary => {
    const s: ExperimentRunSummary = {
      runId: config.runId,
      experiment: options.experiment,
      status,
      configHash: hash,
      step: state.step,
      totalSteps,
      epochsCompleted: state.completedEpochs,
      epochs: config.epochs,
      backend: tf.getBackend(),
      msPerStep: median(stepTimes),
      budget: options.budget,
      lastMetrics: metrics.length > 0 ? metrics[metrics.length - 1] : null,
      final,
      checkpointStep,
      ...(extra.stoppedBy ? { stoppedBy: extra.stoppedBy } : {}),
      ...(extra.message ? { message: extra.message } : {}),
      updatedAt: new Date().toISOString(),
    };
    record.writeSummary(s);
    session.lock.refresh();
    return s;
  };
  const saveCheckpoint = () => {
    if (!withCheckpoint) return;
    writeCheckpoint(checkpointFile, hash, { ...state, adamStep: adam.step, elapsedBefore: elapsed() }, checkpointTensors(named, adam), options.checkpointFs);
    checkpointStep = state.step;
  };
  const finish = (status: ExperimentRunSummary["status"], extra: { message?: string; stoppedBy?: StopSignal } = {}): ExperimentResult<M> => {
    progress.finish();
    const s = summary(status, extra);
    adam.dispose();
    // An interrupted run's model is kept too: a notebook interrupted mid-training can still look at it.
    const keep = options.keepModel === true && (status === "completed" || status === "interrupted");
    if (!keep) model.dispose();
    return { status, dir, metrics, summary: s, model: keep ? model : null, stoppedBy: extra.stoppedBy ?? null };
  };
  // The rate counts this process's steps only: a resumed run starts at its checkpoint's step.
  const firstStep = state.step;
  const line = () => ({ step: state.step, totalSteps, epoch: state.epoch, epochs: config.epochs, runningLoss: state.epochLossSum / Math.max(1, state.epochLossCount), elapsed: (Date.now() - start) / 1000, stepsThisSession: state.step - firstStep });

  const batchGradients = (x: tf.Tensor2D, at: number): { loss: number; grads: tf.Tensor[] } => {
    if (options.gradients) return options.gradients(model, x, at);
    const { value, grads } = tf.variableGrads(() => options.loss!(model, x, at), variables);
    const loss = value.dataSync()[0];
    value.dispose();
    return { loss, grads: variables.map((v) => grads[v.name]) };
  };

  // Every checkpoint is followed by a summary, so after a kill the record names the step to resume from.
  const saveAndRecord = () => {
    saveCheckpoint();
    summary("running");
  };
  summary("running");
  try {
    const end = await trainingLoop({
      session,
      state,
      stepsPerEpoch,
      totalSteps,
      stepTimes,
      checkpointEvery: 0,
      batches: (epoch) => train.batches({ batchSize: config.batchSize, shuffle: true, seed: config.seed, epoch }),
      step: (x, epoch) => {
        adam.setLearningRate(options.learningRate(state.step));
        const { loss, grads } = batchGradients(x, state.step);
        if (Number.isFinite(loss)) adam.apply(grads);
        tf.dispose(grads);
        if (!Number.isFinite(loss)) {
          const message = `training diverged: the loss is ${loss} at step ${state.step} (epoch ${epoch + 1})`;
          finish("diverged", { message });
          throw new ExperimentDivergedError(message);
        }
        return loss;
      },
      afterStep: () => progress.update(line()),
      saveCheckpoint: saveAndRecord,
      endOfEpoch: (epoch) => {
        if (state.completedEpochs % evalEvery !== 0 && state.completedEpochs !== config.epochs) return;
        progress.update(line(), true);
        const row: ExperimentRow = { epoch: state.completedEpochs, step: state.step, learning_rate: adam.learningRate, train_loss: state.epochLossSum / state.epochLossCount, ...options.evaluate(model, epoch), elapsed_s: elapsed() };
        if (columns === null) {
          columns = Object.keys(row);
          record.writeMetrics([], columns);
        }
        record.appendMetrics(row, columns);
        metrics.push(row);
        options.onEpoch?.(row);
        progress.message(`epoch ${state.completedEpochs}: ${Object.entries(row).filter(([k]) => !["epoch", "step", "elapsed_s"].includes(k)).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toPrecision(5)}`).join(", ")}`);
      },
    });
    if (end.kind === "stopped") {
      progress.message(`${end.signal}: stopped ${end.where} at step ${state.step}${withCheckpoint ? `; checkpoint ${checkpointFile}` : " (no checkpoint: checkpoints are off)"}`);
      return finish("interrupted", { message: `stopped by ${end.signal} at step ${state.step}`, stoppedBy: end.signal });
    }
    if (options.finalEvaluate) final = options.finalEvaluate(model, (what, done, total) => progress.taskProgress(`final evaluation, ${what}`, done, total));
  } catch (err) {
    if (err instanceof ExperimentDivergedError) throw err;
    const message = (err as Error).message;
    try {
      finish("failed", { message });
    } catch {
      progress.finish();
    }
    throw err;
  }
  return finish("completed");
}

/** A run that stopped on a non-finite loss (its summary says "diverged"). */
export class ExperimentDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExperimentDivergedError";
  }
}

/**
 * A run folder as runExperiment writes it: the one reader `readRun` (runRecord.ts) with the summary
 * typed for these experiments. A VAE folder reads too (experiment "vae"); its summary then has the
 * VAE's section (no budget or final): check `experiment` before using them.
 */
export function readExperimentRun(dir: string): RunFiles<ExperimentRunSummary> {
  return readRun<ExperimentRunSummary>(dir);
}
