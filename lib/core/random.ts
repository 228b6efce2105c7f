// Seeded randomness. tfjs random ops draw in JS from a seeded generator, so a fixed seed gives the
// same numbers on every backend; a SeedStream turns one user seed into a reproducible sequence of
// per-op seeds, so `sample(n, { seed })` is reproducible even when it needs several random ops.
import * as tf from "@tensorflow/tfjs";

/** Smallest positive normal float32: log of it is about -87.3, never -inf. */
export const FLOAT32_TINY = 1.1754943508222875e-38;
/** Largest float32 below 1, so -log(u) > 0 and log(-log u) is finite. */
export const FLOAT32_ONE_MINUS_ULP = 1 - 2 ** -24;

/** A seed for one call: a number (a fresh stream is started from it) or a stream to draw from. */
export type Seed = number | SeedStream;

/** A deterministic sequence of 31-bit integer seeds derived from one seed (splitmix32-style mixing). */
export class SeedStream {
  private state: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number; got ${seed}`);
    this.state = Math.floor(seed) >>> 0;
  }

  /** The next seed of the stream. */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z & 0x7fffffff;
  }
}

/**
 * Returns a function giving one seed per random op: undefined (fresh randomness) when no seed was
 * given, else successive values of the stream.
 */
export function seedSource(seed?: Seed): () => number | undefined {
  if (seed === undefined) return () => undefined;
  const stream = seed instanceof SeedStream ? seed : new SeedStream(seed);
  return () => stream.next();
}

/** Uniforms on the open interval (tiny, 1): the float32 rounding of values near 1 is clipped away. */
export function uniformOpen(shape: number[], seed?: number): tf.Tensor {
  return tf.tidy(() =>
    tf.clipByValue(tf.randomUniform(shape, FLOAT32_TINY, 1, "float32", seed), FLOAT32_TINY, FLOAT32_ONE_MINUS_ULP),
  );
}

/** Standard normal draws. */
export function standardNormal(shape: number[], seed?: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, "float32", seed);
}

/** Standard Gumbel draws -log(-log U) with U on (tiny, 1), so both logs are finite. */
export function standardGumbel(shape: number[], seed?: number): tf.Tensor {
  return tf.tidy(() => tf.neg(tf.log(tf.neg(tf.log(uniformOpen(shape, seed))))));
}

/** Standard logistic draws log U - log(1 - U), the noise of the binary Concrete. */
export function standardLogistic(shape: number[], seed?: number): tf.Tensor {
  return tf.tidy(() => {
    const u = uniformOpen(shape, seed);
    return tf.sub(tf.log(u), tf.log(tf.sub(1, u)));
  });
}
