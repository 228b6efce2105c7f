// The discrete side of a trained VAE: the category each relaxed draw rounds to, the discrete
// posterior q(H | x) per variable, and its KL to the uniform prior.
//
// With δ = 1 the argmax of ψ = softmax++(y/τ) is the argmax of [y, 0] at every τ (docs/paper.md §1.5),
// so "one-hot decoding" never needs ψ itself. The discrete q per family:
//   IGR-I   exact: Proposition 2 (lib/discrete/discreteProbabilities).
//   GS      exact: softmax(α) (the Gumbel-max trick).
//   IGR-Planar, IGR-SB   no closed form: estimated by the frequencies of argmax over `numSamples`
//           relaxed draws per example (the authors use 1000 draws, docs/paper.md §4.6). For KL(q ‖ uniform)
//           the raw frequencies are used (as the authors; 0·log 0 = 0), a plug-in estimate biased
//           HIGH (the plug-in entropy is biased low) by about (K−1)/(2·numSamples) nats per variable
//           when every category has mass, so the discretized ELBO built on it is pessimistic
//           (notebook 04 simulates the bias). As an importance-sampling proposal
//           they are mixed with 1% of the uniform law so every category has mass: the estimator is
//           then exact in expectation for that proposal (any proposal with full support is valid).
import * as tf from "@tensorflow/tfjs";
import { discreteProbabilities } from "../discrete/discreteProbabilities";
import { mixSeeds } from "../core/prng";
import { igrLocScale } from "../models/latent";
import { IGRPlanar } from "../distributions/igrPlanar";
import { stickBreaking } from "../bijectors/stickBreaking";
import { planarUHat64 } from "../bijectors/planar";
import { withExtraCategory } from "../bijectors/softmaxPlusPlus";
import { random64 } from "../estimators/rng";
import { logSigmoid64 } from "../core/special";
import type { CategoricalVAE } from "../models/vae";

/** Default number of relaxed draws for the IGR-Planar / IGR-SB frequency estimate (as the authors). */
export const FREQUENCY_SAMPLES = 1000;
/** Weight of the uniform law mixed into an estimated q used as an importance-sampling proposal. */
export const PROPOSAL_UNIFORM_WEIGHT = 0.01;

/**
 * Scores [rows, V, K] whose argmax over the last axis is the category of each relaxed draw:
 * [y, 0] for IGR (y the pre-softmax++ variable), α + G for GS. `encoded` and `noise` have `rows` rows.
 */
export function categoryScores(model: CategoricalVAE, encoded: tf.Tensor2D, noise: tf.Tensor2D): tf.Tensor3D {
  const c = model.config;
  const rows = encoded.shape[0];
  const V = c.numVariables;
  const K = c.numCategories;
  return tf.tidy(() => {
    if (c.model === "gs") return tf.reshape(tf.add(encoded, noise), [rows, V, K]) as tf.Tensor3D;
    const { loc, scale } = igrLocScale(encoded, c);
    const eps = tf.reshape(noise, [rows, V, K - 1]);
    let lambda: tf.Tensor;
    if (c.model === "igr-planar") {
      lambda = new IGRPlanar({ loc, scale, temperature: c.temperature, flows: model.flowParameters(), validateArgs: false }).preSimplex.forward(eps);
    } else {
      const kappa = tf.add(loc, tf.mul(scale, eps));
      lambda = c.model === "igr-sb" ? stickBreaking(kappa) : kappa;
    }
    return withExtraCategory(lambda) as tf.Tensor3D;
  });
}

/** Index of the largest entry of each K-block of `scores` (flattened [rows·V·K]); ties go to the first. */
export function argmaxBlocks(scores: ArrayLike<number>, K: number): Int32Array {
  const out = new Int32Array(scores.length / K);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (scores[i * K + k] > scores[i * K + best]) best = k;
    out[i] = best;
  }
  return out;
}

/** One-hot rows [rows, V·K] from category indices [rows·V]. */
export function oneHotRows(categories: Int32Array, V: number, K: number): Float32Array {
  const out = new Float32Array(categories.length * K);
  for (let i = 0; i < categories.length; i++) out[i * K + categories[i]] = 1;
  return out;
}

export interface DiscretePosterior {
  /** q(z_v = k | x) as [B·V·K] Float64 (example-major, then variable, then category). */
  probs: Float64Array;
  /** True when `probs` is an exact law (IGR-I, GS), false for a frequency estimate (IGR-Planar, IGR-SB). */
  exact: boolean;
}

