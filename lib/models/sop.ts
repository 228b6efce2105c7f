// Structured output prediction (SOP; appendix §5, docs/paper.md §7.3): predict the lower half of a
// binarized MNIST digit from its upper half through two stochastic layers of binary units,
//   upper (392) → Dense 240 tanh → Dense 240 linear → θ₁ → H₁ → Dense 240 tanh → Dense 240 linear
//   → θ₂ → H₂ → Dense 392 → Bernoulli logits of the lower half,
// each relaxed sample ψ entering the next layer as 2ψ − 1 ∈ (−1, 1) (Maddison et al.).
//
// The binary relaxations (K = 2, so softmax++ with δ = 1 is a sigmoid: ψ = sigmoid(y/τ)):
//   gs          binary Concrete: y = θ + L with L standard logistic, ψ = sigmoid(y/τ)
//   igr-i       y = θ + ε, ε ~ N(0, 1) (σ fixed to 1 as the authors: one parameter per unit, like GS)
//   igr-planar  y = planar flows(θ + ε), 2 global 1-D planar layers per unit
// The authors' IGR path computes sigmoid(y) and ignores τ (docs/paper.md §7.3, trap 15); `authors: true`
// reproduces that (and their ÷‖W‖ planar normalisation), and refuses a temperature other than 1 for
// the IGR relaxations, since it would be silently ignored.
//
// Training: −log p(x_lower | ψ) with one relaxed sample ψ (no prior term: this is a conditional
// model, not a VAE). Test: binary H = 1[y > 0] (the rounded relaxed sample, τ-free), and
//   NLL(x) = −log (1/S) Σ_s p(x_lower | H_s),  H_s ~ p(H | x_upper),  S = 1000,
// a consistent (biased-up for finite S, by Jensen) estimate of −log p(x_lower | x_upper).
import * as tf from "@tensorflow/tfjs";
import { Planar } from "../bijectors/planar";
import { mixSeeds } from "../core/prng";
import { SEED_STREAM } from "../core/seedStreams";
import type { Dataset } from "../data/dataset";
import { IMAGE_PIXELS } from "../data/pool";
import { Dense } from "./dense";
import type { NamedVariable } from "./vae";
import { PLANAR_INIT_STD } from "../bijectors/planar";
import { bernoulliLogLikelihood } from "./likelihoods";
import { normalNoise, uniformNoise } from "./noise";

export const SOP_RELAXATIONS = ["gs", "igr-i", "igr-planar"] as const;
export type SopRelaxation = (typeof SOP_RELAXATIONS)[number];

/** Pixels of the upper half (rows 0–13) and of the lower half (rows 14–27) of a 28×28 image. */
export const HALF_IMAGE = IMAGE_PIXELS / 2;

export interface SopConfig {
  relaxation: SopRelaxation;
  /** τ > 0 of the relaxed sample sigmoid(y/τ). */
  temperature: number;
  /** Mirror the authors' code: IGR samples are sigmoid(y) (τ ignored, so τ must be 1) and planar û uses ÷‖W‖. */
  authors: boolean;
  /** Width of the input (the upper half, 392). */
  inputSize: number;
  /** Width of the output (the lower half, 392). */
  outputSize: number;
  /** Width of each tanh layer (240). */
  hidden: number;
  /** Binary units per stochastic layer (240). */
  units: number;
  /** Planar layers per stochastic layer (igr-planar only; the authors use 2). */
  planarLayers: number;
  /** Seed of the weight initialisation. */
  initSeed: number;
}

export const SOP_DEFAULTS: Omit<SopConfig, "relaxation"> = {
  temperature: 1,
  authors: false,
  inputSize: HALF_IMAGE,
  outputSize: HALF_IMAGE,
  hidden: 240,
  units: 240,
  planarLayers: 2,
  initSeed: 0,
};

/** Uniforms are kept in [1e−12, 1 − 1e−12] so the logistic noise log u − log(1 − u) is finite. */
const UNIFORM_FLOOR = 1e-12;

function fail(message: string): never {
  throw new Error(message);
}

function positiveInteger(name: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) fail(`SOP: ${name} must be a positive integer; got ${JSON.stringify(value)}`);
}

