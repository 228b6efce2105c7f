// Approximating a discrete distribution with one relaxed distribution (appendix §6, "eq. 14";
// docs/paper.md §6): the parameters of a single (non-amortised) IGR-I, IGR-Planar, IGR-SB or GS are
// fitted by stochastic gradient so that the mean of S relaxed samples, ψ̄ = (1/S) Σ_s ψ_s, matches
// the target pmf p. The authors' settings: Adam lr 1e−2, S = 10⁴ samples per step, at most 200
// steps (set_prior: 1000), IGR τ = 0.01, GS τ = 0.1, IGR-SB threshold 0.9; loss Σ (ψ̄_k − p_k)² in
// the IGR scripts and the "empirical KL" Σ ψ̄_k (log ψ̄_k − log p_k) = KL(ψ̄ ‖ p) in the GS script.
//
// Why the mean relaxed sample: at low τ each ψ_s is near a vertex, so ψ̄ is close to the argmax
// frequencies (the discrete law being fitted) while staying differentiable. At high τ the two
// differ and the fitted discrete law is biased (the notebook's τ slider shows it).
//
// This file holds the relaxed distribution being fitted and its loss; the Adam loop that fits it
// (fitDiscreteApproximation) lives with the other training loops in train/approxFit.ts.
import * as tf from "@tensorflow/tfjs";
import { PLANAR_INIT_STD } from "../bijectors/planar";
import { FLOAT32_TINY, SeedStream } from "../core/random";
import { discreteProbabilities } from "../discrete/discreteProbabilities";
import { checkTarget, DiscreteTarget } from "../discrete/targets";
import { GumbelSoftmax } from "../distributions/gumbelSoftmax";
import { IGRBase } from "../distributions/igr";
import { IGRPlanar } from "../distributions/igrPlanar";
import { IGRStickBreaking } from "../distributions/igrStickBreaking";
import { InvertibleGaussian } from "../distributions/invertibleGaussian";

export type ApproxFamily = "igr-i" | "igr-planar" | "igr-sb" | "gs";
export type ApproxLoss = "squared-error" | "empirical-kl";
export const APPROX_FAMILIES: readonly ApproxFamily[] = Object.freeze(["igr-i", "igr-planar", "igr-sb", "gs"]);
export const APPROX_LOSSES: readonly ApproxLoss[] = Object.freeze(["squared-error", "empirical-kl"]);

export interface ApproxFitOptions {
  family: ApproxFamily;
  target: DiscreteTarget;
  /** τ (default 0.01 for IGR, 0.1 for GS: the authors' values). */
  temperature?: number;
  /** Default "squared-error" for IGR and "empirical-kl" for GS (the authors' scripts). */
  loss?: ApproxLoss;
  /** Adam step size (default 1e−2). */
  learningRate?: number;
  /** Relaxed samples per step, S (default 10⁴). */
  numSamples?: number;
  /** Step cap (default 200; set_prior used 1000). 0 returns the initial distribution. */
  maxIterations?: number;
  /** Early stop when |mean loss over a window of checkEvery steps| ≤ tolerance (default 1e−5). */
  tolerance?: number;
  /** Window and period of the early-stop check (default 10). */
  checkEvery?: number;
  /** IGR-SB: keep the sticks whose cumulative mass stays ≤ threshold, in (0, 1) (default 0.9). */
  threshold?: number;
  /** IGR-SB: percentile of the per-draw stick counts (default 70, the authors' class default). */
  quantile?: number;
  /** IGR-Planar: number of planar layers (default 2). */
  planarLayers?: number;
  /** Seed of the initialisation and of every step's noise (default 0). */
  seed?: number;
  /** Called after each step with its 0-based index and loss. */
  onStep?: (step: number, loss: number) => void;
}

/** Resolved settings of a fit (every default filled in). */
export interface ApproxSettings {
  family: ApproxFamily;
  temperature: number;
  loss: ApproxLoss;
  learningRate: number;
  numSamples: number;
  maxIterations: number;
  tolerance: number;
  checkEvery: number;
  threshold: number;
  quantile: number;
  planarLayers: number;
  seed: number;
}

