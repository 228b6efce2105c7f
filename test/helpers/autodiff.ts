// Test-only numerics that do not share code with lib/: autodiff Jacobians by rows, Float64 log|det|,
// central finite differences in Float64.
import * as tf from "@tensorflow/tfjs";

/**
 * Jacobian of the first `rows` outputs of f at every batch element: x is [...batch, n] and f maps it
 * to [...batch, m]; returns number[batchSize][rows][n] (batch flattened). Each row is one tf.grad of
 * the sum over the batch of output i (batch elements are independent).
 */
export function autodiffJacobian(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, rows: number): number[][][] {
  const n = x.shape[x.rank - 1];
  const batch = x.size / n;
  const jac: number[][][] = Array.from({ length: batch }, () => []);
  for (let i = 0; i < rows; i++) {
    const g = tf.tidy(() =>
      tf.grad((v: tf.Tensor) => {
        const y = f(v);
        const m = y.shape[y.rank - 1];
        const pick = tf.tensor(Array.from({ length: m }, (_, k) => (k === i ? 1 : 0)));
        return tf.sum(tf.mul(y, pick));
      })(x),
    );
    const values = g.dataSync();
    for (let b = 0; b < batch; b++) jac[b].push(Array.from(values.slice(b * n, (b + 1) * n)));
    g.dispose();
  }
  return jac;
}

/** log|det A| in Float64 by LU with partial pivoting. */
export function logAbsDet(a: number[][]): number {
  const n = a.length;
  const m = a.map((row) => row.slice());
  let logDet = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i][k]) > Math.abs(m[p][k])) p = i;
    [m[k], m[p]] = [m[p], m[k]];
    const pivot = m[k][k];
    if (pivot === 0) return -Infinity;
    logDet += Math.log(Math.abs(pivot));
    for (let i = k + 1; i < n; i++) {
      const factor = m[i][k] / pivot;
      for (let j = k; j < n; j++) m[i][j] -= factor * m[k][j];
    }
  }
  return logDet;
}

/** sign of det A in Float64. */
export function signDet(a: number[][]): number {
  const n = a.length;
  const m = a.map((row) => row.slice());
  let sign = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i][k]) > Math.abs(m[p][k])) p = i;
    if (p !== k) {
      [m[k], m[p]] = [m[p], m[k]];
      sign = -sign;
    }
    const pivot = m[k][k];
    if (pivot === 0) return 0;
    if (pivot < 0) sign = -sign;
    for (let i = k + 1; i < n; i++) {
      const factor = m[i][k] / pivot;
      for (let j = k; j < n; j++) m[i][j] -= factor * m[k][j];
    }
  }
  return sign;
}

/** Central-difference Jacobian in Float64 of the first `rows` outputs of a plain-JS map. */
export function finiteDifferenceJacobian(f: (x: number[]) => number[], x: number[], rows: number, h = 1e-6): number[][] {
  const jac: number[][] = Array.from({ length: rows }, () => new Array(x.length).fill(0));
  for (let j = 0; j < x.length; j++) {
    const plus = x.slice();
    const minus = x.slice();
    plus[j] += h;
    minus[j] -= h;
    const fp = f(plus);
    const fm = f(minus);
    for (let i = 0; i < rows; i++) jac[i][j] = (fp[i] - fm[i]) / (2 * h);
  }
  return jac;
}

/** Rows of a flat Float32Array as number[][] of width n. */
export function rowsOf(values: ArrayLike<number>, n: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < values.length; i += n) out.push(Array.from({ length: n }, (_, j) => values[i + j]));
  return out;
}

/** A deterministic Float64 normal generator (Box–Muller on a mulberry32 stream) for test inputs. */
export function normalStream(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}