/** Fills defaults and checks every field; unknown keys (typos) are refused, naming the valid ones. */
export function sopConfig(partial: Omit<Partial<SopConfig>, "relaxation"> & { relaxation: unknown }): SopConfig {
  const known = new Set<string>(["relaxation", ...Object.keys(SOP_DEFAULTS)]);
  for (const key of Object.keys(partial)) if (!known.has(key)) fail(`SOP: unknown option "${key}"; valid options are ${[...known].join(", ")}`);
  if (!(SOP_RELAXATIONS as readonly unknown[]).includes(partial.relaxation)) {
    fail(`SOP: unknown relaxation ${JSON.stringify(partial.relaxation)}; valid relaxations are ${SOP_RELAXATIONS.join(", ")}`);
  }
  const c = { ...SOP_DEFAULTS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) } as SopConfig;
  if (typeof c.temperature !== "number" || !Number.isFinite(c.temperature) || c.temperature <= 0) fail(`SOP: temperature must be a finite number > 0; got ${JSON.stringify(c.temperature)}`);
  if (typeof c.authors !== "boolean") fail(`SOP: authors must be true or false; got ${JSON.stringify(c.authors)}`);
  if (c.authors && c.relaxation !== "gs" && c.temperature !== 1) {
    fail(`SOP: authors: true computes the ${c.relaxation} sample as sigmoid(y) and ignores the temperature, so temperature must be 1; got ${c.temperature} (set authors: false to use it)`);
  }
  for (const key of ["inputSize", "outputSize", "hidden", "units", "planarLayers"] as const) positiveInteger(key, c[key]);
  if (typeof c.initSeed !== "number" || !Number.isInteger(c.initSeed) || c.initSeed < 0) fail(`SOP: initSeed must be an integer >= 0; got ${JSON.stringify(c.initSeed)}`);
  return c;
}

/** One stochastic layer's planar flows: w, u [units, 1] and b [units] per flow layer. */
interface PlanarFlow {
  w: tf.Variable;
  u: tf.Variable;
  b: tf.Variable;
}

export interface SopForward {
  /** Bernoulli logits of the lower half, [rows, outputSize]. */
  logits: tf.Tensor2D;
  /** The two stochastic layers' samples in (0, 1) (relaxed) or {0, 1} (discrete), [rows, units] each. */
  samples: [tf.Tensor2D, tf.Tensor2D];
}

export interface SopNllOptions {
  /** Samples of H per image (default 1000, as the authors' test script). */
  samples?: number;
  /** Evaluate only the first `limit` images (default all). */
  limit?: number;
  /** Seed of the evaluation noise (default 0). */
  seed?: number;
  /** Images per chunk (default: about 8000 rows of work per chunk). */
  imagesPerChunk?: number;
}

export interface SopNllResult {
  /** Mean over images of −log (1/S) Σ_s p(x_lower | H_s), nats. */
  nll: number;
  perImage: Float64Array;
  samples: number;
  images: number;
}

