// The categorical VAE trained with an unbiased gradient estimator for the discrete latents instead of
// a relaxation (appendix §4, Tables 2–3): RELAX with IGR (b = H(μ + σε), law α(μ, σ) of Prop. 2) or
// with GS (b ~ softmax α), and the unordered-set estimator with its built-in baseline (USPGBL).
//
// The objective is the discrete ELBO, L(x) = E_{b~q(b|x)}[−log p(x | b)] + KL(q(b|x) ‖ Uniform):
//   encoder   the estimator's surrogate, f(b) = −log p(x | b), draws axis = batch rows; its gradient
//             ĝ with respect to the encoder outputs θ is pushed through the encoder (∂θ/∂w · ĝ);
//   decoder   ∇ of the mean of f over S fresh draws b ~ q, an unbiased estimate of ∇ E_q[f];
//   RELAX's control variate   the variance-minimising update, ∇_φ mean_x ‖ĝ(x)‖² (Grathwohl et al.).
// The KL is exact (Prop. 2 for IGR, softmax for GS), and its gradient enters through the surrogate.
// The network, data handling and evaluation are CategoricalVAE's: igr-i with the bounded (eq. 15)
// parameterisation, or gs.
import * as tf from "@tensorflow/tfjs";
import { SeedStream } from "../core/random";
import { stopGradient } from "../core/special";
import { IMAGE_PIXELS } from "../data/pool";
import { ControlVariate } from "../estimators/controlVariate";
import { GradientEstimator } from "../estimators/estimator";
import { IGRFamily, LogitsFamily, ParameterFamily } from "../estimators/family";
import { DiscreteObjective } from "../estimators/objective";
import { EstimationProblem, klToUniformFromLogProbs } from "../estimators/problem";
import { Relax } from "../estimators/relax";
import { sampleOneHot } from "../estimators/sampling";
import { UnorderedSetEstimator } from "../estimators/unorderedSet";
import { ApplyOptions } from "./dense";
import { CategoricalVAE, NamedVariable } from "./vae";
import type { Architecture } from "./vaeConfig";

export type EstimatorName = "relax-igr" | "relax-gs" | "unordered-set";
export const ESTIMATOR_NAMES: readonly EstimatorName[] = ["relax-igr", "relax-gs", "unordered-set"];

export interface EstimatorVaeConfig {
  estimator: EstimatorName;
  arch: Architecture;
  /**
   * S: estimator draws per example (RELAX: independent draws averaged; unordered set: the k distinct
   * samples of one set) and decoder draws per example. Table 3 uses 4.
   */
  samples: number;
  /** Initial τ of RELAX's relaxation inside the control variate (learnable; default 0.5). */
  controlTemperature: number;
  /** Latent variables V and categories K (paper: 20 × 10) and pixels per example (IMAGE_PIXELS). */
  numVariables: number;
  numCategories: number;
  inputSize: number;
  /** relax-igr only: the authors' independent second draw for the control variate (biased; docs/paper.md §7.2). */
  authorsIndependentDraw: boolean;
  /** relax-igr only: the authors' KL sign, loss = recon − KL (docs/paper.md §7.2, trap 14). */
  authorsSignError: boolean;
  initSeed: number;
}

export const ESTIMATOR_VAE_DEFAULTS = {
  numVariables: 20,
  numCategories: 10,
  inputSize: IMAGE_PIXELS,
  samples: 1,
  controlTemperature: 0.5,
  authorsIndependentDraw: false,
  authorsSignError: false,
  initSeed: 0,
} as const;

/** Fills defaults and checks every field. */
export function estimatorVaeConfig(partial: Partial<EstimatorVaeConfig> & Pick<EstimatorVaeConfig, "estimator" | "arch">): EstimatorVaeConfig {
  const c = { ...ESTIMATOR_VAE_DEFAULTS, ...partial } as EstimatorVaeConfig;
  if (!ESTIMATOR_NAMES.includes(c.estimator)) throw new Error(`estimator must be one of ${ESTIMATOR_NAMES.join(", ")}; got ${JSON.stringify(c.estimator)}`);
  if (c.arch !== "linear" && c.arch !== "nonlinear") throw new Error(`arch must be one of linear, nonlinear; got ${JSON.stringify(c.arch)}`);
  if (!Number.isInteger(c.samples) || c.samples < 1) throw new Error(`samples must be a positive integer; got ${JSON.stringify(c.samples)}`);
  if (!(c.controlTemperature > 0) || !Number.isFinite(c.controlTemperature)) throw new Error(`controlTemperature must be a finite number > 0; got ${JSON.stringify(c.controlTemperature)}`);
  if ((c.authorsIndependentDraw || c.authorsSignError) && c.estimator !== "relax-igr") {
    throw new Error(`authorsIndependentDraw / authorsSignError reproduce the authors' IGR+RELAX code: use them with estimator relax-igr (got ${c.estimator})`);
  }
  if (!Number.isInteger(c.initSeed)) throw new Error(`initSeed must be an integer; got ${JSON.stringify(c.initSeed)}`);
  return c;
}

