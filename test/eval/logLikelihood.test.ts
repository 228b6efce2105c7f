// The evaluations against exact enumeration on a model small enough to enumerate: 2 latent
// variables × 3 categories (9 latent states), 4 pixels. log p(x) = log Σ_z p(z) p(x | z) exactly.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import type { Batch, BatchOptions } from "../../lib/data/dataset";
import { discretePosterior } from "../../lib/eval/discrete";
import { discretizedElbo, EvalData } from "../../lib/eval/elbo";
import { authorsLogLikelihood, importanceSampledLogLikelihood } from "../../lib/eval/logLikelihood";
import { CategoricalVAE } from "../../lib/models/vae";
import type { LatentModel } from "../../lib/models/vaeConfig";

before(async () => {
  process.env.IGR_QUIET ??= "1";
  await initBackend();
});

const V = 2;
const K = 3;
const D = 4;
const X = [1, 0, 1, 1];

/** `copies` copies of one 4-pixel example, batched like a Dataset. */
function repeatedData(x: number[], copies: number): EvalData {
  return {
    n: copies,
    *batches(options: BatchOptions = {}): Generator<Batch, void, undefined> {
      const size = options.batchSize ?? 100;
      for (let start = 0; start < copies; start += size) {
        const rows = Math.min(size, copies - start);
        const batch = { x: tf.tensor2d(Array.from({ length: rows }, () => x)), y: tf.zeros([rows], "int32") as tf.Tensor1D, indices: new Int32Array(rows) };
        try {
          yield batch;
        } finally {
          batch.x.dispose();
          batch.y.dispose();
        }
      }
    },
  };
}

function tinyModel(model: LatentModel): CategoricalVAE {
  const vae = new CategoricalVAE({ model, arch: "linear", temperature: 0.5, numVariables: V, numCategories: K, inputSize: D, initSeed: 2 });
  // A decoder that cares about z (large weights), and an encoder with some spread.
  const [encW, encB, decW, decB] = vae.variables;
  encW.assign(tf.mul(encW, 2));
  encB.assign(tf.linspace(-0.6, 0.6, encB.size));
  decW.assign(tf.mul(decW, 4));
  decB.assign(tf.tensor1d([0.3, -0.2, 0.1, 0.5]));
  return vae;
}

/** log p(x | z) for all 9 states (index z0·3 + z1), by decoding every one-hot pair. */
function allLogLikelihoods(vae: CategoricalVAE): number[] {
  return tf.tidy(() => {
    const rows: number[][] = [];
    for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) rows.push([0, 1, 2].map((k) => (k === a ? 1 : 0)).concat([0, 1, 2].map((k) => (k === b ? 1 : 0))));
    const ll = vae.logLikelihood(vae.decode(tf.tensor2d(rows)), tf.tensor2d(rows.map(() => X)));
    return Array.from(ll.dataSync());
  });
}

/** q(z | X) over the 9 states from the library (Prop. 2 for IGR-I, softmax for GS). */
function exactQ(vae: CategoricalVAE): number[] {
  const x = tf.tensor2d([X]);
  const { probs } = discretePosterior(vae, x, { numSamples: 200000, seed: 1 });
  if (vae.config.model === "igr-i") {
    // Independent check of that q: argmax of [μ + σε, 0] over 200k plain-JS draws (docs/paper.md §1.5).
    const enc = tf.tidy(() => Array.from(vae.encode(x).dataSync()));
    const n = K - 1;
    const counts = new Float64Array(V * K);
    let seed = 12345;
    const uniform = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
    const draws = 200000;
    for (let i = 0; i < draws; i++) {
      for (let v = 0; v < V; v++) {
        let best = n;
        let bestValue = 0;
        for (let k = 0; k < n; k++) {
          const e = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
          const y = enc[v * n + k] + Math.exp(enc[V * n + v * n + k]) * e;
          if (y > bestValue) [best, bestValue] = [k, y];
        }
        counts[v * K + best] += 1 / draws;
      }
    }
    // 200k draws: binomial sd ≤ 0.0011; 0.005 is > 4 sd.
    counts.forEach((c, i) => assert.ok(Math.abs(c - probs[i]) < 0.005, `Prop 2 q[${i}] ${probs[i]} vs Monte Carlo ${c}`));
  }
  x.dispose();
  const q: number[] = [];
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) q.push(probs[a] * probs[K + b]);
  return q;
}

