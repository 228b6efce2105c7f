// Property-based sweep (fast-check, fixed seed) of every bijector in lib/bijectors: Affine, softmax++,
// stick-breaking and the planar flow. For each: inverse(forward(x)) returns x within a float32
// tolerance derived from the map's conditioning, and the log-det equals log|det J| of the autodiff
// Jacobian (LU in Float64, test/helpers/autodiff.ts). A failure prints its shrunk case; it then goes
// into a plain regression test in test/bijectors/.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import { Affine } from "../../lib/bijectors/affine";
import { Bijector } from "../../lib/bijectors/bijector";
import { Planar } from "../../lib/bijectors/planar";
import { SoftmaxPlusPlus } from "../../lib/bijectors/softmaxPlusPlus";
import { StickBreaking } from "../../lib/bijectors/stickBreaking";
import { autodiffJacobian, logAbsDet } from "../helpers/autodiff";
import { useDefaultBackend } from "../helpers/setup";

useDefaultBackend();

const SEED = 20251204;
/** float32 unit roundoff. */
const EPS32 = 2 ** -24;
const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;
/** Points per case: the maps act row by row, so a small batch tests batching too. */
const BATCH = 3;

const logUniform = (lo: number, hi: number) => fc.double({ min: Math.log(lo), max: Math.log(hi), noNaN: true }).map(Math.exp);
const vector = (n: number, lo: number, hi: number) => fc.array(fc.double({ min: lo, max: hi, noNaN: true }), { minLength: n, maxLength: n });

function rows(t: tf.Tensor): number[][] {
  const n = t.shape[t.rank - 1];
  const v = t.dataSync();
  return Array.from({ length: v.length / n }, (_, i) => Array.from(v.slice(i * n, (i + 1) * n)));
}

/** |x' − x| ≤ tol(row, coordinate) for every coordinate of every row. */
function checkRoundTrip(x: number[][], back: number[][], tol: (i: number, k: number) => number, what: string): void {
  x.forEach((row, i) =>
    row.forEach((v, k) => {
      const error = Math.abs(back[i][k] - v);
      assert.ok(error <= tol(i, k), `${what}: row ${i}, coordinate ${k}: ${back[i][k]} vs ${v} (error ${error}, tolerance ${tol(i, k)})`);
    }),
  );
}

/** log|det| of the first `square` outputs by autodiff (float32) + Float64 LU, against the map's log-det. */
function checkLogDet(bijector: Bijector, x: tf.Tensor, square: number, tol: (i: number, reference: number) => number, what: string): void {
  const logDet = bijector.forwardLogDetJacobian(x);
  const values = logDet.dataSync();
  autodiffJacobian((v) => bijector.forward(v), x, square).forEach((jacobian, i) => {
    const reference = logAbsDet(jacobian);
    assert.ok(Math.abs(values[i] - reference) <= tol(i, reference), `${what}: row ${i}: log-det ${values[i]} vs autodiff ${reference} (tolerance ${tol(i, reference)})`);
  });
  logDet.dispose();
}

