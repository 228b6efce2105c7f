// The nonparametric (stick-breaking) deep latent Gaussian mixture VAE of appendix §5 (docs/paper.md
// §7.4, after Nalisnick et al. 2016). Generative model, with C ≤ T = 20 components of D = 50 dims:
//   v_k ~ Beta(1, 1) (k < C),  π = SB(v) with the remainder,  H ~ Cat(π),  w ~ N(ν_H, I),  x ~ Bern(dec(w)),
// prior means μ_1 = 0 and μ_k (k ≥ 2) with random signs ±1/√D per coordinate, drawn once.
// Variational family: q(v | x) per stick (Kumaraswamy(a, b), the baseline, or logit-normal
// sigmoid(μ + σε), IGR-SB's sticks), q(H | x, v) = π(v), q(w | x, H = k) = N(m_k, s_k²). The H-terms
// then cancel and, with one sample w_k per component and one v, the ELBO estimate is
//   Σ_k π_k [log p(x | w_k) + log N(w_k; ν_k, I) − log N(w_k; m_k, s_k²)] − Σ_{k<C} log q(v_k | x)
// (log Beta(1, 1) = 0). The authors' code replaces Σ_k π_k log N(w_k; m_k, s_k²) by
// log Σ_k π_k N(w_k; m_k, s_k²) (not a bound); `authorsEntropy: true` reproduces that.
//
// Truncation (IGR-SB, docs/paper.md §2.3/§7.4): per batch, m = sticksWithinThreshold(η) (the `quantile`
// percentile over the rows of the number of sticks whose cumulative mass stays ≤ threshold), and the
// model keeps m sticks plus the remainder, C = m + 1 components (so π sums to 1; the authors drop the
// remainder instead). Without truncation C = T.
//
// Encoder 784-200-200-200 (ReLU) → [stick params (T−1) | stick params (T−1) | m (T·D) | log s² (T·D)];
// decoder 50-200-200-784 (ReLU) applied to every kept component (the authors' code has 2 hidden
// layers of 200; the appendix says 3).
import { integerAtLeast } from "../core/validate";
import * as tf from "@tensorflow/tfjs";
import { normalLogDensityStandardized, stopGradient } from "../core/special";
import { mixSeeds, mulberry32 } from "../core/prng";
import { SEED_STREAM } from "../core/seedStreams";
import { IMAGE_PIXELS } from "../data/pool";
import type { Dataset } from "../data/dataset";
import { sticksWithinThreshold } from "../distributions/igrStickBreaking";
import { MLP } from "./dense";
import { bernoulliLogLikelihood } from "./likelihoods";
import { kumaraswamySticks, logitNormalSticks, logStickWeights, SticksAndLogDensity } from "./mixtureSticks";
import { normalNoise, uniformNoise } from "./noise";
import type { NamedVariable } from "./vae";

export const STICK_FAMILIES = ["kumaraswamy", "igr-sb"] as const;
export type StickFamily = (typeof STICK_FAMILIES)[number];

export interface MixtureVaeConfig {
  /** Distribution of the stick fractions: "kumaraswamy" (baseline) or "igr-sb" (logit-normal). */
  sticks: StickFamily;
  /** T, the most components (20). */
  maxComponents: number;
  /** D, the dimension of each component's Gaussian (50). */
  latentSize: number;
  inputSize: number;
  encoderHidden: number[];
  decoderHidden: number[];
  /** Truncate adaptively (default: true for igr-sb, false for kumaraswamy). */
  truncate: boolean;
  /** Truncation threshold on the cumulative stick mass (the authors' DLGMM: 0.9999). */
  threshold: number;
  /** Percentile of the per-row counts (the authors' default 70). */
  quantile: number;
  /** Stop the gradient through the density parameters of log q (the authors do). */
  stickTheLanding: boolean;
  /** Use the authors' log Σ_k π_k N(w_k; m_k, s_k²) in place of Σ_k π_k log N(w_k; m_k, s_k²). */
  authorsEntropy: boolean;
  /** Samples of (v, w) per example in the objective. */
  samples: number;
  initSeed: number;
}

