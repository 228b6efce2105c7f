// Test log-likelihood of the discrete model p(H) p(x | H), p(H) = Uniform(K)^V.
//
// importanceSampledLogLikelihood (the correct estimate, reported as "test LL"):
//   log p̂(x) = log (1/S) Σ_s p(x | z_s) p(z_s) / q(z_s | x),   z_s ~ q(· | x) discrete, S = 5000.
//   Unbiased for p(x); by Jensen its log is a stochastic lower bound of log p(x) that tightens as S
//   grows. q is the exact discrete posterior for IGR-I (Proposition 2) and GS (softmax α), and the
//   frequency estimate mixed with 1% uniform for IGR-Planar / IGR-SB (discrete.ts): an exact pmf of
//   the proposal actually used, so the estimate stays valid.
//
// authorsLogLikelihood (ONLY for comparison with the paper's numbers; NOT a valid estimate):
//   logsumexp_s log p(x | z_s) − log S − KL(q ‖ p) with S = 100 one-hot draws (docs/paper.md §4.6). It is
//   log((1/S) Σ p(x | z_s)) − KL, not importance sampling: it is always ≥ the discretized ELBO and can
//   exceed log p(x) (two-state counter-example in the notes: 3.411 against 2.389).
import * as tf from "@tensorflow/tfjs";
import { mixSeeds } from "../core/prng";
import type { CategoricalVAE } from "../models/vae";
import { uniformNoise } from "../models/noise";
import { SEED_STREAM } from "../core/seedStreams";
import { argmaxBlocks, categoryScores, discretePosterior, FREQUENCY_SAMPLES, klToUniform, oneHotRows, proposalFrom } from "./discrete";
import { EvalData, evalBatches, EvalOptions } from "./elbo";

export interface LogLikelihoodOptions extends EvalOptions {
  /** Importance samples per example (default 5000; the authors' estimator: 100). */
  samples?: number;
  /** Largest number of decoder rows per call (default 5000): bounds memory whatever `samples` is. */
  maxRows?: number;
  /** Draws per example for the IGR-Planar / IGR-SB frequency estimate of q (default 1000). */
  frequencySamples?: number;
}

export interface LogLikelihoodResult {
  /** Mean over examples of the estimate. */
  mean: number;
  /** Standard error of that mean over examples. */
  standardError: number;
  /** Per-example estimates. */
  perExample: Float64Array;
  samples: number;
  /** "exact" when q is the exact discrete posterior (IGR-I, GS), "estimated" otherwise. */
  posterior: "exact" | "estimated";
}

/** Draws category indices [S·V] (sample-major) for one example from per-variable pmfs [V·K]. */
function drawCategories(probs: Float64Array, offset: number, V: number, K: number, S: number, seed: number): { cats: Int32Array; logQ: Float64Array } {
  const u = uniformNoise(S * V, seed);
  const cats = new Int32Array(S * V);
  const logQ = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let lq = 0;
    for (let v = 0; v < V; v++) {
      const base = offset + v * K;
      let k = 0;
      let cumulative = probs[base];
      const target = u[s * V + v];
      while (target >= cumulative && k < K - 1) cumulative += probs[base + ++k];
      // Never pick a zero-mass category through rounding of the cumulative sum.
      while (probs[base + k] <= 0 && k > 0) k--;
      cats[s * V + v] = k;
      lq += Math.log(probs[base + k]);
    }
    logQ[s] = lq;
  }
  return { cats, logQ };
}

/** log p(x_b | H) for `rows` one-hot rows decoded against the same example x_b. */
function decodeLogLikelihood(model: CategoricalVAE, oneHot: Float32Array, rows: number, xRow: tf.Tensor2D): Float32Array {
  const { numVariables: V, numCategories: K } = model.config;
  return tf.tidy(() => {
    const decoded = model.decode(tf.tensor2d(oneHot, [rows, V * K]));
    return model.logLikelihood(decoded, tf.tile(xRow, [rows, 1]) as tf.Tensor2D).dataSync() as Float32Array;
  });
}

function summarise(perExample: Float64Array, samples: number, exact: boolean): LogLikelihoodResult {
  const n = perExample.length;
  let mean = 0;
  for (const v of perExample) mean += v / n;
  let variance = 0;
  for (const v of perExample) variance += (v - mean) ** 2 / Math.max(1, n - 1);
  return { mean, standardError: Math.sqrt(variance / n), perExample, samples, posterior: exact ? "exact" : "estimated" };
}