/** Checks the options of a fit and fills in the defaults (messages name fitDiscreteApproximation). */
export function approxSettings(options: ApproxFitOptions): ApproxSettings {
  const where = "fitDiscreteApproximation";
  if (options === null || typeof options !== "object") throw new Error(`${where}: options must be an object; got ${String(options)}`);
  const { family } = options;
  if (!APPROX_FAMILIES.includes(family)) {
    throw new Error(`${where}: family must be one of ${APPROX_FAMILIES.join(", ")}; got ${String(family)}`);
  }
  const isGs = family === "gs";
  const s: ApproxSettings = {
    family,
    temperature: options.temperature ?? (isGs ? 0.1 : 0.01),
    loss: options.loss ?? (isGs ? "empirical-kl" : "squared-error"),
    learningRate: options.learningRate ?? 1e-2,
    numSamples: options.numSamples ?? 10000,
    maxIterations: options.maxIterations ?? 200,
    tolerance: options.tolerance ?? 1e-5,
    checkEvery: options.checkEvery ?? 10,
    threshold: options.threshold ?? 0.9,
    quantile: options.quantile ?? 70,
    planarLayers: options.planarLayers ?? 2,
    seed: options.seed ?? 0,
  };
  if (!APPROX_LOSSES.includes(s.loss)) throw new Error(`${where}: loss must be one of ${APPROX_LOSSES.join(", ")}; got ${String(s.loss)}`);
  const positive: Array<[string, number]> = [["temperature", s.temperature], ["learningRate", s.learningRate], ["tolerance", s.tolerance]];
  for (const [name, v] of positive) {
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`${where}: ${name} must be a finite number > 0; got ${v}`);
  }
  const integers: Array<[string, number, number]> = [
    ["numSamples", s.numSamples, 1],
    ["maxIterations", s.maxIterations, 0],
    ["checkEvery", s.checkEvery, 1],
    ["planarLayers", s.planarLayers, 1],
  ];
  for (const [name, v, min] of integers) {
    if (!Number.isInteger(v) || v < min) throw new Error(`${where}: ${name} must be an integer ≥ ${min}; got ${v}`);
  }
  if (!(s.threshold > 0 && s.threshold < 1)) throw new Error(`${where}: threshold must be in (0, 1); got ${s.threshold}`);
  if (!(s.quantile >= 0 && s.quantile <= 100)) throw new Error(`${where}: quantile must be in [0, 100]; got ${s.quantile}`);
  if (!Number.isFinite(s.seed)) throw new Error(`${where}: seed must be a finite number; got ${s.seed}`);
  return s;
}

/** IGR-SB initial location logit(1/(K−1)) (the authors' initialize_mu_and_xi_for_logistic). */
function sbInitialLoc(K: number): number {
  const a = 1 / (K - 1);
  return Math.log(a / (1 - a));
}

/** A trainable variable initialised from `value`, which it disposes (the variable keeps the data). */
function variableFrom(value: tf.Tensor): tf.Variable {
  const v = tf.variable(value, true);
  value.dispose();
  return v;
}

/** softplus⁻¹(1) = log(e − 1): the authors' legacy IGR-SB initial ξ (σ = e^ξ ≈ 1.72). */
const SB_INITIAL_XI = Math.log(Math.E - 1);

/**
 * One fitted (or initial) relaxed distribution and its fitting history. Holds tf.Variables: call
 * dispose() when done.
 */
export class DiscreteApproximation {
  readonly settings: ApproxSettings;
  readonly target: DiscreteTarget;
  /** K of the relaxed distribution (= target.numCategories; for IGR-SB, the cap on categories). */
  readonly numCategories: number;
  /** Loss at each step (the loss of the samples the step's gradient came from). */
  readonly losses: number[] = [];
  /** IGR-SB: the number of sticks kept at each step (the truncation's m; ψ has m + 1 entries). */
  readonly numSticks: number[] = [];
  /** The early-stop rule fired before maxIterations. */
  stoppedEarly = false;
  /** Wall-clock ms of each step (forward, backward and Adam update). */
  readonly stepMs: number[] = [];
  /** μ (IGR), [K−1]. */
  readonly loc?: tf.Variable;
  /** ξ = log σ (IGR), [K−1]. */
  readonly logScale?: tf.Variable;
  /** log α (GS), [K]. */
  readonly logits?: tf.Variable;
  /** IGR-Planar layers (w, u: [K−1]; b: scalar). */
  readonly flows: Array<{ w: tf.Variable; u: tf.Variable; b: tf.Variable }> = [];
  private readonly probs: tf.Tensor;
  private readonly logProbs: tf.Tensor;