export const MIXTURE_DEFAULTS: Omit<MixtureVaeConfig, "sticks" | "truncate"> = {
  maxComponents: 20,
  latentSize: 50,
  inputSize: IMAGE_PIXELS,
  encoderHidden: [200, 200, 200],
  decoderHidden: [200, 200],
  threshold: 0.9999,
  quantile: 70,
  stickTheLanding: true,
  authorsEntropy: false,
  samples: 1,
  initSeed: 0,
};

function fail(message: string): never {
  throw new Error(message);
}


/** Fills defaults and checks every field; unknown keys are refused, naming the valid ones. */
export function mixtureVaeConfig(partial: Omit<Partial<MixtureVaeConfig>, "sticks"> & { sticks: unknown }): MixtureVaeConfig {
  const known = new Set<string>(["sticks", "truncate", ...Object.keys(MIXTURE_DEFAULTS)]);
  for (const key of Object.keys(partial)) if (!known.has(key)) fail(`mixture VAE: unknown option "${key}"; valid options are ${[...known].join(", ")}`);
  if (!(STICK_FAMILIES as readonly unknown[]).includes(partial.sticks)) fail(`mixture VAE: unknown sticks ${JSON.stringify(partial.sticks)}; valid families are ${STICK_FAMILIES.join(", ")}`);
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const c = { ...MIXTURE_DEFAULTS, truncate: partial.sticks === "igr-sb", ...defined } as MixtureVaeConfig;
  integerAtLeast("maxComponents", c.maxComponents, 2, "mixture VAE");
  for (const key of ["latentSize", "inputSize", "samples"] as const) integerAtLeast(key, c[key], 1, "mixture VAE");
  integerAtLeast("initSeed", c.initSeed, 0, "mixture VAE");
  for (const key of ["encoderHidden", "decoderHidden"] as const) {
    if (!Array.isArray(c[key])) fail(`mixture VAE: ${key} must be an array of layer widths; got ${JSON.stringify(c[key])}`);
    c[key].forEach((w, i) => integerAtLeast(`${key}[${i}]`, w, 1, "mixture VAE"));
  }
  for (const key of ["truncate", "stickTheLanding", "authorsEntropy"] as const) {
    if (typeof c[key] !== "boolean") fail(`mixture VAE: ${key} must be true or false; got ${JSON.stringify(c[key])}`);
  }
  if (typeof c.threshold !== "number" || !(c.threshold > 0 && c.threshold < 1)) fail(`mixture VAE: threshold must be in (0, 1); got ${JSON.stringify(c.threshold)}`);
  if (typeof c.quantile !== "number" || !(c.quantile >= 0 && c.quantile <= 100)) fail(`mixture VAE: quantile must be in [0, 100]; got ${JSON.stringify(c.quantile)}`);
  return c;
}

export interface MixtureObjective {
  /** −mean over rows of the ELBO estimate. */
  loss: tf.Scalar;
  /** ELBO estimate per row, [rows]. */
  elbo: tf.Tensor1D;
  /** π per row over the kept components, [rows, C]. */
  weights: tf.Tensor2D;
  /** C, the number of components kept in this pass. */
  components: number;
}

export interface MixtureEvalResult {
  /** Mean ELBO estimate over the images (nats, higher is better). */
  elbo: number;
  images: number;
  /** E[π_k] over the images and draws, [T] (zeros past the truncation). */
  usage: number[];
  /** Components whose mean weight exceeds `usageThreshold`. */
  componentsUsed: number;
  /** Mean number of components kept per batch (C; T without truncation). */
  meanComponents: number;
  /** Share of images whose largest weight is component k, [T]. */
  argmaxShare: number[];
}

export class MixtureVAE {
  readonly config: MixtureVaeConfig;
  readonly encoder: MLP;
  readonly decoder: MLP;
  /** μ_k of the prior, [T, D] (fixed, not trained). */
  readonly priorMeans: tf.Tensor2D;