/** The importance-sampled log-likelihood with the discrete posterior as proposal (see the file header). */
export function importanceSampledLogLikelihood(
  model: CategoricalVAE,
  data: EvalData,
  { seed = 0, batchSize = 100, limit, onProgress, samples = 5000, maxRows = 5000, frequencySamples = FREQUENCY_SAMPLES }: LogLikelihoodOptions = {},
): LogLikelihoodResult {
  const { numVariables: V, numCategories: K } = model.config;
  const logPrior = -V * Math.log(K);
  const total = Math.min(limit ?? data.n, data.n);
  const perExample = new Float64Array(total);
  const chunk = Math.max(1, Math.min(samples, maxRows));
  let exact = true;
  for (const { x, index, start } of evalBatches(data, batchSize, limit)) {
    const B = x.shape[0];
    const batchSeed = mixSeeds(seed, SEED_STREAM.evaluate, index);
    const posterior = discretePosterior(model, x, { numSamples: frequencySamples, seed: batchSeed });
    exact = exact && posterior.exact;
    const proposal = proposalFrom(posterior, K);
    for (let b = 0; b < B; b++) {
      const xRow = tf.slice(x, [b, 0], [1, -1]) as tf.Tensor2D;
      // Streaming log-sum-exp of the log-weights in float64.
      let max = -Infinity;
      let sum = 0;
      for (let s0 = 0, part = 0; s0 < samples; s0 += chunk, part++) {
        const rows = Math.min(chunk, samples - s0);
        const { cats, logQ } = drawCategories(proposal, b * V * K, V, K, rows, mixSeeds(batchSeed, SEED_STREAM.importanceDraws, b, part));
        const ll = decodeLogLikelihood(model, oneHotRows(cats, V, K), rows, xRow);
        for (let s = 0; s < rows; s++) {
          const w = ll[s] + logPrior - logQ[s];
          if (w > max) {
            sum = sum * Math.exp(max - w) + 1;
            max = w;
          } else {
            sum += Math.exp(w - max);
          }
        }
      }
      xRow.dispose();
      perExample[start + b] = max + Math.log(sum) - Math.log(samples);
    }
    onProgress?.(start + B, total);
  }
  return summarise(perExample, samples, exact);
}

/**
 * The authors' reported "log-likelihood" (docs/paper.md §4.6), for comparison only: S one-hot draws
 * z_s = category of a relaxed draw, logsumexp_s log p(x | z_s) − log S − KL(q ‖ Uniform). KL exact for
 * IGR-I and GS; for IGR-Planar / IGR-SB the frequency estimate over `frequencySamples` draws.
 */
export function authorsLogLikelihood(
  model: CategoricalVAE,
  data: EvalData,
  { seed = 0, batchSize = 100, limit, onProgress, samples = 100, frequencySamples = FREQUENCY_SAMPLES }: LogLikelihoodOptions = {},
): LogLikelihoodResult {
  const { numVariables: V, numCategories: K } = model.config;
  const total = Math.min(limit ?? data.n, data.n);
  const perExample = new Float64Array(total);
  let exact = true;
  for (const { x, index, start } of evalBatches(data, batchSize, limit)) {
    const B = x.shape[0];
    const batchSeed = mixSeeds(seed, SEED_STREAM.evaluate, index);
    const posterior = discretePosterior(model, x, { numSamples: frequencySamples, seed: batchSeed });
    exact = exact && posterior.exact;
    const kl = klToUniform(posterior.probs, V, K);
    const encoded = model.encode(x);
    for (let b = 0; b < B; b++) {
      const ll = tf.tidy(() => {
        const row = tf.slice(encoded, [b, 0], [1, -1]);
        const scores = categoryScores(model, tf.tile(row, [samples, 1]) as tf.Tensor2D, model.noise(samples, mixSeeds(batchSeed, SEED_STREAM.authorsDraws, b))).dataSync();
        const oneHot = oneHotRows(argmaxBlocks(scores, K), V, K);
        return decodeLogLikelihood(model, oneHot, samples, tf.slice(x, [b, 0], [1, -1]) as tf.Tensor2D);
      });
      let max = -Infinity;
      for (const v of ll) max = Math.max(max, v);
      let sum = 0;
      for (const v of ll) sum += Math.exp(v - max);
      perExample[start + b] = max + Math.log(sum) - Math.log(samples) - kl[b];
    }
    encoded.dispose();
    onProgress?.(start + B, total);
  }
  return summarise(perExample, samples, exact);
}
