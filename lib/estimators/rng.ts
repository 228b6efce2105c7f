// Plain-JS Float64 random numbers for the estimators' bookkeeping that runs outside tfjs (stochastic
// beam search, rejection sampling), seeded from the library's SeedStream so runs are reproducible.
import { boxMuller, mulberry32 } from "../core/prng";
import { Seed, SeedStream } from "../core/random";

export interface Random64 {
  /** Uniform on the open interval (0, 1). */
  uniform(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Standard Gumbel, −log(−log U). */
  gumbel(): number;
}

/** A mulberry32 generator seeded from `seed` (fresh randomness when undefined). */
export function random64(seed?: Seed): Random64 {
  const start = seed === undefined ? Math.floor(Math.random() * 2 ** 31) : (seed instanceof SeedStream ? seed : new SeedStream(seed)).next();
  const next = mulberry32(start);
  const uniform = (): number => next() + 2 ** -33; // (0, 1): never exactly 0, below 1 by at least 2^−33
  let spare: number | undefined;
  return {
    uniform,
    normal(): number {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      const u1 = uniform();
      const [first, second] = boxMuller(u1, uniform());
      spare = second;
      return first;
    },
    gumbel(): number {
      return -Math.log(-Math.log(uniform()));
    },
  };
}
