// ELBOs of a trained VAE over a data set (means per example; higher is better).
//
// relaxedElbo      the training objective: log p(x | ψ) − KL_relaxed, ψ a relaxed draw (S draws if the
//                  model has samples > 1), with the model's own KL (closed form or Monte Carlo).
// discretizedElbo  one-hot decoding plus the discrete KL (docs/paper.md §4.6, appendix Table 1):
//                  log p(x | H) − KL(q(H | x) ‖ Uniform(K)^V), H = the category of one relaxed draw.
//                  A true ELBO of the discrete model p(H) p(x | H) when the KL is exact (IGR-I, GS);
//                  IGR-Planar / IGR-SB use a frequency estimate of q (see discrete.ts).
import * as tf from "@tensorflow/tfjs";
import { mixSeeds } from "../core/prng";
import type { Batch, BatchOptions } from "../data/dataset";
import type { CategoricalVAE } from "../models/vae";
import { SEED_STREAM } from "../core/seedStreams";
import { argmaxBlocks, categoryScores, discretePosterior, FREQUENCY_SAMPLES, klToUniform, oneHotRows } from "./discrete";

/** What the evaluations need from a data set (a lib/data Dataset fits). */
export interface EvalData {
  readonly n: number;
  batches(options?: BatchOptions): Generator<Batch, void, undefined>;
}

export interface EvalOptions {
  /** Seed of the evaluation's noise (default 0): the same seed gives the same numbers. */
  seed?: number;
  /** Examples per batch (default 100). */
  batchSize?: number;
  /** Only the first `limit` examples (default all). */
  limit?: number;
  /** Called after each batch with (examples done, total). */
  onProgress?: (done: number, total: number) => void;
}

export interface ElboResult {
  /** Mean over examples of log p(x | H) − KL. */
  elbo: number;
  /** Mean reconstruction term log p(x | H). */
  logLikelihood: number;
  /** Mean KL term. */
  kl: number;
  /** Examples evaluated. */
  n: number;
}

/** Batches of the first `limit` examples in data-set order. */
export function* evalBatches(data: EvalData, batchSize: number, limit: number | undefined): Generator<{ x: tf.Tensor2D; index: number; start: number }> {
  const total = Math.min(limit ?? data.n, data.n);
  let start = 0;
  let index = 0;
  for (const batch of data.batches({ batchSize, shuffle: false, seed: 0 })) {
    if (start >= total) return;
    const rows = Math.min(batch.x.shape[0], total - start);
    const x = rows === batch.x.shape[0] ? batch.x : (tf.slice(batch.x, [0, 0], [rows, -1]) as tf.Tensor2D);
    try {
      yield { x, index, start };
    } finally {
      if (x !== batch.x) x.dispose();
    }
    start += rows;
    index++;
  }
}

function finish(sumLl: number, sumKl: number, n: number): ElboResult {
  return { elbo: (sumLl - sumKl) / n, logLikelihood: sumLl / n, kl: sumKl / n, n };
}

/** The relaxed ELBO (the training objective without gradients). */
export function relaxedElbo(model: CategoricalVAE, data: EvalData, { seed = 0, batchSize = 100, limit, onProgress }: EvalOptions = {}): ElboResult {
  const total = Math.min(limit ?? data.n, data.n);
  const S = model.config.samples;
  let sumLl = 0;
  let sumKl = 0;
  for (const { x, index } of evalBatches(data, batchSize, limit)) {
    const B = x.shape[0];
    const [ll, kl] = tf.tidy(() => {
      const noise = model.noise(S * B, mixSeeds(seed, SEED_STREAM.evaluate, index));
      const parts = model.objective(x, noise);
      return [tf.sum(parts.logLikelihood), tf.sum(parts.kl)];
    });
    sumLl += ll.dataSync()[0] / S;
    sumKl += kl.dataSync()[0] / S;
    ll.dispose();
    kl.dispose();
    onProgress?.(Math.min(total, (index + 1) * batchSize), total);
  }
  return finish(sumLl, sumKl, total);
}

export interface DiscretizedOptions extends EvalOptions {
  /** Draws per example for the IGR-Planar / IGR-SB frequency estimate of q (default 1000). */
  frequencySamples?: number;
}

/** The discretized ELBO: one-hot decode of one relaxed draw's category, exact (or estimated) discrete KL. */
export function discretizedElbo(model: CategoricalVAE, data: EvalData, { seed = 0, batchSize = 100, limit, onProgress, frequencySamples = FREQUENCY_SAMPLES }: DiscretizedOptions = {}): ElboResult {
  const total = Math.min(limit ?? data.n, data.n);
  const { numVariables: V, numCategories: K } = model.config;
  let sumLl = 0;
  let sumKl = 0;
  for (const { x, index } of evalBatches(data, batchSize, limit)) {
    const B = x.shape[0];
    const batchSeed = mixSeeds(seed, SEED_STREAM.evaluate, index);
    const scores = tf.tidy(() => categoryScores(model, model.encode(x), model.noise(B, batchSeed)).dataSync());
    const oneHot = oneHotRows(argmaxBlocks(scores, K), V, K);
    const ll = tf.tidy(() => tf.sum(model.logLikelihood(model.decode(tf.tensor2d(oneHot, [B, V * K])), x)));
    sumLl += ll.dataSync()[0];
    ll.dispose();
    const posterior = discretePosterior(model, x, { numSamples: frequencySamples, seed: mixSeeds(batchSeed, SEED_STREAM.posteriorFrequencies) });
    for (const value of klToUniform(posterior.probs, V, K)) sumKl += value;
    onProgress?.(Math.min(total, (index + 1) * batchSize), total);
  }
  return finish(sumLl, sumKl, total);
}
