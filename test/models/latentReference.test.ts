// The reference IGR latent (the library route the fused block is tested against, and the path of the
// bounded parameterisation) at IGR-SB draws whose sticks fill the interval in float32.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useDefaultBackend } from "../helpers/setup";
import { igrReferenceLatent } from "../../lib/models/latent";
import { CategoricalVAE } from "../../lib/models/vae";

useDefaultBackend();

test("IGR-SB Monte Carlo KL on the reference path is finite where the sticks' float32 inverse fails, and equals the Gaussians' log-ratio", () => {
  for (const stickTheLanding of [false, true]) {
    const vae = new CategoricalVAE({ model: "igr-sb", kl: "monte-carlo", stickTheLanding, arch: "linear", temperature: 0.1, numVariables: 4, numCategories: 5, inputSize: 6, initSeed: 1 }, { fast: false });
    const V = 4;
    const n = 4;
    const rows = 50;
    // μ = (0, 13, 0, 13) per variable: the second stick takes all but ~1e-6 of what is left, which float32 rounds away
    const mu = Array.from({ length: V * n }, (_, i) => (i % 2 === 1 ? 13 : 0));
    const logSigma = Array.from({ length: V * n }, () => 0);
    const params = tf.tensor2d(Array.from({ length: rows }, () => [...mu, ...logSigma]), [rows, 2 * V * n]);
    const eps = tf.randomNormal([rows, V * n], 0, 1, "float32", 7) as tf.Tensor2D;
    const kl = igrReferenceLatent(params, eps, vae.config, vae.prior!).kl.arraySync() as number[];
    // independent value: Σ over coordinates of log N(κ; μ, 1) − log N(κ; μ₀, σ₀) at κ = μ + ε (the shared
    // stick-breaking and softmax++ Jacobians cancel), in Float64
    const e = eps.arraySync() as number[][];
    const { loc: mu0, scale: s0 } = vae.prior!;
    const expected = e.map((row) => row.reduce((s, x, j) => {
      const kappa = mu[j] + x;
      const k = j % n;
      return s + (-0.5 * x * x) - (-0.5 * ((kappa - mu0[k]) / s0[k]) ** 2 - Math.log(s0[k]));
    }, 0));
    kl.forEach((value, r) => {
      assert.ok(Number.isFinite(value), `stl ${stickTheLanding}, row ${r}: KL estimate ${value}`);
      // float32 sums of ~16 terms of order 10–100
      assert.ok(Math.abs(value - expected[r]) < 1e-3 * (1 + Math.abs(expected[r])), `stl ${stickTheLanding}, row ${r}: ${value} against ${expected[r]}`);
    });
    params.dispose();
    eps.dispose();
    vae.dispose();
  }
});
