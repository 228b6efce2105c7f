// The VAE trainer: Adam on the relaxed objective, fixed τ, per-epoch metrics, exact resume, NaN/Inf
// detection. The loop itself is the shared one (loop.ts), run inside a RunSession (runSession.ts): one
// writer per run, a clean stop on SIGINT/SIGTERM/SIGUSR1, checkpoints that cannot be half-written.
//
// Determinism (what makes resume bit-identical): the noise of step t is a function of (seed, t)
// (models/noise.ts), the order of epoch e is a function of (seed, e) (Dataset.batches), evaluation
// noise is a function of (seed, epoch), and the checkpoint stores the weights, Adam's moments and
// step, the step/epoch/batch counters and the running sums of the epoch's loss. Nothing else
// carries state from one step to the next.
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadDataset, Dataset } from "../data/dataset";
import { mixSeeds } from "../core/prng";
import { SEED_STREAM } from "../core/seedStreams";
import { discretizedElbo, relaxedElbo } from "../eval/elbo";
import { stepSeed } from "../models/noise";
import { CategoricalVAE } from "../models/vae";
import { Adam } from "./adam";
import * as fs from "node:fs";
import { CheckpointFs, readCheckpoint, writeCheckpoint } from "./checkpoint";
import { configHash, toModelConfig, TrainConfig } from "./config";
import { ProgressMode, ProgressReporter } from "./progress";
import { MetricRow, RunRecord, RunStatus, VaeRunSummary } from "./runRecord";
import { RunSession } from "./runSession";
import { checkpointTensors, median, restoreTraining } from "./trainingState";
import { LoopEnd, LoopState, trainingLoop } from "./loop";
import type { StopSignal } from "./stopSignals";

/** What a checkpoint's header stores besides the tensors: the loop's counters and these. */
export interface TrainerState extends LoopState {
  seed: number;
  adamStep: number;
  /** Wall seconds spent training before this session. */
  elapsedBefore: number;
}

export interface TrainData {
  train: Dataset;
  validation: Dataset | null;
  test: Dataset;
}

export interface TrainOptions {
  /** Continue the run in config.runsDir/config.runId from its checkpoint (refused when it has none). */
  resume?: boolean;
  /**
   * Start the existing run in config.runsDir/config.runId over from step 0 with its own configuration;
   * its metrics.csv is kept under another name (config.json's history says which).
   */
  restart?: boolean;
  /** On resume of a diverged run: continue with this learning rate (recorded in config.json's history). */
  learningRate?: number;
  /** Progress display (default "auto": notebook line, terminal bar or plain lines). */
  progress?: ProgressMode;
  /** Stop cleanly (checkpoint + status "interrupted") on SIGINT, SIGTERM and SIGUSR1. Default true. */
  handleSignals?: boolean;
  /** After each evaluated epoch (notebooks plot it live). */
  onEpoch?: (row: MetricRow) => void;
  /** After each step, with the step's loss. */
  onStep?: (step: number, loss: number) => void;
  /** Preloaded data (tests, notebooks); default: loaded from the configuration. */
  data?: TrainData;
  /** Called once the model exists (restored on resume), e.g. to show its size or poison it in tests. */
  onModel?: (model: CategoricalVAE) => void;
  /** Tests only: stop abruptly after this many steps of this session, writing nothing (simulates a kill). */
  killAfterSteps?: number;
  /** Tests only: the file operations of checkpoint writes (to simulate a full disk). */
  checkpointFs?: CheckpointFs;
}

export interface TrainResult {
  status: RunStatus;
  runId: string;
  dir: string;
  step: number;
  summary: VaeRunSummary;
  metrics: MetricRow[];
  /** The signal that stopped an "interrupted" run. */
  stoppedBy: StopSignal | null;
}

/** A run that cannot be resumed as asked; nothing in its folder was changed. */
export class ResumeRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResumeRefusedError";
  }
}

export class TrainingDivergedError extends Error {
  constructor(readonly step: number, readonly epoch: number, readonly batchIndex: number, readonly loss: number, readonly checkpoint: string | null) {
    super(
      `training diverged: the loss is ${loss} at step ${step} (epoch ${epoch + 1}, batch ${batchIndex}); ` +
        (checkpoint
          ? `the last good checkpoint is ${checkpoint}: resume from it with a smaller learning rate (igr train --resume <run> --lr <rate>) or start a new run with another tau`
          : "no checkpoint had been written yet"),
    );
    this.name = "TrainingDivergedError";
  }
}

