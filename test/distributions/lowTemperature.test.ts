// Float32 at the paper's low temperatures: draws whose coordinates underflow to 0, the exact route
// (sampleAndLogProb, logProbFromLog) against Float64 references computed from the draws'
// log-coordinates, −∞ (not NaN) off the support, and Monte Carlo KL through the exact route.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ExpConcrete } from "../../lib/distributions/expConcrete";
import { GumbelSoftmax } from "../../lib/distributions/gumbelSoftmax";
import { IGRPlanar } from "../../lib/distributions/igrPlanar";
import { IGRStickBreaking } from "../../lib/distributions/igrStickBreaking";
import { InvertibleGaussian } from "../../lib/distributions/invertibleGaussian";
import { kl } from "../../lib/distributions/kl";
import { RelaxedBernoulli } from "../../lib/distributions/relaxedBernoulli";
import { mulberry32, useDefaultBackend } from "../helpers/setup";
import { normalStream } from "../helpers/prop2Reference";

useDefaultBackend();

/** The smallest normal float32: below it a coordinate has lost precision (or is 0). */
const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

function rows(t: tf.Tensor): number[][] {
  const k = t.shape[t.rank - 1];
  const v = t.dataSync();
  return Array.from({ length: v.length / k }, (_, i) => Array.from(v.slice(i * k, (i + 1) * k)));
}

function uniformVector(n: number, lo: number, hi: number, seed: number): number[] {
  const u = mulberry32(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * u());
}

function logSumExp(v: number[]): number {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
}

/** Concrete density on the simplex at x = e^y, in Float64 from the log-coordinates y. */
function concreteLogDensityFromLog(y: number[], logits: number[], tau: number): number {
  const k = y.length;
  let logGamma = 0;
  for (let i = 2; i < k; i++) logGamma += Math.log(i);
  const scores = logits.map((l, i) => l - tau * y[i]);
  return logGamma + (k - 1) * Math.log(tau) + scores.reduce((s, v) => s + v, 0) - k * logSumExp(scores) - y.reduce((s, v) => s + v, 0);
}

/** IGR-I density of ψ = e^y (δ = 1), in Float64: invert softmax++ in log space, then the Gaussian. */
function igrLogDensityFromLog(y: number[], loc: number[], scale: number[], tau: number): number {
  const k = y.length;
  let logDensity = (k - 1) * Math.log(tau) - y.reduce((s, v) => s + v, 0);
  for (let j = 0; j < k - 1; j++) {
    const eps = (tau * (y[j] - y[k - 1]) - loc[j]) / scale[j];
    logDensity += -0.5 * eps * eps - HALF_LOG_2PI - Math.log(scale[j]);
  }
  return logDensity;
}