/** The upper (rows 0–13) and lower (rows 14–27) halves of [B, 784] images. */
export function splitHalves(x: tf.Tensor2D): { upper: tf.Tensor2D; lower: tf.Tensor2D } {
  if (x.rank !== 2 || x.shape[1] !== 2 * HALF_IMAGE) fail(`splitHalves: x must be [batch, ${IMAGE_PIXELS}]; got [${x.shape}]`);
  const [upper, lower] = tf.split(x, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  return { upper, lower };
}

export class StructuredOutputPredictor {
  readonly config: SopConfig;
  /** [tanh layer, linear layer] for each stochastic layer. */
  readonly layers: Array<[Dense, Dense]>;
  readonly output: Dense;
  /** igr-planar only: flows[stochastic layer][flow layer]. */
  readonly flows: PlanarFlow[][];

  constructor(config: Omit<Partial<SopConfig>, "relaxation"> & { relaxation: unknown }) {
    const c = (this.config = sopConfig(config));
    const seed = mixSeeds(c.initSeed, SEED_STREAM.sopWeights) & 0x3fffffff;
    this.layers = [
      [new Dense(c.inputSize, c.hidden, { seed }), new Dense(c.hidden, c.units, { seed: seed + 1 })],
      [new Dense(c.units, c.hidden, { seed: seed + 2 }), new Dense(c.hidden, c.units, { seed: seed + 3 })],
    ];
    this.output = new Dense(c.units, c.outputSize, { seed: seed + 4 });
    this.flows = [];
    if (c.relaxation === "igr-planar") {
      for (let layer = 0; layer < 2; layer++) {
        const flows: PlanarFlow[] = [];
        for (let j = 0; j < c.planarLayers; j++) {
          const draw = (part: number) => {
            const values = normalNoise(c.units, mixSeeds(c.initSeed, SEED_STREAM.sopFlows, layer, j, part));
            return tf.tidy(() => tf.variable(tf.mul(tf.tensor2d(values, [c.units, 1]), PLANAR_INIT_STD)));
          };
          flows.push({ w: draw(0), u: draw(1), b: tf.tidy(() => tf.variable(tf.zeros([c.units]))) });
        }
        this.flows.push(flows);
      }
    }
  }

  namedVariables(): NamedVariable[] {
    const out: NamedVariable[] = [];
    this.layers.forEach(([tanhLayer, linearLayer], l) => {
      out.push({ name: `layer${l + 1}/tanh/weight`, variable: tanhLayer.weight }, { name: `layer${l + 1}/tanh/bias`, variable: tanhLayer.bias });
      out.push({ name: `layer${l + 1}/linear/weight`, variable: linearLayer.weight }, { name: `layer${l + 1}/linear/bias`, variable: linearLayer.bias });
    });
    out.push({ name: "output/weight", variable: this.output.weight }, { name: "output/bias", variable: this.output.bias });
    this.flows.forEach((flows, l) => flows.forEach((f, j) => out.push({ name: `planar${l + 1}/${j}/w`, variable: f.w }, { name: `planar${l + 1}/${j}/u`, variable: f.u }, { name: `planar${l + 1}/${j}/b`, variable: f.b })));
    return out;
  }

  get variables(): tf.Variable[] {
    return this.namedVariables().map((v) => v.variable);
  }

  /** Noise values per row: one per unit of each of the two stochastic layers. */
  get noiseWidth(): number {
    return 2 * this.config.units;
  }

  /** Noise for `rows` rows from one seed: standard logistic (gs) or standard normal (IGR), [rows, 2·units]. */
  noise(rows: number, seed: number): tf.Tensor2D {
    const size = rows * this.noiseWidth;
    if (this.config.relaxation === "gs") {
      const u = uniformNoise(size, seed);
      const values = new Float32Array(size);
      for (let i = 0; i < size; i++) {
        const v = Math.min(Math.max(u[i], UNIFORM_FLOOR), 1 - UNIFORM_FLOOR);
        values[i] = Math.log(v) - Math.log1p(-v);
      }
      return tf.tensor2d(values, [rows, this.noiseWidth]);
    }
    return tf.tensor2d(normalNoise(size, seed), [rows, this.noiseWidth]);
  }

  /** θ of stochastic layer `layer` (0 or 1) for its input h: Dense tanh then Dense linear. */
  parameters(layer: 0 | 1, h: tf.Tensor2D): tf.Tensor2D {
    const [tanhLayer, linearLayer] = this.layers[layer];
    return linearLayer.apply(tf.tanh(tanhLayer.apply(h, layer === 0 ? { inputGrad: false } : {})));
  }

  /** y, the pre-sigmoid variable of a layer: θ + noise (gs, igr-i) or the planar flows of θ + ε. */
  preSigmoid(layer: 0 | 1, theta: tf.Tensor2D, noise: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const kappa = tf.add(theta, noise) as tf.Tensor2D;
      if (this.config.relaxation !== "igr-planar") return kappa;
      const [rows, units] = kappa.shape;
      let lambda: tf.Tensor = tf.reshape(kappa, [rows, units, 1]);
      for (const { w, u, b } of this.flows[layer]) {
        lambda = new Planar({ w, u, b, authorsNormW: this.config.authors, validateArgs: false }).forward(lambda);
      }
      return tf.reshape(lambda, [rows, units]) as tf.Tensor2D;
    });
  }

  /** The relaxed sample sigmoid(y/τ), or sigmoid(y) for the authors' IGR; discrete: 1[y > 0]. */
  unitSample(lambda: tf.Tensor2D, discrete: boolean): tf.Tensor2D {
    if (discrete) return tf.cast(tf.greater(lambda, 0), "float32") as tf.Tensor2D;
    const c = this.config;
    const ignoreTemperature = c.authors && c.relaxation !== "gs";
    return tf.sigmoid(ignoreTemperature ? lambda : tf.div(lambda, c.temperature)) as tf.Tensor2D;
  }

  /**
   * Logits of the lower half for upper halves [rows, inputSize] and noise [rows, 2·units].
   * `discrete`: binary H (test time). Call inside tf.tidy / variableGrads.
   */
  forward(upper: tf.Tensor2D, noise: tf.Tensor2D, { discrete = false }: { discrete?: boolean } = {}): SopForward {
    const c = this.config;
    if (upper.rank !== 2 || upper.shape[1] !== c.inputSize) fail(`SOP forward: upper must be [rows, ${c.inputSize}]; got [${upper.shape}]`);
    if (noise.rank !== 2 || noise.shape[0] !== upper.shape[0] || noise.shape[1] !== this.noiseWidth) {
      fail(`SOP forward: noise must be [${upper.shape[0]}, ${this.noiseWidth}] (rows, 2·units); got [${noise.shape}]`);
    }
    const [noise1, noise2] = tf.split(noise, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const z1 = this.unitSample(this.preSigmoid(0, this.parameters(0, upper), noise1), discrete);
    const z2 = this.unitSample(this.preSigmoid(1, this.parameters(1, tf.sub(tf.mul(z1, 2), 1) as tf.Tensor2D), noise2), discrete);
    const logits = this.output.apply(tf.sub(tf.mul(z2, 2), 1) as tf.Tensor2D);
    return { logits, samples: [z1, z2] };
  }

  /** log p(x_lower | H) per row, [rows]. */
  logLikelihood(upper: tf.Tensor2D, lower: tf.Tensor2D, noise: tf.Tensor2D, options: { discrete?: boolean } = {}): tf.Tensor1D {
    return bernoulliLogLikelihood(this.forward(upper, noise, options).logits, lower);
  }

  /** Training loss: −mean over rows of log p(x_lower | ψ) with the relaxed sample ψ (one per row). */
  loss(upper: tf.Tensor2D, lower: tf.Tensor2D, noise: tf.Tensor2D): tf.Scalar {
    return tf.neg(tf.mean(this.logLikelihood(upper, lower, noise))) as tf.Scalar;
  }

  /**
   * Test NLL −log (1/S) Σ_s p(x_lower | H_s) with binary H, per image and averaged. Layer 1's θ is
   * computed once per image; the S draws run as one [S·images, ·] batch per chunk.
   */
  testNll(data: Dataset, { samples = 1000, limit, seed = 0, imagesPerChunk }: SopNllOptions = {}): SopNllResult {
    positiveInteger("samples", samples);
    const n = Math.min(data.n, limit ?? data.n);
    if (n < 1) fail(`SOP testNll: no images to evaluate (data set has ${data.n}, limit ${limit})`);
    const chunk = imagesPerChunk ?? Math.max(1, Math.floor(8000 / samples));
    const perImage = new Float64Array(n);
    let start = 0;
    for (const batch of data.batches({ batchSize: chunk, shuffle: false })) {
      if (start >= n) break;
      const b = Math.min(batch.x.shape[0], n - start);
      const values = tf.tidy(() => {
        const x = b < batch.x.shape[0] ? tf.slice(batch.x, [0, 0], [b, -1]) : batch.x;
        const { upper, lower } = splitHalves(x as tf.Tensor2D);
        // Rows sample-major: row s·b + i is sample s of image i.
        const upperRep = tf.tile(upper, [samples, 1]) as tf.Tensor2D;
        const lowerRep = tf.tile(lower, [samples, 1]) as tf.Tensor2D;
        const ll = this.logLikelihood(upperRep, lowerRep, this.noise(samples * b, mixSeeds(seed, SEED_STREAM.sopTestNll, start)), { discrete: true });
        const lse = tf.logSumExp(tf.reshape(ll, [samples, b]), 0);
        return tf.neg(tf.sub(lse, Math.log(samples))).dataSync();
      });
      for (let i = 0; i < b; i++) perImage[start + i] = values[i];
      start += b;
    }
    let sum = 0;
    for (const v of perImage) sum += v;
    return { nll: sum / n, perImage, samples, images: n };
  }

  /**
   * Predicted lower halves for the figure: the mean Bernoulli probability over `samples` binary draws
   * of H, [rows, outputSize] (a new tensor).
   */
  predictLower(upper: tf.Tensor2D, { samples = 100, seed = 0 }: { samples?: number; seed?: number } = {}): tf.Tensor2D {
    positiveInteger("samples", samples);
    return tf.tidy(() => {
      const rows = upper.shape[0];
      const { logits } = this.forward(tf.tile(upper, [samples, 1]) as tf.Tensor2D, this.noise(samples * rows, mixSeeds(seed, SEED_STREAM.sopPredict)), { discrete: true });
      return tf.mean(tf.reshape(tf.sigmoid(logits), [samples, rows, this.config.outputSize]), 0) as tf.Tensor2D;
    });
  }

  dispose(): void {
    for (const [a, b] of this.layers) {
      a.dispose();
      b.dispose();
    }
    this.output.dispose();
    for (const flows of this.flows) for (const f of flows) [f.w, f.u, f.b].forEach((v) => v.dispose());
  }
}