const lse = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};

describe("importance-sampled log-likelihood = exact enumeration", () => {
  for (const model of ["igr-i", "gs", "igr-sb"] as const) {
    test(model, () => {
      const vae = tinyModel(model);
      const ll = allLogLikelihoods(vae);
      const logPrior = -V * Math.log(K);
      const exact = lse(ll.map((l) => l + logPrior));
      const result = importanceSampledLogLikelihood(vae, repeatedData(X, 1), { samples: 5000, seed: 3, frequencySamples: 2000 });
      // Tolerance from the enumerable variance of the weights w = p(z)p(x|z)/q(z) under the proposal:
      // the estimate of p(x) has relative sd sqrt(Var_q w / S)/p(x); allow 5 of those (delta method for the log).
      const q = model === "igr-sb" ? null : exactQ(vae);
      let relSd = 0.05; // IGR-SB: proposal estimated from draws; 5% is ~5 sd for these weights (checked loosely).
      if (q) {
        const p = Math.exp(exact);
        const second = q.reduce((s, qz, z) => (qz > 0 ? s + Math.exp(2 * (ll[z] + logPrior)) / qz : s), 0);
        relSd = Math.sqrt(Math.max(second - p * p, 0) / 5000) / p;
      }
      assert.ok(Math.abs(result.mean - exact) <= 5 * relSd + 1e-4, `IS ${result.mean} vs exact ${exact} (relative sd ${relSd})`);
      assert.equal(result.posterior, model === "igr-sb" ? "estimated" : "exact");
      vae.dispose();
    });
  }

  test("the authors' estimator is not the log-likelihood: it is above the discretized ELBO and differs from log p(x)", () => {
    const vae = tinyModel("igr-i");
    const ll = allLogLikelihoods(vae);
    const q = exactQ(vae);
    const exact = lse(ll.map((l) => l - V * Math.log(K)));
    const kl = q.reduce((s, qz) => s + qz * Math.log(qz / (1 / (K * K))), 0);
    // The large-S limit of the authors' estimator: log E_q[p(x|z)] − KL(q ‖ p), computable exactly.
    const authorsLimit = Math.log(q.reduce((s, qz, z) => s + qz * Math.exp(ll[z]), 0)) - kl;
    const authors = authorsLogLikelihood(vae, repeatedData(X, 1), { samples: 20000, seed: 4 });
    // S = 20000 one-hot draws of a 9-state law: the log-mean-exp is within ~1% of its limit here.
    assert.ok(Math.abs(authors.mean - authorsLimit) < 0.02 * Math.abs(authorsLimit) + 0.02, `authors ${authors.mean} vs limit ${authorsLimit}`);
    const elbo = q.reduce((s, qz, z) => s + qz * ll[z], 0) - kl;
    assert.ok(authorsLimit >= elbo, "Jensen: the authors' estimator is at least the discretized ELBO");
    assert.ok(Math.abs(authorsLimit - exact) > 1e-3, `it should differ from log p(x) here (${authorsLimit} vs ${exact})`);
    vae.dispose();
  });
});

test("discretized ELBO: mean over copies = Σ_z q(z) log p(x|z) − KL(q ‖ uniform), by enumeration", () => {
  for (const model of ["igr-i", "gs"] as const) {
    const vae = tinyModel(model);
    const ll = allLogLikelihoods(vae);
    const q = exactQ(vae);
    const kl = q.reduce((s, qz) => s + qz * Math.log(qz * K * K), 0);
    const expected = q.reduce((s, qz, z) => s + qz * ll[z], 0) - kl;
    const copies = 2000;
    const result = discretizedElbo(vae, repeatedData(X, copies), { seed: 6 });
    const mean = q.reduce((s, qz, z) => s + qz * ll[z], 0);
    const sd = Math.sqrt(q.reduce((s, qz, z) => s + qz * (ll[z] - mean) ** 2, 0));
    // One draw per copy: standard error sd/√copies; allow 4 of them. The KL is exact on both sides.
    assert.ok(Math.abs(result.elbo - expected) <= (4 * sd) / Math.sqrt(copies) + 1e-4, `${model}: ${result.elbo} vs ${expected} (sd ${sd})`);
    assert.ok(Math.abs(result.kl - kl) < 1e-4, `${model}: KL ${result.kl} vs ${kl}`);
    vae.dispose();
  }
});
