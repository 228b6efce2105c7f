import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { InvertibleGaussian } from "../../lib/distributions/invertibleGaussian";
import { finiteDifferenceJacobian, logAbsDet } from "../helpers/autodiff";
import { adaptiveSimpson, chiSquareCritical, chiSquareStatistic, ksCritical, ksStatistic, normalCdf } from "../helpers/statistics";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** ψ_1..ψ_{K−1} of the IGR-I map ε ↦ softmax++((μ + σε)/τ) in Float64 (the definition, eq. (6)). */
function referenceMap(eps: number[], loc: number[], scale: number[], tau: number, delta: number): number[] {
  const e = eps.map((v, k) => Math.exp((loc[k] + scale[k] * v) / tau));
  const s = e.reduce((a, b) => a + b, 0) + delta;
  return e.map((v) => v / s);
}

function argmaxRows(values: ArrayLike<number>, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i += k) {
    let best = 0;
    for (let j = 1; j < k; j++) if (values[i + j] > values[i + best]) best = j;
    out.push(best);
  }
  return out;
}

before(async () => {
  await initBackend();
});

describe("InvertibleGaussian", () => {
  test("sample and logProb shapes over batch shapes, with a per-batch temperature", () => {
    for (const batch of [[], [3], [2, 3]]) {
      const d = new InvertibleGaussian({ loc: tf.zeros([...batch, 4]), scale: tf.ones([...batch, 4]), temperature: 0.5 });
      const x = d.sample(7, { seed: 1 });
      assert.deepEqual(d.batchShape, batch);
      assert.deepEqual(d.eventShape, [5]);
      assert.deepEqual(x.shape, [7, ...batch, 5]);
      assert.deepEqual(d.logProb(x).shape, [7, ...batch]);
      assert.deepEqual(d.zeroTemperatureSample(7).shape, [7, ...batch, 5]);
    }
    const d = new InvertibleGaussian({ loc: tf.zeros([4]), scale: tf.ones([4]), temperature: tf.tensor([0.1, 1, 10]) });
    assert.deepEqual(d.batchShape, [3]);
    assert.deepEqual(d.sample(2).shape, [2, 3, 5]);
  });

  test("the same seed gives the same draws; different seeds differ", () => {
    const d = new InvertibleGaussian({ loc: tf.zeros([3]), scale: tf.ones([3]), temperature: 1 });
    const a = d.sample(5, { seed: 42 }).dataSync();
    const b = d.sample(5, { seed: 42 }).dataSync();
    const c = d.sample(5, { seed: 43 }).dataSync();
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.notDeepEqual(Array.from(a), Array.from(c));
  });

  test("logProb of a sample = Gaussian log-density of the pre-image − log|det| of a Float64 numeric Jacobian", () => {
    for (const [loc, scale, tau, delta] of [
      [[0.3, -0.2], [0.8, 1.2], 0.5, 1],
      [[0.5, -1, 0.2], [1, 0.4, 2], 0.2, 1],
      [[0, 0.1, -0.3], [0.6, 0.9, 1.1], 1.5, 2.5],
    ] as Array<[number[], number[], number, number]>) {
      const d = new InvertibleGaussian({ loc: tf.tensor(loc), scale: tf.tensor(scale), temperature: tau, delta });
      const n = 20;
      const x = d.sample(n, { seed: 5 });
      const logProb = d.logProb(x).dataSync();
      const paired = d.sampleAndLogProb(n, { seed: 5 });
      const pairedLogProb = paired.logProb.dataSync();
      const psi = x.dataSync();
      const k = loc.length + 1;
      for (let i = 0; i < n; i++) {
        const row = Array.from(psi.slice(i * k, (i + 1) * k));
        // pre-image in Float64 (docs/paper.md §1.2): λ_k = τ(log ψ_k − log ψ_K + log δ), ε = (λ − μ)/σ
        const eps = loc.map((m, j) => (tau * (Math.log(row[j]) - Math.log(row[k - 1]) + Math.log(delta)) - m) / scale[j]);
        const jac = finiteDifferenceJacobian((e) => referenceMap(e, loc, scale, tau, delta), eps, k - 1, 1e-6);
        const expected = eps.reduce((a, e) => a - 0.5 * e * e - LOG_SQRT_2PI, 0) - logAbsDet(jac);
        // float32 ψ (rel. 6e-8) moves ε by ~τ·1e-7/σ; log q of size ~5–15 to a few ulps: 2e-5 relative
        assert.ok(Math.abs(logProb[i] - expected) < 2e-5 * Math.max(1, Math.abs(expected)), `logProb ${logProb[i]} vs ${expected}`);
        assert.ok(Math.abs(pairedLogProb[i] - expected) < 2e-5 * Math.max(1, Math.abs(expected)), `sampleAndLogProb ${pairedLogProb[i]} vs ${expected}`);
      }
    }
  });

  test("δ = 1: the argmax of ψ does not depend on τ (same ε) and equals the τ → 0 category; δ ≠ 1 breaks it", () => {
    const loc = tf.tensor([0.4, -0.3, 0.1, -0.8]);
    const scale = tf.tensor([1, 0.6, 1.4, 0.9]);
    const argmaxAt = (tau: number, delta: number) =>
      argmaxRows(new InvertibleGaussian({ loc, scale, temperature: tau, delta }).sample(2000, { seed: 9 }).dataSync(), 5);
    const reference = argmaxAt(0.05, 1);
    for (const tau of [0.5, 5, 50]) assert.deepEqual(argmaxAt(tau, 1), reference, `tau=${tau}`);
    const zeroT = argmaxRows(new InvertibleGaussian({ loc, scale, temperature: 3 }).zeroTemperatureSample(2000, { seed: 9 }).dataSync(), 5);
    assert.deepEqual(zeroT, reference);
    // δ = 3: K wins iff max y < τ log 3, which at τ = 5 covers most draws
    const shifted = argmaxAt(5, 3);
    assert.ok(shifted.filter((c, i) => c !== reference[i]).length > 100);
  });

  test("chi-square: argmax of samples follows Proposition 2 at τ ∈ {0.1, 1, 5} (α = 0.001)", () => {
    const loc = tf.tensor([0.2, -0.4, 0.5, -1]);
    const scale = tf.tensor([1, 0.7, 1.3, 0.5]);
    const n = 20000;
    for (const [i, tau] of [0.1, 1, 5].entries()) {
      const d = new InvertibleGaussian({ loc, scale, temperature: tau });
      const probs = Array.from(d.discreteProbs().dataSync());
      assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-5); // quadrature rows sum to 1 within its stated accuracy
      const counts = new Array(5).fill(0);
      for (const c of argmaxRows(d.sample(n, { seed: 100 + i }).dataSync(), 5)) counts[c]++;
      const stat = chiSquareStatistic(counts, probs.map((p) => n * p));
      assert.ok(stat < chiSquareCritical(4), `tau=${tau}: chi2 = ${stat} ≥ ${chiSquareCritical(4)}; counts ${counts}, probs ${probs}`);
    }
  });

  test("K = 2: samples of ψ_1 follow the exact CDF Φ((τ(logit x + log δ) − μ)/σ) (KS, α = 0.001) and the density integrates to it", () => {
    const [mu, sigma, tau, delta] = [0.3, 0.8, 0.5, 2];
    const d = new InvertibleGaussian({ loc: tf.tensor([mu]), scale: tf.tensor([sigma]), temperature: tau, delta });
    const cdf = (x: number) => normalCdf((tau * (Math.log(x) - Math.log1p(-x) + Math.log(delta)) - mu) / sigma);
    const n = 5000;
    const x = d.sample(n, { seed: 77 }).dataSync();
    const first = Array.from({ length: n }, (_, i) => x[2 * i]);
    const ks = ksStatistic(first, cdf);
    assert.ok(ks < ksCritical(n), `KS ${ks} ≥ ${ksCritical(n)}`);
    // logProb is a density on ψ_1: its integral over (0, a) must equal the exact CDF at a
    const density = (t: number) => {
      const p = tf.tidy(() => d.logProb(tf.tensor([[t, 1 - t]])).dataSync()[0]);
      return Math.exp(p);
    };
    for (const a of [0.2, 0.5, 0.9]) {
      // integrate in u = logit(x) (dx = x(1 − x) du) so the integrand is smooth; tails below u = −40 are < 1e-12
      const integral = adaptiveSimpson((u) => {
        const t = 1 / (1 + Math.exp(-u));
        return density(t) * t * (1 - t);
      }, -40, Math.log(a) - Math.log1p(-a), 1e-7);
      // float32 density values (rel. ~1e-6) integrated: 1e-5 absolute
      assert.ok(Math.abs(integral - cdf(a)) < 1e-5, `∫ to ${a}: ${integral} vs ${cdf(a)}`);
    }
  });

  test("reparameterized gradients reach loc and scale and are finite; straight-through is exactly one-hot with the soft gradient", () => {
    const loc = tf.tensor([[0.1, -0.2, 0.3], [1, 0, -1]]);
    const scale = tf.tensor([[1, 0.5, 2], [0.3, 0.3, 0.3]]);
    const weights = tf.tensor([1, -2, 3, 0.5]);
    const objective = (straight: boolean) => (m: tf.Tensor, s: tf.Tensor) =>
      tf.sum(tf.mul(new InvertibleGaussian({ loc: m, scale: s, temperature: 0.3, validateArgs: false }).sample(50, { seed: 3, straightThrough: straight }), weights));
    const soft = tf.grads(objective(false))([loc, scale]);
    const hard = tf.grads(objective(true))([loc, scale]);
    for (const g of [...soft, ...hard]) {
      assert.ok(g.dataSync().every(Number.isFinite));
      assert.ok(g.dataSync().some((v) => v !== 0));
    }
    // straight-through's backward pass is the soft sample's (same ε by the seed)
    soft.forEach((g, i) => assert.deepEqual(Array.from(g.dataSync()), Array.from(hard[i].dataSync())));
    const st = new InvertibleGaussian({ loc, scale, temperature: 0.3 }).sample(50, { seed: 3, straightThrough: true }).dataSync();
    for (let i = 0; i < st.length; i += 4) {
      const row = Array.from(st.slice(i, i + 4));
      assert.equal(row.filter((v) => v === 1).length, 1);
      assert.equal(row.filter((v) => v === 0).length, 3);
    }
    const logProbGrad = tf.grads((m: tf.Tensor, s: tf.Tensor) => {
      const d = new InvertibleGaussian({ loc: m, scale: s, temperature: 0.3, validateArgs: false });
      return tf.sum(d.sampleAndLogProb(20, { seed: 1 }).logProb);
    })([loc, scale]);
    for (const g of logProbGrad) assert.ok(g.dataSync().every(Number.isFinite));
  });

  test("bad parameters throw errors naming the parameter and the value", () => {
    const ok = { loc: tf.zeros([3]), scale: tf.ones([3]), temperature: 1 };
    assert.throws(() => new InvertibleGaussian({ ...ok, scale: tf.tensor([1, 0, 1]) }), /scale\[1\] must be a finite number > 0; got 0/);
    assert.throws(() => new InvertibleGaussian({ ...ok, scale: tf.tensor([1, 1, -2]) }), /scale\[2\].*got -2/);
    assert.throws(() => new InvertibleGaussian({ ...ok, loc: tf.tensor([0, NaN, 0]) }), /loc\[1\] must be finite; got NaN/);
    assert.throws(() => new InvertibleGaussian({ ...ok, temperature: 0 }), /temperature must be a finite number > 0; got 0/);
    assert.throws(() => new InvertibleGaussian({ ...ok, temperature: NaN }), /temperature.*got NaN/);
    assert.throws(() => new InvertibleGaussian({ ...ok, delta: -1 }), /delta must be a finite number > 0; got -1/);
    assert.throws(() => new InvertibleGaussian({ ...ok, scale: tf.ones([4]) }), /shape mismatch: loc \[3\] and scale \[4\]/);
    assert.throws(() => new InvertibleGaussian({ ...ok, loc: tf.zeros([2, 3]), scale: tf.ones([3, 3]) }), /shape mismatch: loc \(batch part\) \[2\], scale \(batch part\) \[3\]/);
    assert.throws(() => new InvertibleGaussian({ ...ok, loc: tf.zeros([2, 3]), temperature: tf.ones([4]) }), /shape mismatch.*temperature \[4\]/);
    assert.throws(() => new InvertibleGaussian({ ...ok, loc: tf.scalar(0) }), /loc must have rank >= 1/);
    assert.throws(() => new InvertibleGaussian(ok).sample(0), /positive integer; got 0/);
    assert.throws(() => new InvertibleGaussian(ok).logProb(tf.ones([3])), /event shape \[4\]/);
  });
});