  constructor(config: Omit<Partial<MixtureVaeConfig>, "sticks"> & { sticks: unknown }) {
    const c = (this.config = mixtureVaeConfig(config));
    const T = c.maxComponents;
    const D = c.latentSize;
    const seed = mixSeeds(c.initSeed, SEED_STREAM.mixtureWeights) & 0x3fffffff;
    this.encoder = new MLP([c.inputSize, ...c.encoderHidden, this.encoderOutputSize], "relu", { seed });
    this.decoder = new MLP([D, ...c.decoderHidden, c.inputSize], "relu", { seed: seed + 100 });
    const rand = mulberry32(mixSeeds(c.initSeed, SEED_STREAM.mixturePriorMeans));
    const means = new Float32Array(T * D);
    for (let k = 1; k < T; k++) for (let d = 0; d < D; d++) means[k * D + d] = (rand() < 0.5 ? -1 : 1) / Math.sqrt(D);
    this.priorMeans = tf.tensor2d(means, [T, D]);
  }

  /** 2(T − 1) stick parameters plus means and log-variances of T components of D dims. */
  get encoderOutputSize(): number {
    const { maxComponents: T, latentSize: D } = this.config;
    return 2 * (T - 1) + 2 * T * D;
  }

  /** Noise per row: T − 1 stick draws (uniform or normal) then T·D normals. */
  get noiseWidth(): number {
    const { maxComponents: T, latentSize: D } = this.config;
    return T - 1 + T * D;
  }

  namedVariables(): NamedVariable[] {
    const out: NamedVariable[] = [];
    this.encoder.layers.forEach((layer, i) => out.push({ name: `encoder/${i}/weight`, variable: layer.weight }, { name: `encoder/${i}/bias`, variable: layer.bias }));
    this.decoder.layers.forEach((layer, i) => out.push({ name: `decoder/${i}/weight`, variable: layer.weight }, { name: `decoder/${i}/bias`, variable: layer.bias }));
    return out;
  }

  get variables(): tf.Variable[] {
    return this.namedVariables().map((v) => v.variable);
  }

  /** Noise for `rows` rows from one seed, [rows, noiseWidth]. */
  noise(rows: number, seed: number): tf.Tensor2D {
    const { maxComponents: T } = this.config;
    const normals = normalNoise(rows * this.noiseWidth, seed);
    if (this.config.sticks === "kumaraswamy") {
      const u = uniformNoise(rows * (T - 1), mixSeeds(seed, SEED_STREAM.mixtureSticks));
      // u in [1e−6, 1 − 1e−6]: the sticks are clipped to [1e−4, 0.9999] anyway.
      for (let r = 0; r < rows; r++) for (let k = 0; k < T - 1; k++) normals[r * this.noiseWidth + k] = Math.min(Math.max(u[r * (T - 1) + k], 1e-6), 1 - 1e-6);
    }
    return tf.tensor2d(normals, [rows, this.noiseWidth]);
  }

  /** Stick fractions and log q(v | x) from the encoder's stick columns and the stick noise. */
  private sticks(p1: tf.Tensor2D, p2: tf.Tensor2D, noise: tf.Tensor2D): SticksAndLogDensity {
    const stl = this.config.stickTheLanding;
    if (this.config.sticks === "kumaraswamy") {
      const a = tf.exp(p1);
      const b = tf.exp(p2);
      return kumaraswamySticks(a, b, noise, stl ? stopGradient(a) : a, stl ? stopGradient(b) : b);
    }
    const scale = tf.exp(p2);
    return logitNormalSticks(p1, scale, noise, stl ? stopGradient(p1) : p1, stl ? stopGradient(scale) : scale);
  }

