// The VAE's relaxed objective on tiny linear models against a Float64 plain-JS computation from the
// definitions (docs/paper.md §1.1, §2.1–2.3, §3, §4.1–4.2), written without the library: encoder
// product, the latent map and its KL for each family, decoder product and likelihood.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { mulberry32, useDefaultBackend } from "../helpers/setup";
import { CategoricalVAE } from "../../lib/models/vae";
import { igrLocScale } from "../../lib/models/latent";
import type { VaeModelConfig } from "../../lib/models/vaeConfig";

useDefaultBackend();


const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const logNormal = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
const lse = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
};

function read(v: tf.Variable): number[] {
  return Array.from(v.dataSync());
}

/** rows × out = x (rows × in) · W (in × out) + b, Float64. */
function dense(x: number[][], W: number[], b: number[], out: number): number[][] {
  return x.map((row) => Array.from({ length: out }, (_, j) => row.reduce((a, xi, i) => a + xi * W[i * out + j], b[j])));
}

/** Float64 relaxed objective per row: { ll, kl } (see the file header). */
function referenceObjective(vae: CategoricalVAE, x: number[][], noise: number[][]): Array<{ ll: number; kl: number }> {
  const c = vae.config;
  const V = c.numVariables;
  const K = c.numCategories;
  const n = K - 1;
  const named = Object.fromEntries(vae.namedVariables().map(({ name, variable }) => [name, read(variable)]));
  const enc = dense(x, named["encoder/0/weight"], named["encoder/0/bias"], c.model === "gs" ? V * K : 2 * V * n);
  const out: Array<{ ll: number; kl: number }> = [];
  enc.forEach((e, r) => {
    const psi: number[] = [];
    let kl = 0;
    for (let v = 0; v < V; v++) {
      if (c.model === "gs") {
        const alpha = e.slice(v * K, (v + 1) * K);
        const g = noise[r].slice(v * K, (v + 1) * K);
        const scores = alpha.map((a, k) => (a + g[k]) / c.temperature);
        const norm = lse(scores);
        const y = scores.map((s) => s - norm);
        psi.push(...y.map(Math.exp));
        const logExpConcrete = (logits: number[], tau: number) => {
          let logGammaK = 0;
          for (let j = 2; j < K; j++) logGammaK += Math.log(j);
          const t = logits.map((a, k) => a - tau * y[k]);
          return logGammaK + (K - 1) * Math.log(tau) + t.reduce((p, q) => p + q, 0) - K * lse(t);
        };
        kl += logExpConcrete(alpha, c.temperature) - logExpConcrete(Array(K).fill(0), c.priorTemperature);
        continue;
      }
      const mu = e.slice(v * n, (v + 1) * n);
      const sigma = e.slice(V * n + v * n, V * n + (v + 1) * n).map(Math.exp);
      const eps = noise[r].slice(v * n, (v + 1) * n);
      const kappa = mu.map((m, k) => m + sigma[k] * eps[k]);
      const prior = vae.prior!;
      let lambda = kappa;
      let logDetFlows = 0;
      if (c.model === "igr-sb") {
        let rest = 1;
        lambda = kappa.map((k) => {
          const vk = 1 / (1 + Math.exp(-k));
          const eta = vk * rest;
          rest *= 1 - vk;
          return eta;
        });
      } else if (c.model === "igr-planar") {
        for (let l = 0; l < c.planarLayers; l++) {
          const w = named[`planar/${l}/w`].slice(v * n, (v + 1) * n);
          const u = named[`planar/${l}/u`].slice(v * n, (v + 1) * n);
          const b = named[`planar/${l}/b`][v];
          const wu = w.reduce((a, wi, i) => a + wi * u[i], 0);
          const ww = w.reduce((a, wi) => a + wi * wi, 0);
          const uHat = u.map((ui, i) => ui + ((softplus(wu) - 1 - wu) * w[i]) / ww);
          const a = w.reduce((acc, wi, i) => acc + wi * lambda[i], b);
          const wuHat = w.reduce((acc, wi, i) => acc + wi * uHat[i], 0);
          logDetFlows += Math.log(Math.abs(1 + (1 - Math.tanh(a) ** 2) * wuHat));
          lambda = lambda.map((z, i) => z + uHat[i] * Math.tanh(a));
        }
      }
      if (c.kl === "closed-form") {
        for (let k = 0; k < n; k++) kl += Math.log(prior.scale[k] / sigma[k]) + (sigma[k] ** 2 + (mu[k] - prior.loc[k]) ** 2) / (2 * prior.scale[k] ** 2) - 0.5;
      } else {
        // log q(λ) = log N(κ; μ, σ) − log|det flows|; the prior on λ (Planar) or κ (I, SB: same maps cancel).
        const onPrior = c.model === "igr-planar" ? lambda : kappa;
        for (let k = 0; k < n; k++) kl += logNormal(kappa[k], mu[k], sigma[k]) - logNormal(onPrior[k], prior.loc[k], prior.scale[k]);
        kl -= logDetFlows;
      }
      const a = lambda.map((l) => l / c.temperature);
      const norm = lse([...a, 0]);
      psi.push(...a.map((t) => Math.exp(t - norm)), Math.exp(-norm));
    }
    const decOut = c.likelihood === "gaussian" ? 2 * c.inputSize : c.inputSize;
    let d = dense([psi], named["decoder/0/weight"], named["decoder/0/bias"], decOut)[0];
    let ll = 0;
    if (c.likelihood === "gaussian") {
      d = d.map((t) => (t > 0 ? t : Math.exp(t) - 1)); // ELU
      for (let j = 0; j < c.inputSize; j++) {
        const mean = 1 / (1 + Math.exp(-d[j]));
        const std = softplus(d[c.inputSize + j]) + 1e-6;
        ll += -0.5 * ((x[r][j] - mean) / std) ** 2 - Math.log(std + 1e-8) - 0.5 * Math.log(2 * Math.PI);
      }
    } else {
      for (let j = 0; j < c.inputSize; j++) ll += x[r][j] * d[j] - softplus(d[j]);
    }
    out.push({ ll, kl });
  });
  return out;
}