  constructor(settings: ApproxSettings, target: DiscreteTarget) {
    this.settings = settings;
    this.target = target;
    const p = checkTarget("fitDiscreteApproximation", target);
    const K = p.length;
    this.numCategories = K;
    if (settings.loss === "empirical-kl") {
      const zero = p.findIndex((v) => v === 0);
      if (zero >= 0) throw new Error(`fitDiscreteApproximation: the empirical KL needs p_k > 0; target ${target.name} has probs[${zero}] = 0`);
    }
    this.probs = tf.tensor1d(p, "float32");
    this.logProbs = tf.tensor1d(p.map(Math.log), "float32");
    const stream = new SeedStream(settings.seed);
    const n = K - 1;
    switch (settings.family) {
      case "gs":
        // log α = log(1/K): the uniform categorical.
        this.logits = variableFrom(tf.fill([K], Math.log(1 / K)));
        break;
      case "igr-sb":
        this.loc = variableFrom(tf.fill([n], sbInitialLoc(K)));
        this.logScale = variableFrom(tf.randomNormal([n], SB_INITIAL_XI, 0.01, "float32", stream.next()));
        break;
      default:
        this.loc = variableFrom(tf.zeros([n]));
        this.logScale = variableFrom(tf.zeros([n]));
    }
    if (settings.family === "igr-planar") {
      // Keras' random-normal initialiser for w and u, b = 0 (docs/paper.md §2.2).
      for (let l = 0; l < settings.planarLayers; l++) {
        this.flows.push({
          w: variableFrom(tf.randomNormal([n], 0, PLANAR_INIT_STD, "float32", stream.next())),
          u: variableFrom(tf.randomNormal([n], 0, PLANAR_INIT_STD, "float32", stream.next())),
          b: variableFrom(tf.scalar(0)),
        });
      }
    }
  }