/** Loads the train/validation/test splits a configuration asks for. */
export async function loadTrainData(config: TrainConfig): Promise<TrainData> {
  const common = { binarize: config.binarize, seed: config.seed, ...(config.validationSize !== null ? { validationSize: config.validationSize } : {}) };
  const evalLimit = config.evalLimit ?? undefined;
  const train = await loadDataset(config.dataset, { ...common, split: "train", ...(config.limit !== null ? { limit: config.limit } : {}) });
  const validation = config.validationSize === 0 ? null : await loadDataset(config.dataset, { ...common, split: "validation", ...(evalLimit ? { limit: evalLimit } : {}) });
  const test = await loadDataset(config.dataset, { ...common, split: "test", ...(evalLimit ? { limit: evalLimit } : {}) });
  return { train, validation, test };
}

/** The metrics of one epoch (evaluation noise from (seed, epoch), so a resumed run gets the same numbers). */
export function evaluateEpoch(model: CategoricalVAE, data: TrainData, config: TrainConfig, epoch: number, state: TrainerState): Omit<MetricRow, "elapsed_s"> {
  const seed = mixSeeds(config.seed, SEED_STREAM.epochEvaluation, epoch);
  const common = { seed, batchSize: config.batchSize };
  const discrete = { ...common, frequencySamples: config.frequencySamples };
  const trainLoss = state.epochLossSum / Math.max(1, state.epochLossCount);
  const validation = data.validation;
  const validationDiscrete = validation ? discretizedElbo(model, validation, discrete) : null;
  const testDiscrete = discretizedElbo(model, data.test, discrete);
  return {
    epoch: epoch + 1,
    step: state.step,
    train_loss: trainLoss,
    train_relaxed_elbo: -trainLoss,
    train_discretized_elbo: discretizedElbo(model, data.train, { ...discrete, ...(config.trainEvalLimit !== null ? { limit: config.trainEvalLimit } : {}) }).elbo,
    validation_relaxed_elbo: validation ? relaxedElbo(model, validation, common).elbo : NaN,
    validation_discretized_elbo: validationDiscrete ? validationDiscrete.elbo : NaN,
    validation_discretized_kl: validationDiscrete ? validationDiscrete.kl : NaN,
    test_relaxed_elbo: relaxedElbo(model, data.test, common).elbo,
    test_discretized_elbo: testDiscrete.elbo,
    test_discretized_kl: testDiscrete.kl,
  };
}

/** Checks a resume / restart request against the run folder before anything is written. */
function checkExisting(record: RunRecord, config: TrainConfig, hash: string, options: TrainOptions): void {
  const what = options.restart ? "restart" : "resume";
  if (!record.exists()) throw new ResumeRefusedError(`cannot ${what} run "${config.runId}": no ${record.configFile}`);
  const saved = record.readConfig();
  if (saved.configHash !== hash) {
    const differing = Object.keys(config).filter((k) => JSON.stringify((saved.config as unknown as Record<string, unknown>)[k]) !== JSON.stringify((config as unknown as Record<string, unknown>)[k]));
    throw new ResumeRefusedError(`cannot ${what} run "${config.runId}": its configuration differs (config hash ${saved.configHash} vs ${hash}; fields ${differing.join(", ")})`);
  }
  if (options.restart) return;
  if (!fs.existsSync(record.checkpointFile)) {
    throw new ResumeRefusedError(`cannot resume run "${config.runId}": it has no checkpoint (${record.checkpointFile}); nothing was changed. Start it over with igr train --restart ${record.dir} (its metrics.csv is kept under another name)`);
  }
  try {
    readCheckpoint(record.checkpointFile, hash);
  } catch (err) {
    throw new ResumeRefusedError(`cannot resume run "${config.runId}": ${(err as Error).message}; nothing was changed. Start it over with igr train --restart ${record.dir}`);
  }
  if (options.learningRate !== undefined) {
    const status = record.readSummary()?.status;
    if (status !== "diverged") throw new ResumeRefusedError(`cannot resume run "${config.runId}" with another learning rate: that is for runs that diverged, and its status is "${status}"`);
  }
}

