// The IGR family (Potapczynski et al. 2020): a diagonal Gaussian pushed through a bijector chain
//   ε ~ N(0, I) → κ = μ + σ ε (Affine) → y = f(κ) (identity, planar flows, stick-breaking)
//   → ψ = softmax++(y/τ) on the open K-simplex.
// The density of ψ is N(ε) · |det ∂ψ_{1..K−1}/∂ε|⁻¹ (change of variables through the whole chain).
import * as tf from "@tensorflow/tfjs";
import { Affine } from "../bijectors/affine";
import { Bijector } from "../bijectors/bijector";
import { Chain } from "../bijectors/chain";
import { SoftmaxPlusPlus } from "../bijectors/softmaxPlusPlus";
import { seedSource, standardNormal } from "../core/random";
import { maskOf, normalLogDensity } from "../core/special";
import { assertTensor, broadcastShapes, sameScalarParameter, ScalarParameter, shapeOf } from "../core/validate";
import { zeroTemperatureLimit } from "../discrete/zeroTemperature";
import { checkEvent, checkSampleCount, Distribution, LogSimplexDistribution, SampleOptions, SampleWithLogProb } from "./distribution";
import { RelaxedSampleOptions } from "./gumbelSoftmax";
import { Normal } from "./normal";
import { straightThrough } from "./straightThrough";

export interface IGROptions {
  /** μ, [..., K−1]. */
  loc: tf.Tensor;
  /** σ > 0, [..., K−1]. */
  scale: tf.Tensor;
  /** τ > 0: a number or a tensor broadcasting against the batch shape. */
  temperature: ScalarParameter;
  /** δ > 0 of softmax++ (default 1: then argmax ψ is the τ → 0 category at every τ). */
  delta?: ScalarParameter;
  /** Read the parameters once to check them (default true). Turn off inside hot training loops. */
  validateArgs?: boolean;
}

export interface EstimateOptions extends SampleOptions {
  /** Monte Carlo sample size (default 10000). */
  numSamples?: number;
}

export abstract class IGRBase extends Distribution implements LogSimplexDistribution {
  /** The planar flows of IGR-Planar are checked by their bijectors. */
  readonly argConstraints = { loc: "real", scale: "positive", temperature: "positive", delta: "positive" } as const;
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;
  readonly temperature: ScalarParameter;
  readonly delta: ScalarParameter;
  readonly batchShape: number[];
  /** [K]: softmax++ adds the extra category to the K−1 Gaussian coordinates. */
  readonly eventShape: number[];
  readonly affine: Affine;
  readonly softmaxPlusPlus: SoftmaxPlusPlus;
  /** ε ↦ y: everything before softmax++ (outermost first). */
  readonly preSimplex: Chain;
  /** ε ↦ ψ: the whole chain (outermost first). */
  readonly bijector: Chain;

  protected constructor(options: IGROptions, middle: Bijector[], extraBatch: Array<[string, number[]]> = []) {
    super();
    const { loc, scale, temperature, delta = 1, validateArgs = true } = options;
    assertTensor("loc", loc, 1);
    assertTensor("scale", scale, 1);
    this.checkArgs({ loc, scale }, validateArgs);
    this.affine = new Affine({ loc, scale, validateArgs: false });
    this.softmaxPlusPlus = new SoftmaxPlusPlus({ temperature, delta, validateArgs: false });
    this.checkArgs({ temperature, delta }, validateArgs);
    this.loc = loc;
    this.scale = scale;
    this.temperature = temperature;
    this.delta = delta;
    this.preSimplex = new Chain([...middle, this.affine]);
    this.bijector = new Chain([this.softmaxPlusPlus, ...middle, this.affine]);
    this.batchShape = broadcastShapes([
      ["loc (batch part)", loc.shape.slice(0, -1)],
      ["scale (batch part)", scale.shape.slice(0, -1)],
      ["temperature", shapeOf(temperature)],
      ["delta", shapeOf(delta)],
      ...extraBatch,
    ]);
    this.eventShape = this.bijector.forwardEventShape(this.affine.eventShapeIn);
  }

  /** K − 1, the size of the Gaussian. */
  get latentSize(): number {
    return this.affine.eventShapeIn[0];
  }

  /** The Gaussian of κ, N(loc, scale²) elementwise. */
  gaussian(): Normal {
    return new Normal({ loc: this.loc, scale: this.scale, validateArgs: false });
  }

  private noise(n: number, seed: SampleOptions["seed"]): tf.Tensor {
    checkSampleCount(n);
    return standardNormal([n, ...this.batchShape, this.latentSize], seedSource(seed)());
  }

  /** ψ, [n, ...batchShape, K], reparameterized; straight-through gives the one-hot argmax forward. */
  sample(n: number, options: RelaxedSampleOptions = {}): tf.Tensor {
    return tf.tidy(() => {
      const soft = this.bijector.forward(this.noise(n, options.seed));
      return options.straightThrough ? straightThrough(soft) : soft;
    });
  }

  /**
   * A sample, its log-coordinates and its log density in one pass from the noise ε: the exact route.
   * Nothing is inverted, so the density is right even where float32 rounds coordinates of ψ to 0
   * (low τ, large K), where `logProb(sample)` cannot be.
   */
  sampleAndLogProb(n: number, options: SampleOptions = {}): SampleWithLogProb {
    return tf.tidy(() => {
      const noise = this.noise(n, options.seed);
      const pre = this.preSimplex.forwardAndLogDet(noise);
      const logSample = this.softmaxPlusPlus.logForward(pre.value);
      const logDet = tf.add(pre.logDet, this.softmaxPlusPlus.logDetFromLogPsi(logSample));
      return { sample: tf.exp(logSample), logSample, logProb: tf.sub(tf.sum(normalLogDensity(noise, 0, 1), -1), logDet) };
    });
  }