/**
 * Each row of x repeated `times` times in a row (example-major, row b·times + s), [B·times, D]: the
 * named exception to the library's sample-major row layout (see the header of vae.ts for why).
 * Differentiable; written as a broadcast product with ones (exact: x·1 = x), whose gradient is a sum
 * over the copies: wasm's Tile kernel and its gradient took about 5x as long (docs/performance.md §10).
 */
function repeatRows(x: tf.Tensor, times: number): tf.Tensor {
  if (times === 1) return x;
  const [B, ...rest] = x.shape;
  return tf.tidy(() => tf.reshape(tf.mul(tf.expandDims(x, 1), tf.ones([1, times, ...rest.map(() => 1)])), [B * times, ...rest]));
}

/** Each row of x repeated `times` times in a row (example-major), as a constant: a JS copy, not tf.tile (docs/performance.md §10). */
function repeatDataRows(x: tf.Tensor2D, times: number): tf.Tensor2D {
  if (times === 1) return x;
  const [B, D] = x.shape;
  const values = x.dataSync() as Float32Array;
  const out = new Float32Array(B * times * D);
  for (let r = 0; r < B; r++) {
    const row = values.subarray(r * D, (r + 1) * D);
    for (let s = 0; s < times; s++) out.set(row, (r * times + s) * D);
  }
  return tf.tensor2d(out, [B * times, D]);
}

/**
 * f(b) = −log p(x | b) as a DiscreteObjective. Inputs [R, V, K] or [B, k, V, K] (any leading axes)
 * with R a multiple of B, rows example-major (row r belongs to example ⌊r / (R/B)⌋), one-hot or
 * relaxed. `decoder` goes to the decoder network: `{ weightGrad: false }` where f only feeds a
 * gradient estimate with respect to the encoder's output (its weights are then constants of f).
 */
export function reconstructionObjective(vae: CategoricalVAE, x: tf.Tensor2D, decoder: ApplyOptions = {}): DiscreteObjective {
  const { numVariables: V, numCategories: K } = vae.config;
  const B = x.shape[0];
  return {
    name: "−log p(x | b)",
    numVariables: V,
    numCategories: K,
    evaluate(input: tf.Tensor): tf.Tensor {
      const leading = input.shape.slice(0, -2);
      const rows = leading.reduce((a, b) => a * b, 1);
      if (input.shape[input.rank - 2] !== V || input.shape[input.rank - 1] !== K || rows % B !== 0) {
        throw new Error(`reconstructionObjective: input must be [rows, ${V}, ${K}] with rows a multiple of the batch ${B}; got [${input.shape}]`);
      }
      return tf.tidy(() => {
        const decoded = vae.decode(tf.reshape(input, [rows, V * K]) as tf.Tensor2D, decoder);
        return tf.reshape(tf.neg(vae.logLikelihood(decoded, repeatDataRows(x, rows / B))), leading);
      });
    },
    evaluate64(): number {
      throw new Error("reconstructionObjective: f depends on a decoder; it cannot be enumerated in Float64");
    },
  };
}

/**
 * A family that keeps (a copy of) the last log α it computed, one row per example. Proposition 2 is
 * most of a RELAX-IGR step's IGR-specific cost (~0.2 s forward for 100 × 20 variables on wasm): the
 * decoder's draws and the reported KL reuse the value the estimator already computed, and with
 * `draws` > 1 (parameters repeated example-major, `repeatRows`) it is evaluated once per example and
 * repeated, not once per copy. The value and the gradient are those of the per-copy evaluation.
 */
class RecordingFamily implements ParameterFamily {
  private last: tf.Tensor | null = null;

  constructor(private readonly inner: ParameterFamily, private readonly draws: number) {}

  get kind() {
    return this.inner.kind;
  }
  get numVariables() {
    return this.inner.numVariables;
  }
  get numCategories() {
    return this.inner.numCategories;
  }
  get parameterShapes() {
    return this.inner.parameterShapes;
  }