/** Trains (or resumes, or restarts) one run; see the file header. */
export async function train(config: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const record = new RunRecord(config.runsDir, config.runId);
  const hash = configHash(config);
  const existing = options.resume || options.restart;
  if (options.resume && options.restart) throw new Error("train: give resume or restart, not both");
  if (existing) checkExisting(record, config, hash, options);
  const session = RunSession.open(record.dir, options.handleSignals ?? true);
  try {
    // Checked again under the lock: another writer may have made or changed the run meanwhile.
    if (existing) checkExisting(record, config, hash, options);
    else if (record.exists()) throw new Error(`run folder ${record.dir} already exists: resume it (igr train --resume ${record.dir}) or choose another --run-id`);
    return await trainLocked(config, hash, record, session, options);
  } finally {
    session.close();
  }
}

async function trainLocked(config: TrainConfig, hash: string, record: RunRecord, session: RunSession, options: TrainOptions): Promise<TrainResult> {
  const data = options.data ?? (await loadTrainData(config));
  const model = new CategoricalVAE(toModelConfig(config));
  const loaded = options.resume ? readCheckpoint<TrainerState>(record.checkpointFile, hash) : null;
  if (loaded && options.learningRate !== undefined) record.addHistory({ at: new Date().toISOString(), event: "learning-rate", step: loaded.header.state.step, learningRate: options.learningRate });
  const adam = new Adam(model.variables, { learningRate: (loaded && record.learningRateOverride()) || config.learningRate, beta1: 0.9, beta2: 0.999 });
  let state: TrainerState = { step: 0, epoch: 0, batchInEpoch: 0, completedEpochs: 0, seed: config.seed, adamStep: 0, epochLossSum: 0, epochLossCount: 0, elapsedBefore: 0 };
  let lastCheckpoint: string | null = null;
  let checkpointStep: number | null = null;
  let metrics: MetricRow[] = [];

  if (loaded) {
    restoreTraining(record.checkpointFile, loaded, model.namedVariables(), adam);
    state = loaded.header.state;
    lastCheckpoint = record.checkpointFile;
    checkpointStep = state.step;
    // Rows written after this checkpoint (a kill between a row and the next checkpoint) are redone.
    metrics = record.readMetrics().filter((r) => r.epoch <= state.completedEpochs);
    record.writeMetrics(metrics);
  } else if (options.restart) {
    const keptAs = record.setMetricsAside();
    fs.rmSync(record.checkpointFile, { force: true });
    record.addHistory({ at: new Date().toISOString(), event: "restart", step: 0, ...(keptAs ? { metricsKeptAs: keptAs } : {}) });
    record.writeMetrics([]);
  } else {
    record.writeConfig(config, hash, tf.getBackend());
    record.writeMetrics([]);
  }

  options.onModel?.(model);
  const stepsPerEpoch = Math.ceil(data.train.n / config.batchSize);
  if (stepsPerEpoch === 0) throw new Error(`the training split of ${config.dataset} is empty (limit ${config.limit})`);
  const totalSteps = config.epochs * stepsPerEpoch;
  const progress = new ProgressReporter(options.progress ?? "auto");
  const sessionStart = Date.now();
  const stepTimes: number[] = [];
  let stepsThisSession = 0;

  const elapsed = () => state.elapsedBefore + (Date.now() - sessionStart) / 1000;
  const summary = (status: RunStatus, extra: { message?: string; stoppedBy?: StopSignal } = {}): VaeRunSummary => {
    const best = metrics.filter((r) => Number.isFinite(r.validation_discretized_elbo)).reduce<MetricRow | null>((b, r) => (b === null || r.validation_discretized_elbo > b.validation_discretized_elbo ? r : b), null);
    const s: VaeRunSummary = {
      runId: record.runId,
      status,
      configHash: hash,
      step: state.step,
      totalSteps,
      epochsCompleted: state.completedEpochs,
      epochs: config.epochs,
      backend: tf.getBackend(),
      msPerStep: median(stepTimes),
      lastMetrics: metrics.length > 0 ? metrics[metrics.length - 1] : null,
      bestValidation: best,
      // Relative to the run folder, so committed records do not carry this machine's paths.
      checkpoint: lastCheckpoint ? path.relative(record.dir, lastCheckpoint) : null,
      checkpointStep,
      updatedAt: new Date().toISOString(),
      ...(extra.stoppedBy ? { stoppedBy: extra.stoppedBy } : {}),
      ...(extra.message ? { message: extra.message } : {}),
    };
    const previous = record.readSummary();
    if (previous?.eval !== undefined) s.eval = previous.eval;
    record.writeSummary(s);
    session.lock.refresh();
    return s;
  };
  // Every checkpoint is followed by a summary, so after a kill the record names the step to resume from.
  const saveCheckpoint = () => {
    writeCheckpoint(record.checkpointFile, hash, { ...state, adamStep: adam.step, elapsedBefore: elapsed() }, checkpointTensors(model.namedVariables(), adam), options.checkpointFs);
    lastCheckpoint = record.checkpointFile;
    checkpointStep = state.step;
    summary("running");
  };
  const line = () => ({
    step: state.step,
    totalSteps,
    epoch: state.epoch,
    epochs: config.epochs,
    runningLoss: state.epochLossCount > 0 ? state.epochLossSum / state.epochLossCount : NaN,
    elapsed: (Date.now() - sessionStart) / 1000,
    stepsThisSession,
  });
  const dispose = () => {
    model.dispose();
    adam.dispose();
  };
  const finish = (status: RunStatus, extra: { message?: string; stoppedBy?: StopSignal } = {}): TrainResult => {
    if (status !== "completed") progress.update(line(), true);
    progress.finish();
    const s = summary(status, extra);
    dispose();
    return { status, runId: record.runId, dir: record.dir, step: state.step, summary: s, metrics, stoppedBy: extra.stoppedBy ?? null };
  };

  summary("running");
  const variables = model.variables;
  const S = config.samples;
  let end: LoopEnd;
  try {
    end = await trainingLoop({
      session,
      state,
      stepsPerEpoch,
      totalSteps,
      stepTimes,
      checkpointEvery: config.checkpointEvery,
      batches: (epoch) => data.train.batches({ batchSize: config.batchSize, shuffle: true, seed: config.seed, epoch }),
      step: (x, epoch, batchIndex) => {
        const noise = model.noise(S * x.shape[0], stepSeed(config.seed, state.step));
        const { value, grads } = tf.variableGrads(() => model.loss(x, noise), variables);
        const loss = value.dataSync()[0];
        if (Number.isFinite(loss)) adam.apply(grads);
        value.dispose();
        noise.dispose();
        for (const g of Object.values(grads)) g.dispose();
        if (!Number.isFinite(loss)) {
          const error = new TrainingDivergedError(state.step, epoch, batchIndex, loss, lastCheckpoint);
          finish("diverged", { message: error.message });
          throw error;
        }
        return loss;
      },
      afterStep: (loss) => {
        stepsThisSession++;
        options.onStep?.(state.step, loss);
        progress.update(line());
        return options.killAfterSteps !== undefined && stepsThisSession >= options.killAfterSteps;
      },
      saveCheckpoint,
      endOfEpoch: (epoch) => {
        if ((epoch + 1) % config.evalEvery !== 0 && epoch + 1 !== config.epochs) return;
        progress.update(line(), true);
        const row: MetricRow = { ...evaluateEpoch(model, data, config, epoch, state), elapsed_s: elapsed() };
        metrics.push(row);
        record.appendMetrics(row);
        options.onEpoch?.(row);
        progress.message(
          `epoch ${epoch + 1}: train loss ${row.train_loss.toFixed(3)}, discretized ELBO train ${row.train_discretized_elbo.toFixed(3)}` +
            `, validation ${Number.isFinite(row.validation_discretized_elbo) ? row.validation_discretized_elbo.toFixed(3) : "-"}, test ${row.test_discretized_elbo.toFixed(3)}`,
        );
      },
    });
  } catch (err) {
    if (err instanceof TrainingDivergedError) throw err;
    // A record or checkpoint that could not be written (a full disk): the run is marked failed with
    // the reason (if even that can be written) and the previous checkpoint stays.
    const message = (err as Error).message;
    try {
      finish("failed", { message });
    } catch (second) {
      progress.finish();
      dispose();
      throw new Error(`${message} (and the failure could not be recorded in ${record.summaryFile}: ${(second as Error).message})`);
    }
    throw err;
  }
  if (end.kind === "abandoned") {
    // Simulated kill (tests): nothing more is written (the lock is released; a real kill leaves a stale one).
    dispose();
    return { status: "interrupted", runId: record.runId, dir: record.dir, step: state.step, summary: record.readSummary()!, metrics, stoppedBy: null };
  }
  if (end.kind === "stopped") {
    progress.message(`${end.signal}: stopped ${end.where} at step ${state.step}; checkpoint ${record.checkpointFile}; continue with: igr train --resume ${record.dir}`);
    return finish("interrupted", { message: `stopped by ${end.signal} at step ${state.step}`, stoppedBy: end.signal });
  }
  return finish("completed");
}
