// The distribution contract (torch.distributions / TFP style): an abstract base whose subclasses
// declare what each parameter must satisfy (`argConstraints`) and check it in one place (`checkArgs`),
// switched by the one option name `validateArgs` (as torch's `validate_args`).
import * as tf from "@tensorflow/tfjs";
import { Seed } from "../core/random";
import { assertFinite, assertNonNegative, assertPositive, assertUnitInterval, ScalarParameter } from "../core/validate";

export interface SampleOptions {
  /** A number or a SeedStream: the same seed gives the same draws on every backend. */
  seed?: Seed;
}

/**
 * What a parameter must satisfy: every entry finite ("real"), finite and > 0 ("positive"), finite and
 * ≥ 0 ("nonNegative", e.g. unnormalised probabilities), in [0, 1] ("unitInterval", a probability).
 */
export type Constraint = "real" | "positive" | "nonNegative" | "unitInterval";

/** Options every distribution takes. */
export interface ValidationOptions {
  /** Read the parameters once to check them against `argConstraints` (default true). Turn off inside hot training loops. */
  validateArgs?: boolean;
}

const CHECKS: Record<Constraint, (name: string, value: ScalarParameter) => void> = {
  real: assertFinite,
  positive: assertPositive,
  nonNegative: assertNonNegative,
  unitInterval: assertUnitInterval,
};

export abstract class Distribution {
  /** Leading axes of the parameters: independent, differently parameterized copies. */
  abstract readonly batchShape: number[];
  /** Shape of one draw. */
  abstract readonly eventShape: number[];
  /** The constraint of each parameter, by its option name. */
  abstract readonly argConstraints: Readonly<Record<string, Constraint>>;
  /** [n, ...batchShape, ...eventShape]; reparameterized (gradients reach the parameters) where possible. */
  abstract sample(n: number, options?: SampleOptions): tf.Tensor;
  /** log density (or mass) of x: [...sample, ...batchShape, ...eventShape] → [...sample, ...batchShape]. */
  abstract logProb(x: tf.Tensor): tf.Tensor;

  /**
   * Checks the given parameters (undefined ones are skipped) against `argConstraints` when
   * `validateArgs` is on; the error names the parameter, the offending entry's index and its value.
   */
  protected checkArgs(values: Record<string, ScalarParameter | undefined>, validateArgs: boolean): void {
    if (!validateArgs) return;
    for (const [name, value] of Object.entries(values)) {
      const constraint = this.argConstraints[name];
      if (constraint === undefined) throw new Error(`${this.constructor.name}: no constraint declared for parameter ${name}`);
      if (value !== undefined) CHECKS[constraint](name, value);
    }
  }
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
