// The categorical VAE of the IGR paper (docs/paper.md §4): V = 20 discrete latent variables with
// K = 10 categories, a dense encoder and decoder (linear 784→params / 200→784, or nonlinear
// 784-512-256 / 256-512-784 with ReLU), a relaxed latent from one of IGR-I, IGR-Planar, IGR-SB or
// GS, and the continuous-KL objective of Maddison et al.:
//   ELBO_τ(x) = E_ψ[log p(x | ψ)] − KL(q_τ(ψ | x) ‖ p(ψ)),   loss = −mean over rows of the estimate,
// with S relaxed samples per example (rows = S·B, sample-major: row s·B + b).
//
// Row layout for S samples, the library's one convention: sample-major, row s·B + b is sample s of
// example b (tf.tile of the batch S times). The VAE, the mixture VAE (mixtureVae.ts) and the SOP
// (sop.ts) follow it. The one exception is the estimator-trained VAE (estimatorVae.ts, repeatRows):
// there rows are example-major (row b·S + s): the estimators' inputs are [B, k, V, K] (k samples
// per example, e.g. the unordered set's), which flatten example-major, and RELAX with S > 1 draws
// its per-row noise in that order, so a sample-major layout would change its numbers.
import * as tf from "@tensorflow/tfjs";
import { mixSeeds } from "../core/prng";
import { SEED_STREAM } from "../core/seedStreams";
import type { PlanarLayerParameters } from "../distributions/igrPlanar";
import { ApplyOptions, MLP } from "./dense";
import { PLANAR_INIT_STD } from "../bijectors/planar";
import { gumbelLatent, igrFastLatent, igrReferenceLatent, planarLatent, RelaxedLatent } from "./latent";
import { bernoulliLogLikelihood, gaussianLogLikelihood } from "./likelihoods";
import { gumbelNoise, normalNoise } from "./noise";
import { GaussianPrior, igrPrior } from "./priors";
import { decoderOutputSize, encoderOutputSize, modelConfig, VaeModelConfig } from "./vaeConfig";

export interface VaeOptions {
  /** Use the fused IGR-I/IGR-SB op (default true); false composes the library's distributions. */
  fast?: boolean;
}

export interface ObjectiveParts {
  /** −mean over rows of (log p(x | ψ) − KL): the training loss, a scalar. */
  loss: tf.Scalar;
  /** log p(x | ψ) per row, [S·B]. */
  logLikelihood: tf.Tensor1D;
  /** KL per row, [S·B]. */
  kl: tf.Tensor1D;
}

export interface NamedVariable {
  name: string;
  variable: tf.Variable;
}

export class CategoricalVAE {
  readonly config: VaeModelConfig;
  readonly encoder: MLP;
  readonly decoder: MLP;
  /** IGR-Planar only: the global flow parameters, w, u [V, K−1] and b [V] per layer. */
  readonly flows: Array<{ w: tf.Variable; u: tf.Variable; b: tf.Variable }>;
  /** IGR families: the Gaussian prior per coordinate. */
  readonly prior: GaussianPrior | null;
  readonly fast: boolean;

  constructor(config: Parameters<typeof modelConfig>[0], options: VaeOptions = {}) {
    this.config = modelConfig(config);
    this.fast = options.fast ?? true;
    const c = this.config;
    const V = c.numVariables;
    const K = c.numCategories;
    const encOut = encoderOutputSize(c);
    const decOut = decoderOutputSize(c);
    const hidden = c.arch === "nonlinear" ? c.hidden : [];
    const seed = mixSeeds(c.initSeed, SEED_STREAM.vaeWeights) & 0x3fffffff;
    this.encoder = new MLP([c.inputSize, ...hidden, encOut], "relu", { seed });
    this.decoder = new MLP([V * K, ...hidden.slice().reverse(), decOut], "relu", { seed: seed + 100 });
    this.prior = c.model === "gs" ? null : igrPrior(c.model, K);
    this.flows = [];
    if (c.model === "igr-planar") {
      const n = K - 1;
      for (let layer = 0; layer < c.planarLayers; layer++) {
        const draw = (part: number) => {
          const values = normalNoise(V * n, mixSeeds(c.initSeed, SEED_STREAM.flows, layer, part));
          return tf.tidy(() => tf.variable(tf.mul(tf.tensor2d(values, [V, n]), PLANAR_INIT_STD)));
        };
        this.flows.push({ w: draw(0), u: draw(1), b: tf.tidy(() => tf.variable(tf.zeros([V]))) });
      }
    }
  }