const CASES: Array<{ label: string; config: Partial<VaeModelConfig> & Pick<VaeModelConfig, "model"> }> = [
  { label: "IGR-I, closed-form KL", config: { model: "igr-i" } },
  { label: "IGR-I, Monte Carlo KL", config: { model: "igr-i", kl: "monte-carlo" } },
  { label: "IGR-SB, closed-form KL", config: { model: "igr-sb" } },
  { label: "IGR-Planar (2 layers), Monte Carlo KL", config: { model: "igr-planar" } },
  { label: "GS, ExpConcrete KL with prior temperature 0.5", config: { model: "gs" } },
  { label: "IGR-I, Gaussian decoder (ELU, sigmoid mean, softplus std)", config: { model: "igr-i", likelihood: "gaussian" } },
];

describe("relaxed objective = Float64 reference from the definitions (linear, V = 2, K = 4, 6 pixels)", () => {
  for (const { label, config } of CASES) {
    test(label, () => {
      const vae = new CategoricalVAE({ arch: "linear", temperature: 0.6, numVariables: 2, numCategories: 4, inputSize: 6, initSeed: 4, ...config });
      const rand = mulberry32(8);
      // Non-zero biases and planar offsets so every term matters.
      for (const { variable } of vae.namedVariables()) {
        if (variable.rank === 1) variable.assign(tf.tensor1d(Array.from({ length: variable.size }, () => rand() - 0.5)));
      }
      const B = 3;
      const xs = Array.from({ length: B }, () => Array.from({ length: 6 }, () => (config.likelihood === "gaussian" ? rand() : rand() < 0.4 ? 1 : 0)));
      const noise = vae.noise(B, 12);
      const noiseRows = noise.arraySync() as number[][];
      const x = tf.tensor2d(xs);
      const parts = vae.objective(x, noise);
      const ll = parts.logLikelihood.arraySync();
      const kl = parts.kl.arraySync();
      const loss = parts.loss.arraySync();
      const expected = referenceObjective(vae, xs, noiseRows);
      expected.forEach((e, r) => {
        // float32 through ~a dozen ops on O(1)-O(10) values: 2e-5 relative, 1e-5 absolute floor.
        assert.ok(Math.abs(ll[r] - e.ll) <= 2e-5 * Math.abs(e.ll) + 1e-5, `row ${r}: log p(x|psi) ${ll[r]} vs ${e.ll}`);
        assert.ok(Math.abs(kl[r] - e.kl) <= 2e-5 * Math.abs(e.kl) + 1e-5, `row ${r}: KL ${kl[r]} vs ${e.kl}`);
      });
      const expectedLoss = expected.reduce((a, e) => a + e.kl - e.ll, 0) / B;
      assert.ok(Math.abs(loss - expectedLoss) <= 2e-5 * Math.abs(expectedLoss) + 1e-5, `loss ${loss} vs ${expectedLoss}`);
      tf.dispose([x, noise, parts.loss, parts.kl, parts.logLikelihood]);
      vae.dispose();
    });
  }
});

