// The Adam loop of the appendix-§6 fits (docs/paper.md §6): one relaxed distribution
// (models/approxDiscrete.ts) fitted so that the mean of its relaxed samples matches a target pmf.
// It runs in memory for at most a few thousand steps and returns synchronously (notebook 05 calls
// it inline), so it does not go through loop.ts: no run folder, checkpoint or signals, and no data
// batches (each step draws fresh relaxed samples); it also runs in the browser (the book's explorer),
// where loop.ts's process signals do not exist. Its stop rule is the authors' (shouldStop). From the
// command line: `igr approx` and `igr prior-fit` (bin/cli/approx.ts).
import * as tf from "@tensorflow/tfjs";
import { SeedStream } from "../core/random";
import { ApproxFitOptions, approxSettings, ApproxSettings, DiscreteApproximation } from "../models/approxDiscrete";
import { Adam } from "./adam";

/**
 * The authors' early-stop rule (MinimizeEmpiricalLoss): after the loss of 0-based step i, when
 * i is a multiple of checkEvery and i > checkEvery, the running "mean loss" becomes the mean of the
 * losses of steps i − checkEvery .. i − 1; training continues while i + 1 < maxIterations and
 * |mean loss| > tolerance. (The mean starts at 10, so no stop happens before step 2·checkEvery.)
 */
export function shouldStop(losses: readonly number[], { checkEvery, tolerance, maxIterations }: Pick<ApproxSettings, "checkEvery" | "tolerance" | "maxIterations">): { stop: boolean; early: boolean } {
  const i = losses.length - 1;
  if (i + 1 >= maxIterations) return { stop: true, early: false };
  let meanLoss = 10;
  for (let j = checkEvery + 1; j <= i; j++) {
    if (j % checkEvery === 0) {
      let s = 0;
      for (let t = j - checkEvery; t < j; t++) s += losses[t];
      meanLoss = s / checkEvery;
    }
  }
  const early = Math.abs(meanLoss) <= tolerance;
  return { stop: early, early };
}

/** One Adam step on a fresh batch of S samples; records the loss, the time and IGR-SB's sticks on `fit`. */
export function fitStep(fit: DiscreteApproximation, optimizer: Adam, seed: SeedStream): number {
  const start = performance.now();
  let sticks: number | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const { loss, numSticks } = fit.batchLoss(seed);
    sticks = numSticks;
    return loss;
  }, fit.variables);
  optimizer.apply(fit.variables.map((v) => grads[v.name]));
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  if (!Number.isFinite(loss)) throw new Error(`fitDiscreteApproximation: the loss became ${loss} at step ${fit.losses.length} (${fit.settings.family}, τ = ${fit.settings.temperature})`);
  fit.stepMs.push(performance.now() - start);
  fit.losses.push(loss);
  if (sticks !== undefined) fit.numSticks.push(sticks);
  return loss;
}

/** Fits one relaxed distribution to a target (see models/approxDiscrete.ts); the caller disposes the result. */
export function fitDiscreteApproximation(options: ApproxFitOptions): DiscreteApproximation {
  const settings = approxSettings(options);
  const fit = new DiscreteApproximation(settings, options.target);
  if (settings.maxIterations === 0) return fit;
  const optimizer = new Adam(fit.variables, { learningRate: settings.learningRate });
  // Step noise comes from its own stream so the initialisation draws do not shift it.
  const stepSeeds = new SeedStream(settings.seed + 0x5eed);
  try {
    for (;;) {
      const loss = fitStep(fit, optimizer, stepSeeds);
      options.onStep?.(fit.losses.length - 1, loss);
      const { stop, early } = shouldStop(fit.losses, settings);
      if (stop) {
        fit.stoppedEarly = early;
        break;
      }
    }
  } catch (err) {
    optimizer.dispose();
    fit.dispose();
    throw err;
  }
  optimizer.dispose();
  return fit;
}