  logProbs(params: tf.Tensor[]): tf.Tensor {
    const draws = this.draws;
    const logP = tf.tidy(() => {
      if (draws === 1) return this.inner.logProbs(params);
      // The first copy of each example: [B·draws, ...] -> [B, ...].
      const firsts = params.map((p) => {
        const [rows, ...rest] = p.shape;
        return tf.reshape(tf.slice(tf.reshape(p, [rows / draws, draws, ...rest]), 0, [rows / draws, 1, ...rest]), [rows / draws, ...rest]);
      });
      return this.inner.logProbs(firsts);
    });
    this.last?.dispose();
    this.last = tf.keep(tf.clone(logP));
    if (draws === 1) return logP;
    const repeated = repeatRows(logP, draws);
    logP.dispose();
    return repeated;
  }

  /** IGR's locScale, for the estimators that sample y = μ + σε. */
  locScale(params: tf.Tensor[]): { loc: tf.Tensor; scale: tf.Tensor } {
    return (this.inner as IGRFamily).locScale(params);
  }

  /** The last log α, [B, V, K] (the caller owns it), or an error if none was computed. */
  take(): tf.Tensor {
    if (!this.last) throw new Error("RecordingFamily: the estimator computed no log-probabilities");
    const out = this.last;
    this.last = null;
    return out;
  }
}

export interface EstimatorStep {
  /** The batch mean of f(b) + KL over the decoder's draws: a one-draw estimate of −(discrete ELBO). */
  loss: number;
  /** One gradient per variable, in the order of `namedVariables()` (caller disposes). */
  grads: tf.Tensor[];
  /** RELAX only: mean over the batch of ‖ĝ‖², what the control variate minimises. */
  meanSquaredNorm: number | null;
}

export class EstimatorVAE {
  readonly config: EstimatorVaeConfig;
  readonly vae: CategoricalVAE;
  readonly family: ParameterFamily;
  readonly estimator: GradientEstimator;
  readonly controlVariate: ControlVariate | null;

  constructor(config: Parameters<typeof estimatorVaeConfig>[0]) {
    this.config = estimatorVaeConfig(config);
    const c = this.config;
    const igr = c.estimator === "relax-igr";
    // τ of the VAE is unused in training (no relaxation reaches the decoder); it only matters for the
    // relaxed metrics, which are not reported for these runs.
    this.vae = new CategoricalVAE({
      model: igr ? "igr-i" : "gs",
      arch: c.arch,
      temperature: 0.5,
      igrScale: igr ? "bounded" : "exp",
      numVariables: c.numVariables,
      numCategories: c.numCategories,
      inputSize: c.inputSize,
      initSeed: c.initSeed,
    });
    const { numVariables: V, numCategories: K } = this.vae.config;
    this.family = igr ? new IGRFamily(V, K) : new LogitsFamily(V, K);
    if (c.estimator === "unordered-set") {
      this.controlVariate = null;
      this.estimator = new UnorderedSetEstimator({ numSamples: c.samples });
    } else {
      this.controlVariate = new ControlVariate({ numVariables: V, numCategories: K, temperature: c.controlTemperature, seed: c.initSeed + 1000 });
      this.estimator = new Relax({ controlVariate: this.controlVariate, authorsIndependentDraw: c.authorsIndependentDraw, authorsSignError: c.authorsSignError });
    }
  }

  namedVariables(): NamedVariable[] {
    const cv = this.controlVariate?.variables.map((variable, i) => ({ name: `control-variate/${i}`, variable })) ?? [];
    return [...this.vae.namedVariables(), ...cv];
  }

  /** The encoder output as the family's parameters: GS logits [B, V, K]; IGR (μ′, σ′) each [B, V, K−1]. */
  private familyParams(encoded: tf.Tensor2D): tf.Tensor[] {
    const { numVariables: V, numCategories: K } = this.vae.config;
    const B = encoded.shape[0];
    if (this.family.kind === "logits") return [tf.reshape(encoded, [B, V, K])];
    return tf.tidy(() => tf.split(encoded, 2, 1).map((half) => tf.reshape(half, [B, V, K - 1])));
  }

