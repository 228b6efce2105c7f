// The VAE's reparameterization noise, drawn in plain JS from (seed, step) alone.
//
// Why not tf.randomNormal or one global stream: a resumed run must see exactly the noise an
// uninterrupted run would have seen at every step, whatever happened before. Deriving the noise of
// step t from mixSeeds(seed, t) makes the "RNG state" of a run just its step counter, and the draws
// are identical on every backend (they never touch tfjs's generators).
import { boxMuller, mixSeeds, mulberry32 } from "../core/prng";
import { SEED_STREAM } from "../core/seedStreams";

/** Smallest uniform used, so -log(u) and log(-log u) stay finite in float64 and float32. */
const UNIFORM_FLOOR = 1e-12;

/** n standard normal draws (Box–Muller on mulberry32 uniforms), a function of `seed` only. */
export function normalNoise(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = Math.max(rand(), UNIFORM_FLOOR);
    const [first, second] = boxMuller(u1, rand());
    out[i] = first;
    if (i + 1 < n) out[i + 1] = second;
  }
  return out;
}

/** n standard Gumbel draws −log(−log U), U uniform on (1e−12, 1 − 1e−12). */
export function gumbelNoise(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.min(Math.max(rand(), UNIFORM_FLOOR), 1 - UNIFORM_FLOOR);
    out[i] = -Math.log(-Math.log(u));
  }
  return out;
}

/** Uniforms on [0, 1) (for categorical draws in the evaluations). */
export function uniformNoise(n: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rand();
  return out;
}

/** The seed of the training noise at `step`. */
export function stepSeed(seed: number, step: number): number {
  return mixSeeds(seed, SEED_STREAM.train, step);
}