/** |a − b| ≤ tol, with a message. */
function close(a: number, b: number, tol: number, what: string): void {
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tolerance ${tol})`);
}

describe("Gumbel-Softmax at τ = 0.1, logits ±5", () => {
  for (const k of [2, 10, 50]) {
    test(`K = ${k}: logProb(sample) is never NaN, sampleAndLogProb matches the Float64 density of the log-coordinates`, () => {
      const logits = Array.from({ length: k }, (_, i) => (i % 2 === 0 ? 5 : -5));
      const d = new GumbelSoftmax({ logits: tf.tensor(logits), temperature: 0.1 });
      const { sample, logSample, logProb } = d.sampleAndLogProb(2000, { seed: 3 });
      const naive = d.logProb(sample).dataSync();
      const exact = logProb.dataSync();
      const xs = rows(sample);
      const ys = rows(logSample);
      let underflowed = 0;
      for (let i = 0; i < xs.length; i++) {
        assert.ok(!Number.isNaN(naive[i]), `logProb(sample) is NaN at draw ${i}`);
        if (xs[i].some((x) => x === 0)) {
          underflowed++;
          assert.equal(naive[i], -Infinity);
        }
        const reference = concreteLogDensityFromLog(ys[i], logits, 0.1);
        // float32 sums of |y_k| up to ~1e3 (y ≈ −score/τ): 1e-6 of Σ|y| plus float32 rounding of the result
        const tol = 1e-6 * ys[i].reduce((s, v) => s + Math.abs(v), 0) + 1e-5 * Math.max(1, Math.abs(reference));
        assert.ok(Number.isFinite(exact[i]), `sampleAndLogProb is ${exact[i]} at draw ${i}`);
        close(exact[i], reference, tol, `draw ${i}`);
        // where every coordinate is a normal float32, the two routes are the same density
        if (Math.min(...xs[i]) >= FLOAT32_MIN_NORMAL) close(naive[i], exact[i], 2 * tol + 1e-3 * Math.max(1, Math.abs(exact[i])), `draw ${i}, logProb(sample)`);
      }
      // the reason the exact route exists: many draws have a coordinate rounded to 0 (most at K ≥ 10)
      assert.ok(underflowed > (k >= 10 ? 1500 : 400), `only ${underflowed} of 2000 draws underflowed`);
      tf.dispose([sample, logSample, logProb]);
    });
  }
});

describe("IGR at τ = 0.03 and 0.01, K = 10", () => {
  const loc = uniformVector(9, -1, 1, 5);
  const scale = uniformVector(9, 0.5, 1.5, 6);
  for (const tau of [0.03, 0.01]) {
    test(`IGR-I τ = ${tau}: logProb(sample) is finite or −∞, the exact routes match the Float64 density`, () => {
      const d = new InvertibleGaussian({ loc: tf.tensor(loc), scale: tf.tensor(scale), temperature: tau });
      const { sample, logSample, logProb } = d.sampleAndLogProb(2000, { seed: 4 });
      const naive = d.logProb(sample).dataSync();
      const fromLog = d.logProbFromLog(logSample).dataSync();
      const exact = logProb.dataSync();
      const ys = rows(logSample);
      let underflowed = 0;
      for (let i = 0; i < ys.length; i++) {
        assert.ok(!Number.isNaN(naive[i]), `logProb(sample) is NaN at draw ${i}`);
        if (naive[i] === -Infinity) underflowed++;
        const reference = igrLogDensityFromLog(ys[i], loc, scale, tau);
        const tol = 1e-6 * ys[i].reduce((s, v) => s + Math.abs(v), 0) + 1e-5 * Math.max(1, Math.abs(reference));
        close(exact[i], reference, tol, `draw ${i}, sampleAndLogProb`);
        close(fromLog[i], reference, tol, `draw ${i}, logProbFromLog`);
      }
      assert.ok(underflowed > 200, `only ${underflowed} of 2000 draws underflowed: the case does not exercise the edge`);
      tf.dispose([sample, logSample, logProb]);
    });
  }

  test("IGR-Planar τ = 0.03: logProb(sample) never NaN; logProbFromLog(logSample) equals sampleAndLogProb", () => {
    const flows = [{ w: tf.tensor(uniformVector(9, -1, 1, 7)), u: tf.tensor(uniformVector(9, -0.5, 0.5, 8)), b: tf.scalar(0.2) }];
    const d = new IGRPlanar({ loc: tf.tensor(loc), scale: tf.tensor(scale), temperature: 0.03, flows });
    const { sample, logSample, logProb } = d.sampleAndLogProb(1000, { seed: 9 });
    const naive = d.logProb(sample).dataSync();
    const fromLog = d.logProbFromLog(logSample).dataSync();
    const exact = logProb.dataSync();
    for (let i = 0; i < exact.length; i++) {
      assert.ok(!Number.isNaN(naive[i]), `logProb(sample) is NaN at draw ${i}`);
      assert.ok(Number.isFinite(exact[i]));
      // the planar inverse is a float32 root-find (1e-6 in λ, ÷ σ τ-free): 1e-3 absolute on a density of magnitude ~1e2
      close(fromLog[i], exact[i], 1e-3 * Math.max(1, Math.abs(exact[i])), `draw ${i}`);
    }
    tf.dispose([sample, logSample, logProb]);
  });

  test("gradients of logProb(sample) and of sampleAndLogProb in loc and scale are finite at τ = 0.01", () => {
    const locT = tf.tensor(loc);
    const scaleT = tf.tensor(scale);
    const sample = new InvertibleGaussian({ loc: locT, scale: scaleT, temperature: 0.01 }).sample(500, { seed: 2 });
    const grads = tf.grads((l: tf.Tensor, s: tf.Tensor) => {
      const d = new InvertibleGaussian({ loc: l, scale: s, temperature: 0.01, validateArgs: false });
      const naive = d.logProb(sample);
      const finite = tf.where(tf.isFinite(naive), naive, tf.zerosLike(naive));
      return tf.add(tf.sum(finite), tf.sum(d.sampleAndLogProb(500, { seed: 2 }).logProb));
    })([locT, scaleT]);
    for (const g of grads) assert.ok(g.dataSync().every(Number.isFinite), `non-finite gradient ${g.dataSync()}`);
    tf.dispose([...grads, sample]);
  });
});

describe("KL Monte Carlo through the exact route", () => {
  test("kl(IGR-I τ = 0.03 ‖ IGR-I τ = 0.05), K = 10, matches a Float64 estimate", () => {
    const k = 10;
    const locQ = uniformVector(k - 1, -1, 1, 21);
    const scaleQ = uniformVector(k - 1, 0.5, 1.5, 22);
    const q = new InvertibleGaussian({ loc: tf.tensor(locQ), scale: tf.tensor(scaleQ), temperature: 0.03 });
    const p = new InvertibleGaussian({ loc: tf.zeros([k - 1]), scale: tf.ones([k - 1]), temperature: 0.05 });
    const result = kl(q, p, { numSamples: 4000, seed: 1 });
    assert.equal(result.method, "monte-carlo");
    const value = result.value.dataSync()[0];
    const se = result.standardError!.dataSync()[0];
    assert.ok(Number.isFinite(value) && Number.isFinite(se), `KL ${value} ± ${se}`);
    // Float64: the Σ log ψ terms of the two densities cancel, leaving the Gaussians of ε and of
    // ε' = (τ_p/τ_q) λ for p, and (K−1) log(τ_q/τ_p).
    const normal = normalStream(77);
    const n = 20000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      let d = (k - 1) * Math.log(0.03 / 0.05);
      for (let j = 0; j < k - 1; j++) {
        const eps = normal();
        const lambdaP = (0.05 / 0.03) * (locQ[j] + scaleQ[j] * eps);
        d += -0.5 * eps * eps - Math.log(scaleQ[j]) + 0.5 * lambdaP * lambdaP;
      }
      sum += d;
      sumSq += d * d;
    }
    const mean = sum / n;
    const seRef = Math.sqrt((sumSq / n - mean * mean) / n);
    close(value, mean, 4 * Math.hypot(se, seRef), "KL");
    tf.dispose([result.value, result.standardError!]);
  });

  test("kl(GumbelSoftmax τ = 0.1 ‖ IGR-I τ = 0.1), K = 10, is finite (mixed families, log-coordinates)", () => {
    const q = new GumbelSoftmax({ logits: tf.tensor(uniformVector(10, -5, 5, 3)), temperature: 0.1 });
    const p = new InvertibleGaussian({ loc: tf.zeros([9]), scale: tf.ones([9]), temperature: 0.1 });
    const result = kl(q, p, { numSamples: 500, seed: 2 });
    assert.ok(Number.isFinite(result.value.dataSync()[0]) && Number.isFinite(result.standardError!.dataSync()[0]));
    tf.dispose([result.value, result.standardError!]);
  });

  test("kl(RelaxedBernoulli τ = 0.02 ‖ τ = 0.05) is finite where most draws round to 0 or 1", () => {
    const q = new RelaxedBernoulli({ logits: tf.tensor([2, -3]), temperature: 0.02 });
    const p = new RelaxedBernoulli({ logits: tf.tensor([0, 0]), temperature: 0.05 });
    const x = q.sample(1000, { seed: 5 });
    const rounded = x.dataSync().filter((v) => v === 0 || v === 1).length;
    assert.ok(rounded > 500, `only ${rounded} of 2000 draws rounded`);
    const result = kl(q, p, { numSamples: 1000, seed: 5 });
    for (const v of result.value.dataSync()) assert.ok(Number.isFinite(v), `KL ${v}`);
    tf.dispose([x, result.value, result.standardError!]);
  });
});

describe("points off the support give −∞, NaN stays NaN", () => {
  test("IGR-SB: [[0.3, 0.7]] with loc [0.3], scale [0.8], τ 0.5 has a negative stick: −∞, with finite gradients", () => {
    const loc = tf.tensor([0.3]);
    const x = tf.tensor([[0.3, 0.7]]);
    assert.equal(new IGRStickBreaking({ loc, scale: tf.tensor([0.8]), temperature: 0.5 }).logProb(x).dataSync()[0], -Infinity);
    const g = tf.grad((l: tf.Tensor) => {
      const lp = new IGRStickBreaking({ loc: l, scale: tf.tensor([0.8]), temperature: 0.5, validateArgs: false }).logProb(tf.tensor([[0.3, 0.7], [0.7, 0.3]]));
      return tf.sum(tf.where(tf.isFinite(lp), lp, tf.zerosLike(lp)));
    })(loc);
    assert.ok(g.dataSync().every(Number.isFinite));
    // the other point, η = 0.5·log(0.7/0.3) ∈ (0, 1), is inside: finite
    const inside = new IGRStickBreaking({ loc, scale: tf.tensor([0.8]), temperature: 0.5 }).logProb(tf.tensor([[0.7, 0.3]])).dataSync()[0];
    assert.ok(Number.isFinite(inside), `${inside}`);
  });

  test("a zero coordinate gives −∞ in every simplex family; ExpConcrete −∞ log-coordinate too", () => {
    const x = tf.tensor([[0, 0.4, 0.6], [0.2, 0.8, 0], [NaN, 0.5, 0.5]]);
    const families = [
      new InvertibleGaussian({ loc: tf.zeros([2]), scale: tf.ones([2]), temperature: 0.5 }),
      new IGRStickBreaking({ loc: tf.zeros([2]), scale: tf.ones([2]), temperature: 0.5 }),
      new IGRPlanar({ loc: tf.zeros([2]), scale: tf.ones([2]), temperature: 0.5, flows: [{ w: tf.ones([2]), u: tf.tensor([0.1, 0.2]), b: tf.scalar(0) }] }),
      new GumbelSoftmax({ logits: tf.zeros([3]), temperature: 0.5 }),
    ];
    for (const d of families) {
      const lp = Array.from(d.logProb(x).dataSync());
      assert.deepEqual(lp.slice(0, 2), [-Infinity, -Infinity], d.constructor.name);
      assert.ok(Number.isNaN(lp[2]), `${d.constructor.name}: NaN input gave ${lp[2]}`);
    }
    const e = new ExpConcrete({ logits: tf.zeros([3]), temperature: 0.5 });
    assert.deepEqual(Array.from(e.logProb(tf.tensor([[-Infinity, -0.5, -1]])).dataSync()), [-Infinity]);
    const b = new RelaxedBernoulli({ logits: tf.tensor(0.3), temperature: 0.5 });
    const lpB = Array.from(b.logProb(tf.tensor([0, 1, 1.5, NaN])).dataSync());
    assert.deepEqual(lpB.slice(0, 3), [-Infinity, -Infinity, -Infinity]);
    assert.ok(Number.isNaN(lpB[3]));
  });

  test("RelaxedBernoulli at τ = 0.02: sampleAndLogProb matches the Float64 density of the logit", () => {
    const logit0 = 0.7;
    const tau = 0.02;
    const d = new RelaxedBernoulli({ logits: tf.tensor(logit0), temperature: tau });
    const { sample, logit, logProb } = d.sampleAndLogProb(500, { seed: 8 });
    const z = logit.dataSync();
    const lp = logProb.dataSync();
    for (let i = 0; i < z.length; i++) {
      // log x = −softplus(−z), log(1 − x) = −softplus(z), in Float64
      const softplus = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
      const logX = -softplus(-z[i]);
      const log1mX = -softplus(z[i]);
      const reference = Math.log(tau) + logit0 - (tau + 1) * logX + (tau - 1) * log1mX - 2 * softplus(logit0 - tau * z[i]);
      close(lp[i], reference, 1e-5 * Math.max(1, Math.abs(reference)), `draw ${i}`);
    }
    tf.dispose([sample, logit, logProb]);
  });

  test("regression (property suite): IGR-I ‖ IGR-SB has draws outside p's support: KL +∞ with standard error +∞, not NaN", () => {
    const q = new InvertibleGaussian({ loc: tf.tensor([0]), scale: tf.tensor([1]), temperature: 1 });
    const p = new IGRStickBreaking({ loc: tf.tensor([0]), scale: tf.tensor([1]), temperature: 1 });
    const result = kl(q, p, { method: "monte-carlo", numSamples: 16, seed: 3 });
    assert.equal(result.value.dataSync()[0], Infinity);
    assert.equal(result.standardError!.dataSync()[0], Infinity);
    tf.dispose([result.value, result.standardError!]);
  });

  test("regression (property suite): IGR-SB μ = [0, 7.7], σ = [1, 1], τ = 1: the float32 stick inverse is within 1e−2", () => {
    const d = new IGRStickBreaking({ loc: tf.tensor([0, 7.7029926776885995]), scale: tf.tensor([1, 1]), temperature: 1 });
    const { sample, logSample, logProb } = d.sampleAndLogProb(8, { seed: 1 });
    const fromLog = d.logProbFromLog(logSample).dataSync();
    const exact = logProb.dataSync();
    // 1 − Σ η ≈ 5e−4 here, so float32 sticks carry ~1e−4 relative error into log(1 − Σ η)
    for (let i = 0; i < 8; i++) close(fromLog[i], exact[i], 1e-2 * (1 + Math.abs(exact[i])), `draw ${i}`);
    tf.dispose([sample, logSample, logProb]);
  });
});