  /** Every trainable variable with a stable name (checkpoints store them by name). */
  namedVariables(): NamedVariable[] {
    const out: NamedVariable[] = [];
    this.encoder.layers.forEach((layer, i) => out.push({ name: `encoder/${i}/weight`, variable: layer.weight }, { name: `encoder/${i}/bias`, variable: layer.bias }));
    this.decoder.layers.forEach((layer, i) => out.push({ name: `decoder/${i}/weight`, variable: layer.weight }, { name: `decoder/${i}/bias`, variable: layer.bias }));
    this.flows.forEach((f, i) => out.push({ name: `planar/${i}/w`, variable: f.w }, { name: `planar/${i}/u`, variable: f.u }, { name: `planar/${i}/b`, variable: f.b }));
    return out;
  }

  get variables(): tf.Variable[] {
    return this.namedVariables().map((v) => v.variable);
  }

  /** Number of noise values per row: V·(K−1) normals (IGR) or V·K Gumbels (GS). */
  get noiseWidth(): number {
    const { numVariables: V, numCategories: K, model } = this.config;
    return model === "gs" ? V * K : V * (K - 1);
  }

  /** Noise for `rows` rows from one seed (normals for IGR, Gumbels for GS), [rows, noiseWidth]. */
  noise(rows: number, seed: number): tf.Tensor2D {
    const size = rows * this.noiseWidth;
    const values = this.config.model === "gs" ? gumbelNoise(size, seed) : normalNoise(size, seed);
    return tf.tensor2d(values, [rows, this.noiseWidth]);
  }

  /** Encoder output: IGR [μ | log σ] [B, 2·V·(K−1)], GS logits [B, V·K]. x is data (no dX). */
  encode(x: tf.Tensor2D): tf.Tensor2D {
    return this.encoder.apply(x, { inputGrad: false });
  }

  /**
   * Decoder output for ψ or one-hot H [rows, V·K]: Bernoulli logits, or ELU'd (m, r) for the Gaussian
   * decoder. `options` go to the decoder MLP (e.g. `weightGrad: false`: its weights held constant).
   */
  decode(z: tf.Tensor2D, options: ApplyOptions = {}): tf.Tensor2D {
    const out = this.decoder.apply(z, options);
    return this.config.likelihood === "gaussian" ? tf.elu(out) : out;
  }

  /** log p(x | H) per row from the decoder output. */
  logLikelihood(decoded: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor1D {
    return this.config.likelihood === "gaussian" ? gaussianLogLikelihood(decoded, x) : bernoulliLogLikelihood(decoded, x);
  }

  /** The planar flows as the distribution wants them. */
  flowParameters(): PlanarLayerParameters[] {
    return this.flows.map(({ w, u, b }) => ({ w, u, b }));
  }

  /** Relaxed ψ and KL per row for encoder output `encoded` (rows already repeated S times) and noise. */
  relaxedLatent(encoded: tf.Tensor2D, noise: tf.Tensor2D): RelaxedLatent {
    const c = this.config;
    if (c.model === "gs") return gumbelLatent(encoded, noise, c);
    if (c.model === "igr-planar") return planarLatent(encoded, noise, this.flowParameters(), c, this.prior!);
    // The fused op reads [μ | log σ]; the bounded parameterisation goes through the reference path.
    const fast = this.fast && c.igrScale === "exp";
    return fast ? igrFastLatent(encoded, noise, c, this.prior!) : igrReferenceLatent(encoded, noise, c, this.prior!);
  }

  /**
   * The relaxed objective for a batch x [B, D] and noise [S·B, noiseWidth] (sample-major rows).
   * Call inside tf.tidy / variableGrads; all returned tensors are new.
   */
  objective(x: tf.Tensor2D, noise: tf.Tensor2D): ObjectiveParts {
    const S = this.config.samples;
    const B = x.shape[0];
    if (noise.shape[0] !== S * B || noise.shape[1] !== this.noiseWidth) {
      throw new Error(`objective: noise must be [${S * B}, ${this.noiseWidth}] (samples·batch, noiseWidth); got [${noise.shape}]`);
    }
    const encoded = this.encode(x);
    const repeated = S > 1 ? tf.tile(encoded, [S, 1]) : encoded;
    const xs = S > 1 ? tf.tile(x, [S, 1]) : x;
    const { z, kl } = this.relaxedLatent(repeated, noise);
    const logLikelihood = this.logLikelihood(this.decode(z), xs);
    const loss = tf.mean(tf.sub(kl, logLikelihood)) as tf.Scalar;
    return { loss, logLikelihood, kl };
  }

  /** The training loss only (what the optimizer minimises). */
  loss(x: tf.Tensor2D, noise: tf.Tensor2D): tf.Scalar {
    return this.objective(x, noise).loss;
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    for (const f of this.flows) {
      f.w.dispose();
      f.u.dispose();
      f.b.dispose();
    }
  }
}
