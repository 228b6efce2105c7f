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
