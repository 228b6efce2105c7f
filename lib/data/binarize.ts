// Binarisation. Static: threshold once at 0.5, as the authors do for MNIST (docs/paper.md §4.2, §8:
// x/255 >= 0.5 -> 1). Dynamic: a fresh Bernoulli(x) draw each time a batch is made, seeded.
import { mulberry32 } from "../core/prng";

export type Binarize = "static" | "dynamic" | "none";

/** x >= threshold -> 1 else 0, in a new array. */
export function binarizeStatic(images: Float32Array, threshold = 0.5): Float32Array {
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = images[i] >= threshold ? 1 : 0;
  return out;
}

/** One Bernoulli draw per pixel with success probability = the grey value, from `seed`. */
export function binarizeDynamic(images: Float32Array, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = rand() < images[i] ? 1 : 0;
  return out;
}