  /** y (the input of softmax++), [n, ...batchShape, K−1]. */
  samplePreSimplex(n: number, options: SampleOptions = {}): tf.Tensor {
    return tf.tidy(() => this.preSimplex.forward(this.noise(n, options.seed)));
  }

  /**
   * λ and its log density (`logProbPreSimplex`'s measure) from the noise in one pass: exact where
   * inverting a float32 λ is not (IGR-SB sticks whose sum rounds to 1 look like points off the support).
   */
  samplePreSimplexAndLogProb(n: number, options: SampleOptions = {}): { value: tf.Tensor; logProb: tf.Tensor } {
    return tf.tidy(() => {
      const noise = this.noise(n, options.seed);
      const { value, logDet } = this.preSimplex.forwardAndLogDet(noise);
      return { value, logProb: tf.sub(tf.sum(normalLogDensity(noise, 0, 1), -1), logDet) };
    });
  }

  /**
   * log density of ψ (w.r.t. Lebesgue measure on ψ_1..ψ_{K−1}; ψ_K is taken as given). A point off the
   * support gives −∞, not NaN: a coordinate ≤ 0, which is what a draw whose coordinate underflowed in
   * float32 looks like (at τ = 0.03, K = 10 that is a large share of draws), or, for IGR-SB, a point
   * whose sticks are not in {η > 0, Σ η < 1}. For the exact density of a draw use `sampleAndLogProb`, or
   * `logProbFromLog` on its log-coordinates.
   */
  logProb(x: tf.Tensor): tf.Tensor {
    checkEvent(x, this.eventShape, `${this.constructor.name}.logProb`);
    return tf.tidy(() => {
      const { value, logDet, inside } = this.bijector.inverseAndLogDetOnImage(x);
      return maskOutside(tf.add(tf.sum(normalLogDensity(value, 0, 1), -1), logDet), inside, x);
    });
  }

  /**
   * log density of ψ = e^{logPsi} from its log-coordinates [..., K] (same measure as `logProb`), exact
   * where ψ itself underflows: softmax++ is inverted in log space. A log-coordinate of −∞ gives −∞.
   */
  logProbFromLog(logPsi: tf.Tensor): tf.Tensor {
    checkEvent(logPsi, this.eventShape, `${this.constructor.name}.logProbFromLog`);
    return tf.tidy(() => {
      const simplex = this.softmaxPlusPlus.restrictLogToImage(logPsi);
      const lambda = this.softmaxPlusPlus.inverseFromLog(simplex.value);
      const { value, logDet, inside } = this.preSimplex.inverseAndLogDetOnImage(lambda);
      const logDensity = tf.sub(tf.add(tf.sum(normalLogDensity(value, 0, 1), -1), logDet), this.softmaxPlusPlus.logDetFromLogPsi(simplex.value));
      return maskOutside(logDensity, inside ? tf.logicalAnd(inside, simplex.inside!) : simplex.inside, logPsi);
    });
  }

  /** log density of y = f(κ), the pre-softmax++ variable (where IGR's KL lives). */
  logProbPreSimplex(lambda: tf.Tensor): tf.Tensor {
    checkEvent(lambda, [this.latentSize], `${this.constructor.name}.logProbPreSimplex`);
    return tf.tidy(() => {
      // outside the image of the middle maps (IGR-SB: sticks not in {η > 0, Σ η < 1}) the density is −∞
      const { value, logDet, inside } = this.preSimplex.inverseAndLogDetOnImage(lambda);
      return maskOutside(tf.add(tf.sum(normalLogDensity(value, 0, 1), -1), logDet), inside, lambda);
    });
  }

  /** Draws of the τ → 0 limit (appendix eq. (5)): one-hot [n, ...batchShape, K]. */
  zeroTemperatureSample(n: number, options: SampleOptions = {}): tf.Tensor {
    return tf.tidy(() => zeroTemperatureLimit(this.samplePreSimplex(n, options)));
  }

  /** Monte Carlo frequencies of the τ → 0 categories, [...batchShape, K] (not differentiable). */
  estimateDiscreteProbs({ numSamples = 10000, seed }: EstimateOptions = {}): tf.Tensor {
    return tf.tidy(() => tf.mean(this.zeroTemperatureSample(numSamples, { seed }), 0));
  }

  /** True when `other` applies the same maps after the Gaussian (same class, K, τ, δ and flows). */
  sameTransform(other: IGRBase): boolean {
    return (
      other.constructor === this.constructor &&
      other.latentSize === this.latentSize &&
      sameScalarParameter(other.temperature, this.temperature) &&
      sameScalarParameter(other.delta, this.delta) &&
      this.sameMiddle(other)
    );
  }

  /** Subclasses with parameters between the affine map and softmax++ compare them here. */
  protected sameMiddle(_other: IGRBase): boolean {
    return true;
  }
}

/**
 * −∞ where `inside` is false (the masked values are finite stand-ins, so gradients stay finite), and
 * NaN where the input event has a NaN (a stand-in must not hide it).
 */
function maskOutside(logDensity: tf.Tensor, inside: tf.Tensor | null, input: tf.Tensor): tf.Tensor {
  const masked = inside ? tf.where(inside, logDensity, tf.fill(logDensity.shape, -Infinity)) : logDensity;
  return tf.where(maskOf(input, (v) => tf.any(tf.isNaN(v), -1)), tf.fill(logDensity.shape, NaN), masked);
}