describe("property: bijectors round-trip and their log-dets match autodiff", () => {
  test("Affine: |μ| ≤ 50, σ ∈ [1e−3, 1e3], n ≤ 20", () => {
    const arbitrary = fc.integer({ min: 1, max: 20 }).chain((n) => fc.record({ mu: vector(n, -50, 50), sigma: fc.array(logUniform(1e-3, 1e3), { minLength: n, maxLength: n }), x: vector(BATCH * n, -10, 10) }));
    fc.assert(
      fc.property(arbitrary, ({ mu, sigma, x }) => {
        tf.tidy(() => {
          const n = mu.length;
          const affine = new Affine({ loc: tf.tensor(mu), scale: tf.tensor(sigma) });
          const input = tf.tensor(x, [BATCH, n]);
          const xs = rows(input);
          // y = μ + σx rounds by ε(|μ| + σ|x|); (y − μ)/σ carries that, ÷ σ, twice over
          checkRoundTrip(xs, rows(affine.inverse(affine.forward(input))), (i, k) => 4 * EPS32 * (1 + Math.abs(xs[i][k]) + Math.abs(mu[k]) / sigma[k]), "Affine");
          // log-det Σ log σ: float32 sum of n logs
          checkLogDet(affine, input, n, (_, r) => 4 * n * EPS32 * (1 + Math.abs(r)), "Affine");
        });
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  test("softmax++: K ≤ 30, τ ∈ [0.01, 10], δ ∈ [0.1, 10], |y/τ| ≤ 80", () => {
    const arbitrary = fc
      .record({ k: fc.integer({ min: 2, max: 30 }), tau: logUniform(0.01, 10), delta: logUniform(0.1, 10) })
      .chain((c) => fc.record({ k: fc.constant(c.k), tau: fc.constant(c.tau), delta: fc.constant(c.delta), z: vector(BATCH * (c.k - 1), -80, 80) }));
    fc.assert(
      fc.property(arbitrary, ({ k, tau, delta, z }) => {
        tf.tidy(() => {
          const bijector = new SoftmaxPlusPlus({ temperature: tau, delta });
          const input = tf.tensor(z.map((v) => v * tau), [BATCH, k - 1]);
          const ys = rows(input);
          // log ψ_k = y_k/τ − L, L = log(Σ e^{y/τ} + δ) ≤ max(y/τ, log δ) + log K: float32 rounds both terms,
          // and the inverse multiplies by τ (a few roundings of size |y| + τ(L + |log δ|))
          const tol = (i: number, k2: number) => {
            const big = Math.max(...ys[i].map((v) => v / tau), Math.log(delta)) + Math.log(k);
            return 8 * EPS32 * (Math.abs(ys[i][k2]) + tau * (Math.abs(big) + Math.abs(Math.log(delta)) + 1));
          };
          checkRoundTrip(ys, rows(bijector.inverseFromLog(bijector.logForward(input))), tol, "softmax++ (log route)");
          // the ψ route rounds ψ too (relative ε, absolute τε in y) and needs every ψ_k to be a normal float32
          const psi = bijector.forward(input);
          const back = rows(bijector.inverse(psi));
          const normal = rows(psi).map((row) => row.every((v) => v >= FLOAT32_MIN_NORMAL));
          checkRoundTrip(ys.filter((_, i) => normal[i]), back.filter((_, i) => normal[i]), (i, k2) => tol(i, k2) + 2 * tau * EPS32, "softmax++ (ψ route)");
        });
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  test("softmax++ log-det = autodiff: K ≤ 12, τ ∈ [0.01, 10], δ ∈ [0.1, 10], |y/τ| ≤ 8", () => {
    const arbitrary = fc
      .record({ k: fc.integer({ min: 2, max: 12 }), tau: logUniform(0.01, 10), delta: logUniform(0.1, 10) })
      .chain((c) => fc.record({ k: fc.constant(c.k), tau: fc.constant(c.tau), delta: fc.constant(c.delta), z: vector(BATCH * (c.k - 1), -8, 8) }));
    fc.assert(
      fc.property(arbitrary, ({ k, tau, delta, z }) => {
        tf.tidy(() => {
          const bijector = new SoftmaxPlusPlus({ temperature: tau, delta });
          const input = tf.tensor(z.map((v) => v * tau), [BATCH, k - 1]);
          const psi = rows(bijector.forward(input));
          // J = (diag ψ − ψψᵀ)/τ has det τ^{−(K−1)} Π_{k≤K} ψ_k: float32 entries (relative ε each) move
          // log|det| by ε·cond(J), and cond(J) ≤ 1/min_k ψ_k for this matrix
          checkLogDet(bijector, input, k - 1, (i, r) => 16 * k * EPS32 * (1 + Math.abs(r)) / Math.min(...psi[i]), "softmax++");
        });
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  test("stick-breaking: n ≤ 30, κ ∈ [−15, 15]", () => {
    const arbitrary = fc.integer({ min: 1, max: 30 }).chain((n) => vector(BATCH * n, -15, 15).map((kappa) => ({ n, kappa })));
    fc.assert(
      fc.property(arbitrary, ({ n, kappa }) => {
        tf.tidy(() => {
          const bijector = new StickBreaking();
          const input = tf.tensor(kappa, [BATCH, n]);
          const ks = rows(input);
          // r_k = 1 − Σ_{j≤k} η_j = Π_{j≤k} σ(−κ_j) in Float64: the inverse computes it as 1 − (float32 sum),
          // absolute error ~ k ε, so κ_k = log η_k − log r_k is off by ~ ε (1 + 2k/r_k)
          const remaining = ks.map((row) => {
            let logR = 0;
            return row.map((v) => (logR += -Math.log1p(Math.exp(v))));
          });
          const eta = bijector.forward(input);
          const inside = bijector.restrictToImage(eta).inside!.dataSync();
          const back = rows(bijector.inverse(eta));
          const keep = (_: unknown, i: number) => inside[i] === 1;
          const kept = ks.map((_, i) => i).filter((i) => inside[i] === 1);
          checkRoundTrip(ks.filter(keep), back.filter(keep), (i, k) => 8 * EPS32 * (1 + Math.abs(ks[kept[i]][k]) + (2 * (k + 1)) / Math.exp(remaining[kept[i]][k])), "stick-breaking");
          // lower-triangular J: log|det| is a sum of n logs of float32 diagonal entries
          checkLogDet(bijector, input, n, (_, r) => 8 * n * EPS32 * (1 + Math.abs(r)), "stick-breaking");
        });
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  test("planar flow: D ≤ 20, w, u ∈ [−3, 3], b ∈ [−3, 3], z ∈ [−5, 5]", () => {
    const arbitrary = fc
      .integer({ min: 1, max: 20 })
      .chain((d) => fc.record({ w: vector(d, -3, 3), u: vector(d, -3, 3), b: fc.double({ min: -3, max: 3, noNaN: true }), z: vector(BATCH * d, -5, 5) }));
    fc.assert(
      fc.property(arbitrary, ({ w, u, b, z }) => {
        tf.tidy(() => {
          const d = w.length;
          const layer = new Planar({ w: tf.tensor(w), u: tf.tensor(u), b: tf.scalar(b) });
          const input = tf.tensor(z, [BATCH, d]);
          const zs = rows(input);
          const y = layer.forward(input);
          // the inverse solves a + m tanh(a) = c in float32: a is found to ε(|c| + |m|), and z = y − û tanh(a)
          // adds ε|û|; the root's error is amplified by 1/(1 + m tanh'(a)) (the layer's own Jacobian)
          const { uHat, slope } = layer.uHatAndSlope();
          const uHatValues = Array.from(uHat.dataSync());
          const m = slope.dataSync()[0];
          const logDets = layer.forwardLogDetJacobian(input).dataSync();
          const uNorm = Math.max(...uHatValues.map(Math.abs));
          const wNorm = Math.hypot(...w);
          const yNorm = rows(y).map((row) => Math.max(...row.map(Math.abs)));
          const tol = (i: number) => 16 * EPS32 * (1 + yNorm[i] + uNorm * (1 + Math.abs(m) + wNorm * yNorm[i] + Math.abs(b)) / Math.exp(logDets[i]));
          checkRoundTrip(zs, rows(layer.inverse(y)), (i) => tol(i), "planar");
          // J = I + h'(a) û wᵀ: float32 entries of size ≤ 1 + |û||w|, relative ε each, over det = 1 + h' m
          checkLogDet(layer, input, d, (i) => 16 * d * EPS32 * (1 + uNorm * wNorm) / Math.exp(logDets[i]), "planar");
        });
      }),
      { seed: SEED, numRuns: 30 },
    );
  });
});
