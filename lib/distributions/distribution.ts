// The distribution contract (torch.distributions / TFP style).
import * as tf from "@tensorflow/tfjs";
import { Seed } from "../core/random";

export interface SampleOptions {
  /** A number or a SeedStream: the same seed gives the same draws on every backend. */
  seed?: Seed;
}

export interface Distribution {
  /** Leading axes of the parameters: independent, differently parameterized copies. */
  readonly batchShape: number[];
  /** Shape of one draw. */
  readonly eventShape: number[];
  /** [n, ...batchShape, ...eventShape]; reparameterized (gradients reach the parameters) where possible. */
  sample(n: number, options?: SampleOptions): tf.Tensor;
  /** log density (or mass) of x: [...sample, ...batchShape, ...eventShape] → [...sample, ...batchShape]. */
  logProb(x: tf.Tensor): tf.Tensor;
}

/** A draw and its exact log density, computed together (see `LogSimplexDistribution`). */
export interface SampleWithLogProb {
  /** The draw, [n, ...batchShape, ...eventShape]. */
  sample: tf.Tensor;
  /** Its log density, [n, ...batchShape], from the draw's own noise: exact even where `sample` rounds. */
  logProb: tf.Tensor;
  /** The log of every coordinate of the draw, finite where `sample` underflows to 0. */
  logSample: tf.Tensor;
}

/**
 * A relaxed family on the open simplex whose draws can underflow in float32 (IGR, Gumbel-Softmax).
 * `logProb(x)` must take log x, which is −∞ for a coordinate that rounded to 0, so it returns −∞ there
 * (the point is off the open simplex). The exact route keeps the log-coordinates: `sampleAndLogProb`
 * for a draw of the distribution itself, `logProbFromLog` for the density of a point given by its logs
 * (e.g. another distribution's `logSample`).
 */
export interface LogSimplexDistribution extends Distribution {
  sampleAndLogProb(n: number, options?: SampleOptions): SampleWithLogProb;
  /** log density of x = e^{logX} (same measure as `logProb`), from the log-coordinates [..., K]. */
  logProbFromLog(logX: tf.Tensor): tf.Tensor;
}

export function isLogSimplexDistribution(d: Distribution): d is LogSimplexDistribution {
  const candidate = d as Partial<LogSimplexDistribution>;
  return typeof candidate.sampleAndLogProb === "function" && typeof candidate.logProbFromLog === "function";
}

/** Throws unless n is a positive integer. */
export function checkSampleCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`the number of samples n must be a positive integer; got ${n}`);
}

/** Throws unless x ends with the event shape. */
export function checkEvent(x: tf.Tensor, eventShape: number[], what: string): void {
  const tail = x.shape.slice(x.rank - eventShape.length);
  if (x.rank < eventShape.length || tail.some((d, i) => d !== eventShape[i])) {
    throw new Error(`${what}: the value must end with the event shape [${eventShape.join(", ")}]; got shape [${x.shape.join(", ")}]`);
  }
}
