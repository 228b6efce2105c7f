// The fused IGR-I / IGR-SB op against the straightforward composition of the library's
// distributions (InvertibleGaussian / IGRStickBreaking, kl(), the Gaussians' log-ratio for the Monte Carlo
// KL) with tfjs autodiff: same parameters, same ε, values and gradients of every variable of
// a small VAE. Also the kernels alone (ψ and KL) against a Float64 plain-JS reference.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { mulberry32, useDefaultBackend } from "../helpers/setup";
import { igrMiddleBlock } from "../../lib/kernels/igrMiddleBlock";
import { CategoricalVAE } from "../../lib/models/vae";
import type { VaeModelConfig } from "../../lib/models/vaeConfig";

useDefaultBackend();


/** A small VAE whose biases are non-zero, so every gradient path is exercised. */
function tinyVae(config: Partial<VaeModelConfig> & Pick<VaeModelConfig, "model">, fast: boolean): CategoricalVAE {
  const vae = new CategoricalVAE({ arch: "nonlinear", temperature: 0.4, numVariables: 3, numCategories: 5, inputSize: 12, hidden: [8], initSeed: 3, ...config }, { fast });
  const rand = mulberry32(11);
  for (const { variable } of vae.namedVariables()) {
    if (variable.rank === 1) variable.assign(tf.tensor1d(Array.from({ length: variable.size }, () => 0.6 * (rand() - 0.5))));
  }
  return vae;
}

function lossAndGrads(vae: CategoricalVAE, x: tf.Tensor2D, noise: tf.Tensor2D): { loss: number; grads: Float32Array[] } {
  const { value, grads } = tf.variableGrads(() => vae.loss(x, noise), vae.variables);
  const out = { loss: value.dataSync()[0], grads: vae.variables.map((v) => grads[v.name].dataSync() as Float32Array) };
  value.dispose();
  Object.values(grads).forEach((g) => g.dispose());
  return out;
}

/** max |a − b| / (max |b| + floor) over one tensor. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale + 1e-6);
}

const CASES: Array<{ label: string; config: Partial<VaeModelConfig> & Pick<VaeModelConfig, "model"> }> = [
  { label: "IGR-I, closed-form KL", config: { model: "igr-i" } },
  { label: "IGR-I, Monte Carlo KL", config: { model: "igr-i", kl: "monte-carlo" } },
  { label: "IGR-I, Monte Carlo KL + STL, S = 2", config: { model: "igr-i", kl: "monte-carlo", stickTheLanding: true, samples: 2 } },
  { label: "IGR-SB, closed-form KL", config: { model: "igr-sb" } },
  { label: "IGR-SB, Monte Carlo KL", config: { model: "igr-sb", kl: "monte-carlo" } },
  { label: "IGR-SB, Monte Carlo KL + STL", config: { model: "igr-sb", kl: "monte-carlo", stickTheLanding: true } },
  { label: "IGR-I, Gaussian decoder, τ = 0.07", config: { model: "igr-i", likelihood: "gaussian", temperature: 0.07 } },
];

describe("fused IGR middle block = composition of the library's distributions", () => {
  for (const { label, config } of CASES) {
    test(label, () => {
      const fast = tinyVae(config, true);
      const reference = tinyVae(config, false);
      const rand = mulberry32(5);
      const B = 7;
      const x = tf.tensor2d(Float32Array.from({ length: B * 12 }, () => (config.likelihood === "gaussian" ? rand() : rand() < 0.3 ? 1 : 0)), [B, 12]);
      const noise = fast.noise(B * fast.config.samples, 99);
      const a = lossAndGrads(fast, x, noise);
      const b = lossAndGrads(reference, x, noise);
      // float32 composition against float64-inside kernels: agreement to a few float32 ulps of the
      // loss (|loss| ~ 10), and 1e-4 relative per gradient tensor (sums over a batch lose ~1e-6 each).
      assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(b.loss), `loss ${a.loss} vs reference ${b.loss}`);
      a.grads.forEach((g, i) => {
        const err = relativeError(g, b.grads[i]);
        assert.ok(err < 1e-4, `${fast.namedVariables()[i].name}: relative gradient error ${err}`);
      });
      [x, noise].forEach((t) => t.dispose());
      fast.dispose();
      reference.dispose();
    });
  }
});

/** Float64 ψ and closed-form KL of one row (IGR-I), from the definitions (docs/paper.md §1.1, §2.1). */
function referenceRow(mu: number[], logSigma: number[], eps: number[], V: number, K: number, tau: number, m0: number, s0: number): { psi: number[]; kl: number } {
  const n = K - 1;
  const psi: number[] = [];
  let kl = 0;
  for (let v = 0; v < V; v++) {
    const e: number[] = [];
    for (let k = 0; k < n; k++) {
      const j = v * n + k;
      const sigma = Math.exp(logSigma[j]);
      e.push(Math.exp((mu[j] + sigma * eps[j]) / tau));
      kl += Math.log(s0 / sigma) + (sigma * sigma + (mu[j] - m0) ** 2) / (2 * s0 * s0) - 0.5;
    }
    const s = e.reduce((p, q) => p + q, 0) + 1;
    psi.push(...e.map((t) => t / s), 1 / s);
  }
  return { psi, kl };
}

test("the forward kernel matches a Float64 reference of softmax++ and the Gaussian KL", () => {
  const V = 2;
  const K = 4;
  const n = K - 1;
  const rand = mulberry32(21);
  const rows = 3;
  const params = Array.from({ length: rows * 2 * V * n }, () => 2 * rand() - 1);
  const eps = Array.from({ length: rows * V * n }, () => 2 * rand() - 1);
  const tau = 0.3;
  const out = tf.tidy(() =>
    igrMiddleBlock(tf.tensor2d(params, [rows, 2 * V * n]), tf.tensor2d(eps, [rows, V * n]), {
      numVariables: V, numCategories: K, temperature: tau, map: "identity", kl: "closed-form", stickTheLanding: false,
      priorLoc: Array(n).fill(-0.4), priorScale: Array(n).fill(1.3),
    }).arraySync(),
  );
  for (let r = 0; r < rows; r++) {
    const p = params.slice(r * 2 * V * n, (r + 1) * 2 * V * n);
    const { psi, kl } = referenceRow(p.slice(0, V * n), p.slice(V * n), eps.slice(r * V * n, (r + 1) * V * n), V, K, tau, -0.4, 1.3);
    // float32 storage of values of order 1: 1e-6 absolute.
    psi.forEach((value, i) => assert.ok(Math.abs(out[r][i] - value) < 1e-6, `row ${r} psi[${i}] ${out[r][i]} vs ${value}`));
    assert.ok(Math.abs(out[r][V * K] - kl) < 1e-5 * Math.max(1, Math.abs(kl)), `row ${r} KL ${out[r][V * K]} vs ${kl}`);
  }
});