  /** The number of sticks kept for these log-sticks [rows, T−1]: all, or the adaptive truncation. */
  keptSticks(logV: tf.Tensor2D, log1mV: tf.Tensor2D): number {
    const c = this.config;
    if (!c.truncate) return c.maxComponents - 1;
    // η_k = v_k Π_{j<k}(1 − v_j): the stick weights without the remainder.
    const sticks = logV.shape[1];
    const eta = tf.tidy(() => tf.exp(tf.slice(logStickWeights(logV, log1mV, sticks), [0, 0], [-1, sticks])));
    const m = sticksWithinThreshold(eta, c.threshold, c.quantile);
    eta.dispose();
    return m;
  }

  /**
   * The ELBO estimate for x [B, inputSize] and noise [S·B, noiseWidth] (sample-major rows). Call
   * inside tf.tidy / variableGrads.
   */
  objective(x: tf.Tensor2D, noise: tf.Tensor2D): MixtureObjective {
    const c = this.config;
    const T = c.maxComponents;
    const D = c.latentSize;
    const S = c.samples;
    const B = x.shape[0];
    if (x.rank !== 2 || x.shape[1] !== c.inputSize) fail(`mixture VAE: x must be [batch, ${c.inputSize}]; got [${x.shape}]`);
    if (noise.rank !== 2 || noise.shape[0] !== S * B || noise.shape[1] !== this.noiseWidth) {
      fail(`mixture VAE: noise must be [${S * B}, ${this.noiseWidth}] (samples·batch, noiseWidth); got [${noise.shape}]`);
    }
    const rows = S * B;
    const encodedOnce = this.encoder.apply(x, { inputGrad: false });
    const encoded = S > 1 ? (tf.tile(encodedOnce, [S, 1]) as tf.Tensor2D) : encodedOnce;
    const xs = S > 1 ? (tf.tile(x, [S, 1]) as tf.Tensor2D) : x;
    const [p1, p2, m, logVar] = tf.split(encoded, [T - 1, T - 1, T * D, T * D], 1) as tf.Tensor2D[];
    const [stickNoise, zNoise] = tf.split(noise, [T - 1, T * D], 1) as tf.Tensor2D[];
    const { logV, log1mV, logQ } = this.sticks(p1, p2, stickNoise);
    const kept = this.keptSticks(logV as tf.Tensor2D, log1mV as tf.Tensor2D);
    const C = kept + 1;
    const logPi = logStickWeights(logV, log1mV, kept) as tf.Tensor2D;
    const weights = tf.exp(logPi) as tf.Tensor2D;
    const logQSticks = tf.sum(tf.slice(logQ, [0, 0], [rows, kept]), 1);

    // Components 1..C: w_k = m_k + s_k ε_k, [rows, C, D].
    const mean = tf.slice(tf.reshape(m, [rows, T, D]), [0, 0, 0], [rows, C, D]);
    const halfLogVar = tf.mul(0.5, tf.slice(tf.reshape(logVar, [rows, T, D]), [0, 0, 0], [rows, C, D]));
    const eps = tf.slice(tf.reshape(zNoise, [rows, T, D]), [0, 0, 0], [rows, C, D]);
    const z = tf.add(mean, tf.mul(tf.exp(halfLogVar), eps));
    // log N(w_k; m_k, s_k²) with the density's m, s stop-gradient'ed under STL (w keeps its path).
    const densityMean = c.stickTheLanding ? stopGradient(mean) : mean;
    const densityHalfLogVar = c.stickTheLanding ? stopGradient(halfLogVar) : halfLogVar;
    const standardized = tf.mul(tf.sub(z, densityMean), tf.exp(tf.neg(densityHalfLogVar)));
    const logQz = tf.sum(normalLogDensityStandardized(standardized, densityHalfLogVar), 2);
    const priorMeans = tf.slice(this.priorMeans, [0, 0], [C, D]);
    const logPz = tf.sum(normalLogDensityStandardized(tf.sub(z, priorMeans)), 2);

    const logits = this.decoder.apply(tf.reshape(z, [rows * C, D]) as tf.Tensor2D);
    const xRep = tf.reshape(tf.tile(tf.expandDims(xs, 1), [1, C, 1]), [rows * C, c.inputSize]) as tf.Tensor2D;
    const logPx = tf.reshape(bernoulliLogLikelihood(logits, xRep), [rows, C]);

    const expectedJoint = tf.sum(tf.mul(weights, tf.add(logPx, logPz)), 1);
    const entropyTerm = c.authorsEntropy ? tf.logSumExp(tf.add(logPi, logQz), 1) : tf.sum(tf.mul(weights, logQz), 1);
    const elbo = tf.sub(tf.sub(expectedJoint, entropyTerm), logQSticks) as tf.Tensor1D;
    return { loss: tf.neg(tf.mean(elbo)) as tf.Scalar, elbo, weights, components: C };
  }

