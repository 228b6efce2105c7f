// The one training loop every experiment runs (the VAE trainer, and through runExperiment the SOP,
// mixture VAE and estimator-trained VAE): epochs of seeded batches, a step per batch, the running
// loss of the epoch, checkpoints every N steps and at each epoch end, the evaluation of the epoch,
// and a clean stop at a step boundary when a signal arrives (RunSession). It resumes from any step:
// the batches of a resumed epoch before `state.step` are skipped, so the data order is unchanged.
// Each experiment supplies its step, its evaluation and how it saves a checkpoint.
import type { RunSession } from "./runSession";
import type { StopSignal } from "./stopSignals";

/** The loop's counters; a checkpoint's header stores them (with what the experiment adds). */
export interface LoopState {
  step: number;
  /** The epoch of the current step (0-based). */
  epoch: number;
  /** Batches of the current epoch done. */
  batchInEpoch: number;
  completedEpochs: number;
  /** Float64 running sum and count of the current epoch's training losses. */
  epochLossSum: number;
  epochLossCount: number;
}

export interface LoopSpec {
  session: RunSession;
  state: LoopState;
  stepsPerEpoch: number;
  totalSteps: number;
  /** The batches of an epoch, in the seeded order of that epoch. */
  batches(epoch: number): Iterable<{ x: import("@tensorflow/tfjs").Tensor2D }>;
  /** One optimisation step at `state.step`; returns its loss (and throws, having recorded it, on a non-finite one). */
  step(x: import("@tensorflow/tfjs").Tensor2D, epoch: number, batchIndex: number): number;
  /** Wall ms of each step are pushed here (the summary reports their median). */
  stepTimes: number[];
  /** After each step's counters are updated; returning true abandons the run at once (tests' simulated kill). */
  afterStep?(loss: number): boolean | void;
  /** Write a checkpoint every this many steps besides each epoch end (0: epoch ends only). */
  checkpointEvery: number;
  saveCheckpoint(): void;
  /** At the end of an epoch, before the running loss is reset: evaluate and record (or not, per evalEvery). */
  endOfEpoch(epoch: number): void;
}

export type LoopEnd = { kind: "completed" } | { kind: "stopped"; signal: StopSignal; where: string } | { kind: "abandoned" };

export async function trainingLoop(spec: LoopSpec): Promise<LoopEnd> {
  const { state, stepsPerEpoch } = spec;
  // A stop on an epoch's last step checkpoints before that epoch's end: finish it first on resume.
  if (state.step > 0 && state.step % stepsPerEpoch === 0 && state.completedEpochs < state.step / stepsPerEpoch) {
    const end = await endEpoch(spec, state.step / stepsPerEpoch - 1);
    if (end) return end;
  }
  while (state.step < spec.totalSteps) {
    const epoch = Math.floor(state.step / stepsPerEpoch);
    const skip = state.step - epoch * stepsPerEpoch;
    state.epoch = epoch;
    let batchIndex = 0;
    for (const batch of spec.batches(epoch)) {
      if (batchIndex < skip) {
        batchIndex++;
        continue;
      }
      const t0 = process.hrtime.bigint();
      const loss = spec.step(batch.x, epoch, batchIndex);
      spec.stepTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (spec.stepTimes.length > 2000) spec.stepTimes.splice(0, 1000);
      state.step++;
      state.batchInEpoch = batchIndex + 1;
      state.epochLossSum += loss;
      state.epochLossCount++;
      batchIndex++;
      if (spec.afterStep?.(loss)) return { kind: "abandoned" };
      const signal = await spec.session.stepBoundary();
      if (signal) {
        spec.saveCheckpoint();
        return { kind: "stopped", signal, where: "mid-epoch" };
      }
      if (spec.checkpointEvery > 0 && state.step % spec.checkpointEvery === 0 && state.step % stepsPerEpoch !== 0) spec.saveCheckpoint();
    }
    const end = await endEpoch(spec, epoch);
    if (end) return end;
  }
  return { kind: "completed" };
}

/** Closes an epoch: its evaluation, the reset of the running loss, a checkpoint; then a stop, if one is asked for. */
async function endEpoch(spec: LoopSpec, epoch: number): Promise<LoopEnd | null> {
  const { state } = spec;
  state.completedEpochs = epoch + 1;
  state.batchInEpoch = 0;
  spec.endOfEpoch(epoch);
  state.epochLossSum = 0;
  state.epochLossCount = 0;
  spec.saveCheckpoint();
  const signal = await spec.session.stepBoundary();
  return signal ? { kind: "stopped", signal, where: `after epoch ${epoch + 1}` } : null;
}
