// Float64 reference helpers for the notebooks' from-scratch checks: seeded uniforms and normals,
// log|det| by LU, and Φ. They reuse the library's own generator (core/prng) and normal CDF
// (core/normal), so a notebook never carries a copy of either.
import { ndtr64 } from "../core/normal";
import { boxMuller, mulberry32 } from "../core/prng";

/** Uniform draws on [0, 1) from mulberry32(seed). */
export function uniform64(seed: number): () => number {
  return mulberry32(seed);
}

/** Standard normal draws from mulberry32(seed): one Box–Muller cosine per pair of uniforms. */
export function normal64(seed: number): () => number {
  const u = mulberry32(seed);
  // 1 − u lies in (0, 1], so the log is finite. The sine of the pair is not used.
  return () => boxMuller(1 - u(), u())[0];
}

/** log|det M| and the sign of det M, by LU with partial pivoting (Float64). */
export function logAbsDet(M: number[][]): { logAbs: number; sign: number } {
  const n = M.length;
  if (!M.every((row) => row.length === n)) {
    throw new Error(`logAbsDet needs a square matrix; got ${n} rows of lengths ${M.map((r) => r.length).join(", ")}`);
  }
  const A = M.map((r) => r.slice());
  let logAbs = 0;
  let sign = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    if (A[p][c] === 0) return { logAbs: -Infinity, sign: 0 };
    if (p !== c) {
      [A[p], A[c]] = [A[c], A[p]];
      sign = -sign;
    }
    if (A[c][c] < 0) sign = -sign;
    logAbs += Math.log(Math.abs(A[c][c]));
    for (let r = c + 1; r < n; r++) {
      const f = A[r][c] / A[c][c];
      for (let k = c; k < n; k++) A[r][k] -= f * A[c][k];
    }
  }
  return { logAbs, sign };
}

/** Φ, the standard normal CDF in Float64 (the library's ndtr64). */
export const Phi: (x: number) => number = ndtr64;