  loss(x: tf.Tensor2D, noise: tf.Tensor2D): tf.Scalar {
    return this.objective(x, noise).loss;
  }

  /**
   * Test ELBO (one draw per image, the authors' S = 1, or `samples` draws averaged) and component
   * usage: E[π_k], the number of components with E[π_k] > usageThreshold, the share of images whose
   * largest weight is component k.
   */
  evaluate(data: Dataset, { limit, seed = 0, batchSize = 100, usageThreshold = 0.01 }: { limit?: number; seed?: number; batchSize?: number; usageThreshold?: number } = {}): MixtureEvalResult {
    const T = this.config.maxComponents;
    const S = this.config.samples;
    const n = Math.min(data.n, limit ?? data.n);
    if (n < 1) fail(`mixture VAE evaluate: no images to evaluate (data set has ${data.n}, limit ${limit})`);
    const usage = new Float64Array(T);
    const argmax = new Float64Array(T);
    let elboSum = 0;
    let componentSum = 0;
    let batches = 0;
    let start = 0;
    for (const batch of data.batches({ batchSize, shuffle: false })) {
      if (start >= n) break;
      const b = Math.min(batch.x.shape[0], n - start);
      const { elbo, weights, C } = tf.tidy(() => {
        const x = (b < batch.x.shape[0] ? tf.slice(batch.x, [0, 0], [b, -1]) : batch.x) as tf.Tensor2D;
        const out = this.objective(x, this.noise(S * b, mixSeeds(seed, SEED_STREAM.mixtureEvaluate, start)));
        return { elbo: out.elbo.dataSync(), weights: out.weights.dataSync(), C: out.components };
      });
      for (const v of elbo) elboSum += v / S;
      for (let r = 0; r < S * b; r++) {
        let best = 0;
        for (let k = 0; k < C; k++) {
          usage[k] += weights[r * C + k] / S;
          if (weights[r * C + k] > weights[r * C + best]) best = k;
        }
        argmax[best] += 1 / S;
      }
      componentSum += C;
      batches++;
      start += b;
    }
    const meanUsage = Array.from(usage, (u) => u / n);
    return {
      elbo: elboSum / n,
      images: n,
      usage: meanUsage,
      componentsUsed: meanUsage.filter((u) => u > usageThreshold).length,
      meanComponents: componentSum / batches,
      argmaxShare: Array.from(argmax, (a) => a / n),
    };
  }

  /** Bernoulli means of x for `n` draws w ~ N(ν_k, I) of component k (0-based), [n, inputSize]. */
  sampleComponent(k: number, n: number, seed = 0): tf.Tensor2D {
    const { maxComponents: T, latentSize: D } = this.config;
    if (!Number.isInteger(k) || k < 0 || k >= T) fail(`sampleComponent: k must be an integer in [0, ${T - 1}]; got ${k}`);
    integerAtLeast("n", n, 1, "mixture VAE");
    return tf.tidy(() => {
      const z = tf.add(tf.slice(this.priorMeans, [k, 0], [1, D]), tf.tensor2d(normalNoise(n * D, mixSeeds(seed, SEED_STREAM.mixtureComponentImages, k)), [n, D]));
      return tf.sigmoid(this.decoder.apply(z as tf.Tensor2D)) as tf.Tensor2D;
    });
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    this.priorMeans.dispose();
  }
}