  /** The trainable variables in a fixed order. */
  get variables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    if (this.logits) out.push(this.logits);
    if (this.loc) out.push(this.loc);
    if (this.logScale) out.push(this.logScale);
    for (const f of this.flows) out.push(f.w, f.u, f.b);
    return out;
  }

  /** Number of fitting steps taken. */
  get iterations(): number {
    return this.losses.length;
  }

  /** Median ms per step. */
  get msPerStep(): number {
    const sorted = [...this.stepMs].sort((a, b) => a - b);
    return sorted.length === 0 ? NaN : sorted[sorted.length >> 1];
  }

  /**
   * The relaxed distribution at the current parameters (new tensors hold σ = e^ξ; they live until
   * the enclosing tf.tidy ends, or leak outside one: use it inside tf.tidy).
   */
  distribution(): IGRBase | GumbelSoftmax {
    const { family, temperature } = this.settings;
    if (family === "gs") return new GumbelSoftmax({ logits: this.logits!, temperature, validateArgs: false });
    const options = { loc: this.loc!, scale: tf.exp(this.logScale!), temperature, validateArgs: false };
    if (family === "igr-i") return new InvertibleGaussian(options);
    if (family === "igr-sb") return new IGRStickBreaking(options);
    return new IGRPlanar({ ...options, flows: this.flows });
  }

  /**
   * Relaxed samples as used by the loss, [n, K'] with K' ≤ K: K' = K except for IGR-SB, where the
   * sticks are truncated to the first m (sticksWithinThreshold: threshold and quantile) and
   * softmax++ appends one category, so K' = m + 1. Must run inside tf.tidy (or a gradient).
   */
  relaxedSample(n: number, seed: number | SeedStream): { sample: tf.Tensor; numSticks?: number } {
    const dist = this.distribution();
    if (this.settings.family !== "igr-sb") return { sample: dist.sample(n, { seed }) };
    const { threshold, quantile } = this.settings;
    return (dist as IGRStickBreaking).sampleTruncated(n, { threshold, quantile, seed });
  }

  /** The loss of ψ̄ against the first K' target entries (the authors' compute_loss). */
  lossOf(sample: tf.Tensor): tf.Scalar {
    return tf.tidy(() => {
      const width = sample.shape[sample.rank - 1];
      const mean = tf.mean(sample, 0);
      const p = tf.slice(this.probs, [0], [width]);
      if (this.settings.loss === "squared-error") return tf.sum(tf.square(tf.sub(mean, p)));
      // KL(ψ̄ ‖ p) = Σ ψ̄ (log ψ̄ − log p); the floor keeps 0·log 0 at 0 instead of NaN.
      const logMean = tf.log(tf.maximum(mean, FLOAT32_TINY));
      return tf.sum(tf.mul(mean, tf.sub(logMean, tf.slice(this.logProbs, [0], [width]))));
    }) as tf.Scalar;
  }

  /**
   * The loss of a fresh batch of S relaxed samples (noise from `seed`); call it inside a gradient
   * tape. numSticks is IGR-SB's truncation m for this batch.
   */
  batchLoss(seed: SeedStream): { loss: tf.Scalar; numSticks?: number } {
    const { sample, numSticks } = this.relaxedSample(this.settings.numSamples, seed);
    return { loss: this.lossOf(sample), numSticks };
  }

  /**
   * The exact discrete law of argmax ψ, [K], where it is known: IGR-I by Proposition 2 (the
   * quadrature of `discreteProbabilities`; with δ = 1 it is the argmax law at every τ) and GS by the
   * Gumbel-max trick (softmax of the logits, at every τ). null for IGR-Planar and IGR-SB.
   * `outsideBox` is true when IGR-I's parameters left the quadrature's documented accuracy box on the
   * op-based path (tfjs-node; the law is then still computed, without the accuracy guarantee). On the
   * wasm and cpu backends the adaptive rule is accurate outside the box, so it stays false there.
   */
  exactProbs(): { probs: number[]; outsideBox: boolean } | null {
    const { family } = this.settings;
    if (family === "gs") return { probs: tf.tidy(() => Array.from(tf.softmax(this.logits!).dataSync())), outsideBox: false };
    if (family !== "igr-i") return null;
    return tf.tidy(() => {
      const scale = tf.exp(this.logScale!);
      let outsideBox = false;
      try {
        discreteProbabilities(this.loc!, scale).dispose();
      } catch {
        outsideBox = true;
      }
      const probs = Array.from(discreteProbabilities(this.loc!, scale, { validateArgs: false }).dataSync());
      return { probs, outsideBox };
    });
  }

  /** Categories (0-based) of n draws: the argmax of each relaxed sample (truncated for IGR-SB). */
  argmaxDraws(n: number, seed: number = this.settings.seed + 1): number[] {
    return tf.tidy(() => Array.from(tf.argMax(this.relaxedSample(n, new SeedStream(seed)).sample, -1).dataSync()));
  }

  /** Frequencies of argmaxDraws over 0..K−1. */
  sampledProbs(n: number, seed?: number): number[] {
    const counts = Array(this.numCategories).fill(0);
    for (const k of this.argmaxDraws(n, seed)) counts[k] += 1;
    return counts.map((c) => c / n);
  }

  /** Current parameters as plain numbers. */
  parameters(): { loc?: number[]; scale?: number[]; logits?: number[] } {
    return tf.tidy(() => ({
      loc: this.loc ? Array.from(this.loc.dataSync()) : undefined,
      scale: this.logScale ? Array.from(tf.exp(this.logScale).dataSync()) : undefined,
      logits: this.logits ? Array.from(this.logits.dataSync()) : undefined,
    }));
  }

  dispose(): void {
    tf.dispose([...this.variables, this.probs, this.logProbs]);
  }
}