test("configuration errors name the field and the valid values", () => {
  assert.throws(() => new CategoricalVAE({ model: "igr-x" as never, arch: "linear", temperature: 0.1 }), /model must be one of igr-i, igr-planar, igr-sb, gs/);
  assert.throws(() => new CategoricalVAE({ model: "gs", arch: "linear", temperature: 0.1, kl: "closed-form" }), /not available for gs/);
  assert.throws(() => new CategoricalVAE({ model: "igr-i", arch: "linear", temperature: 0.1, kl: "closed-form", stickTheLanding: true }), /stickTheLanding/);
  assert.throws(() => new CategoricalVAE({ model: "igr-i", arch: "linear", temperature: -1 }), /temperature/);
});

test("S samples: rows are the batch repeated sample-major and the loss averages over them", () => {
  const vae = new CategoricalVAE({ model: "igr-i", arch: "linear", temperature: 0.5, numVariables: 2, numCategories: 3, inputSize: 4, samples: 3 });
  const x = tf.tensor2d([[1, 0, 1, 0], [0, 0, 1, 1]]);
  const noise = vae.noise(6, 3);
  const parts = vae.objective(x, noise);
  // Same computation one sample at a time with a model of S = 1 and the same weights (same seed).
  const single = new CategoricalVAE({ model: "igr-i", arch: "linear", temperature: 0.5, numVariables: 2, numCategories: 3, inputSize: 4, samples: 1 });
  const rows = noise.arraySync() as number[][];
  let total = 0;
  for (let s = 0; s < 3; s++) {
    const p = single.objective(x, tf.tensor2d(rows.slice(2 * s, 2 * s + 2)));
    total += p.loss.arraySync();
  }
  // Same float32 values, different summation order: 1e-5 relative.
  assert.ok(Math.abs(parts.loss.arraySync() - total / 3) <= 1e-5 * Math.abs(total / 3));
  vae.dispose();
  single.dispose();
});

test('igrScale "bounded": μ = 5 tanh(a), σ = 0.5 + 2 sigmoid(c) from the encoder halves (appendix eq. 15)', () => {
  const config = { model: "igr-i", arch: "linear", temperature: 0.5, numVariables: 2, numCategories: 3, inputSize: 4, igrScale: "bounded" } as const;
  const vae = new CategoricalVAE(config);
  const raw = [3, -0.2, 0.7, -40, 1.5, -1, 0, 25];
  const { loc, scale } = igrLocScale(tf.tensor2d([raw]), vae.config);
  const mu = loc.dataSync();
  const sigma = scale.dataSync();
  for (let i = 0; i < 4; i++) {
    assert.ok(Math.abs(mu[i] - 5 * Math.tanh(raw[i])) < 1e-5, `μ[${i}]`);
    assert.ok(Math.abs(sigma[i] - (0.5 + 2 / (1 + Math.exp(-raw[4 + i])))) < 1e-5, `σ[${i}]`);
  }
  assert.throws(() => new CategoricalVAE({ ...config, model: "gs" }), /igrScale "bounded" is for igr-i only/);
  tf.dispose([loc, scale]);
  vae.dispose();
});