  /** One training step's loss and gradients for a batch x [B, D]; all randomness from `seed`. */
  gradients(x: tf.Tensor2D, seed: number): EstimatorStep {
    const B = x.shape[0];
    const S = this.config.samples;
    const stream = new SeedStream(seed);
    // RELAX averages S independent draws per example (params repeated); the unordered set draws its
    // S distinct samples itself.
    const draws = this.estimator instanceof Relax ? S : 1;
    const family = new RecordingFamily(this.family, draws);
    // Inside the estimator f only feeds ĝ (the gradient with respect to the encoder's output): the
    // decoder's weights are constants there, so no pass computes their gradient for nothing.
    const problem: EstimationProblem = { family, objective: reconstructionObjective(this.vae, x, { weightGrad: false }), klWeight: 1 };
    const surrogate = (...ps: tf.Tensor[]) => tf.div(tf.sum(this.estimator.surrogate(problem, ps.map((p) => repeatRows(p, draws)), stream)), draws) as tf.Scalar;
    const encoderVars = this.vae.encoder.variables;
    const cvVars = this.controlVariate?.variables ?? [];
    let gTheta: tf.Tensor[] = [];
    let squaredNorm: tf.Tensor | null = null;
    let encoderAndCv: { value: tf.Scalar; grads: tf.NamedTensorMap };
    if (this.controlVariate) {
      // One tape for the encoder and the control variate: the encoder's forward pass is recorded
      // once, ĝ is computed from a copy of its output cut from the tape (so ‖ĝ‖² reaches φ only), and
      //   Σ encoded ⊙ ⊥ĝ / B   gives the encoder ∂θ/∂w · ĝ (the loss is the batch mean), while
      //   mean_x ‖ĝ(x)‖²      gives the control variate its variance-minimising gradient.
      encoderAndCv = tf.variableGrads(() => {
        const encoded = this.vae.encode(x);
        gTheta = tf.grads(surrogate)(this.familyParams(stopGradient(encoded) as tf.Tensor2D)).map((g) => tf.keep(g));
        const perExample = gTheta.map((g) => tf.sum(tf.reshape(tf.square(g), [B, -1]), 1));
        squaredNorm = tf.keep(tf.mean(tf.addN(perExample)));
        return tf.add(squaredNorm, this.encoderTerm(encoded, gTheta)) as tf.Scalar;
      }, [...encoderVars, ...cvVars]);
    } else {
      const params = tf.tidy(() => this.familyParams(this.vae.encode(x)));
      gTheta = tf.grads(surrogate)(params);
      tf.dispose(params);
      encoderAndCv = tf.variableGrads(() => this.encoderTerm(this.vae.encode(x), gTheta), encoderVars);
    }
    // Decoder: S fresh draws b ~ q(b | x) (constants: the first layer skips dX); also gives the reported loss.
    const logP = family.take();
    const b = sampleOneHot(logP, S, stream);
    const decoderVars = this.vae.decoder.variables;
    const decoderObjective = reconstructionObjective(this.vae, x, { inputGrad: false });
    const decoderStep = tf.variableGrads(() => tf.mean(decoderObjective.evaluate(b)) as tf.Scalar, decoderVars);
    const readings = tf.tidy(() => tf.stack([decoderStep.value, tf.mean(klToUniformFromLogProbs(logP)), squaredNorm ?? tf.scalar(0)]).dataSync());
    const byVariable = new Map<tf.Variable, tf.Tensor>();
    [...encoderVars, ...cvVars].forEach((v) => byVariable.set(v, encoderAndCv.grads[v.name]));
    decoderVars.forEach((v) => byVariable.set(v, decoderStep.grads[v.name]));
    const grads = this.namedVariables().map(({ name, variable }) => {
      const g = byVariable.get(variable);
      if (!g) throw new Error(`EstimatorVAE: no gradient for ${name}`);
      return g;
    });
    tf.dispose([...gTheta, encoderAndCv.value, decoderStep.value, logP, b]);
    if (squaredNorm) tf.dispose(squaredNorm);
    return { loss: readings[0] + readings[1], grads, meanSquaredNorm: this.controlVariate ? readings[2] : null };
  }

  /** Σ encoded ⊙ ĝ / B with ĝ a constant: its gradient in the encoder's weights is ∂θ/∂w · ĝ / B. */
  private encoderTerm(encoded: tf.Tensor2D, gTheta: tf.Tensor[]): tf.Scalar {
    const B = encoded.shape[0];
    const g = tf.tidy(() => stopGradient(tf.div(tf.concat(gTheta.map((t) => tf.reshape(t, [B, -1])), 1), B)));
    const term = tf.tidy(() => tf.sum(tf.mul(encoded, g)) as tf.Scalar);
    g.dispose(); // the product's backward pass keeps its own copy
    return term;
  }

  dispose(): void {
    this.vae.dispose();
    this.controlVariate?.dispose();
  }
}