export interface DiscretePosteriorOptions {
  /** Draws per example for the frequency estimate (default 1000). */
  numSamples?: number;
  /** Seed of those draws. */
  seed?: number;
}

/** The discrete posterior of every variable for a batch x [B, D]. */
export function discretePosterior(model: CategoricalVAE, x: tf.Tensor2D, { numSamples = FREQUENCY_SAMPLES, seed = 0 }: DiscretePosteriorOptions = {}): DiscretePosterior {
  const c = model.config;
  const B = x.shape[0];
  const V = c.numVariables;
  const K = c.numCategories;
  if (c.model === "igr-i" || c.model === "gs") {
    const values = tf.tidy(() => {
      const encoded = model.encode(x);
      if (c.model === "gs") return tf.softmax(tf.reshape(encoded, [B, V, K]), -1).dataSync();
      const { loc, scale } = igrLocScale(encoded, c);
      // The encoder's σ = exp(ξ) is unbounded: outside the fixed rule's box the kernel path (wasm, cpu)
      // takes the adaptive rule, accurate everywhere; validation rejects only a non-finite μ or σ.
      return discreteProbabilities(loc, scale).dataSync();
    });
    // Renormalise in float64 (the quadrature's rows sum to 1 only within ~1e−6).
    const probs = Float64Array.from(values);
    for (let i = 0; i < B * V; i++) {
      let total = 0;
      for (let k = 0; k < K; k++) total += Math.max(probs[i * K + k], 0);
      for (let k = 0; k < K; k++) probs[i * K + k] = Math.max(probs[i * K + k], 0) / total;
    }
    return { probs, exact: true };
  }
  if (c.model === "igr-sb") return { probs: stickBreakingFrequencies(model, x, numSamples, seed), exact: false };
  return { probs: planarFrequencies(model, x, numSamples, seed), exact: false };
}

/** The frequency estimate by tfjs ops on the model's own relaxed draws (any IGR family): the reference the Float64 paths are tested against. */
export function frequenciesByTensors(model: CategoricalVAE, x: tf.Tensor2D, numSamples: number, seed: number): Float64Array {
  const c = model.config;
  const B = x.shape[0];
  const V = c.numVariables;
  const K = c.numCategories;
  const counts = new Float64Array(B * V * K);
  const encoded = model.encode(x);
  // Chunks of at most ~20k rows keep memory bounded whatever B and numSamples are.
  const perChunk = Math.max(1, Math.floor(20000 / B));
  for (let start = 0, chunk = 0; start < numSamples; start += perChunk, chunk++) {
    const s = Math.min(perChunk, numSamples - start);
    const scores = tf.tidy(() => {
      const noise = model.noise(s * B, mixSeeds(seed, chunk));
      return categoryScores(model, tf.tile(encoded, [s, 1]) as tf.Tensor2D, noise).dataSync();
    });
    const cats = argmaxBlocks(scores, K);
    for (let r = 0; r < s * B; r++) {
      const b = r % B;
      for (let v = 0; v < V; v++) counts[(b * V + v) * K + cats[r * V + v]] += 1;
    }
  }
  encoded.dispose();
  for (let i = 0; i < counts.length; i++) counts[i] /= numSamples;
  return counts;
}

/**
 * The IGR-SB frequency estimate in plain Float64 JS (same estimator as `frequenciesByTensors`, the
 * draws from a JS generator instead of tfjs noise): κ = μ + σε, y = stick-breaking(κ) with
 * log y_k = log σ(κ_k) + Σ_{j<k} log σ(−κ_j), category = argmax [y, 0]. Every y_k > 0, so the last
 * category (the 0) never wins. No tensors per draw: ~100x cheaper than the op path.
 */
export function stickBreakingFrequencies(model: CategoricalVAE, x: tf.Tensor2D, numSamples: number, seed: number): Float64Array {
  const logSigmoid = logSigmoid64; // bound once for the loop below
  return frequencies64(model, x, numSamples, seed, (mu, sd, at, M, normal) => {
    let best = M; // the extra category's score is 0 (log 0 = −∞)
    let bestLog = -Infinity;
    let rest = 0; // Σ_{j<k} log σ(−κ_j)
    for (let k = 0; k < M; k++) {
      const kappa = mu[at + k] + sd[at + k] * normal();
      const logStick = logSigmoid(kappa);
      const logLambda = logStick + rest;
      if (logLambda > bestLog) {
        bestLog = logLambda;
        best = k;
      }
      rest += logStick - kappa; // log σ(−κ) = log σ(κ) − κ
    }
    return best;
  });
}

/**
 * The IGR-Planar frequency estimate in plain Float64 JS (same estimator as `frequenciesByTensors`,
 * the draws from a JS generator): κ = μ + σε, then each planar layer z ← z + û tanh(wᵀz + b) with the
 * invertible û = u + (softplus(wᵀu) − 1 − wᵀu) w / ‖w‖² (planarUHat64 in lib/bijectors/planar.ts),
 * category = argmax [y, 0]. The flows are global (one w, u, b per variable), so û is computed once per
 * call; no tensors per draw.
 */
export function planarFrequencies(model: CategoricalVAE, x: tf.Tensor2D, numSamples: number, seed: number): Float64Array {
  const { numVariables: V, numCategories: K } = model.config;
  const layers = model.flows.map(({ w, u, b }) => planarLayer64(w.dataSync(), u.dataSync(), b.dataSync(), V, K - 1));
  const z = new Float64Array(K - 1);
  return frequencies64(model, x, numSamples, seed, (mu, sd, at, M, normal, v) => {
    for (let k = 0; k < M; k++) z[k] = mu[at + k] + sd[at + k] * normal();
    for (const { w, uHat, b } of layers) {
      let a = b[v];
      for (let k = 0; k < M; k++) a += w[v * M + k] * z[k];
      const t = Math.tanh(a);
      for (let k = 0; k < M; k++) z[k] += uHat[v * M + k] * t;
    }
    // argmax of [y, 0], ties to the first (as argmaxBlocks)
    let best = 0;
    for (let k = 1; k < M; k++) if (z[k] > z[best]) best = k;
    if (0 > z[best]) best = M;
    return best;
  });
}

/** One draw's category from the Gaussian of (example, variable) whose K − 1 coordinates start at `at`. */
type DrawCategory = (mu: Float32Array, sd: Float32Array, at: number, M: number, normal: () => number, variable: number) => number;

/**
 * The frequency estimate shared by the Float64 paths: the encoder's Gaussians once, then numSamples
 * draws per (example, variable) in that order from one JS generator, counted and normalised.
 */
function frequencies64(model: CategoricalVAE, x: tf.Tensor2D, numSamples: number, seed: number, category: DrawCategory): Float64Array {
  const c = model.config;
  const B = x.shape[0];
  const V = c.numVariables;
  const K = c.numCategories;
  const M = K - 1;
  const [mu, sd] = tf.tidy(() => {
    const { loc, scale } = igrLocScale(model.encode(x), c);
    return [loc.dataSync() as Float32Array, scale.dataSync() as Float32Array];
  });
  const random = random64(seed);
  const normal = () => random.normal();
  const counts = new Float64Array(B * V * K);
  for (let i = 0; i < B * V; i++) {
    for (let d = 0; d < numSamples; d++) counts[i * K + category(mu, sd, i * M, M, normal, i % V)] += 1;
  }
  for (let i = 0; i < counts.length; i++) counts[i] /= numSamples;
  return counts;
}

/** One planar layer's w, û [V·M] and b [V] in Float64 (û from the bijector's Float64 twin). */
function planarLayer64(w: ArrayLike<number>, u: ArrayLike<number>, b: ArrayLike<number>, V: number, M: number): { w: Float64Array; uHat: Float64Array; b: Float64Array } {
  return { w: Float64Array.from(w), uHat: planarUHat64(w, u, V, M), b: Float64Array.from(b) };
}

/** KL(q ‖ Uniform(K)) per example, summed over variables: Σ_v Σ_k q log q + V log K (0·log 0 = 0). */
export function klToUniform(probs: Float64Array, V: number, K: number): Float64Array {
  const B = probs.length / (V * K);
  const out = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let kl = V * Math.log(K);
    for (let i = b * V * K; i < (b + 1) * V * K; i++) if (probs[i] > 0) kl += probs[i] * Math.log(probs[i]);
    out[b] = kl;
  }
  return out;
}

/** An estimated q mixed with the uniform law so it can serve as an importance-sampling proposal. */
export function proposalFrom(posterior: DiscretePosterior, K: number): Float64Array {
  if (posterior.exact) return posterior.probs;
  const w = PROPOSAL_UNIFORM_WEIGHT;
  return Float64Array.from(posterior.probs, (p) => (1 - w) * p + w / K);
}
