// The numbers of README's "Numerical limits" for Proposition 2: each test measures one limit that
// remains and asserts the bound the README states, against the independent Float64 reference
// (test/helpers/prop2Reference.ts).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { discreteLogProbabilities, discreteProbabilities } from "../../lib/discrete/discreteProbabilities";
import { mulberry32, refDiscreteLogProbabilities, refLogNormalCdf } from "../helpers/prop2Reference";
import { useDefaultBackend } from "../helpers/setup";

useDefaultBackend();

// the case: σ ratio 20, outside the fixed rule's box
const MU = [8, -3, 0.5];
const SIGMA = [0.1, 2, 1];

describe("numerical limits of Proposition 2 (README)", () => {
  test("the op-based path (tfjs-node) keeps the fixed rule: log P₂ off by ~0.1 outside the box; the kernel path to 1e−6", () => {
    const ref = refDiscreteLogProbabilities(MU, SIGMA);
    const [ops, kernel] = tf.tidy(() =>
      (["ops", "kernel"] as const).map((implementation) => Array.from(discreteLogProbabilities(tf.tensor1d(MU), tf.tensor1d(SIGMA), { implementation, validate: false }).dataSync())),
    );
    const opsError = Math.abs(ops[1] - ref[1]);
    // README: −17.637 against −17.7405, an error between 0.05 and 0.2
    assert.ok(opsError > 0.05 && opsError < 0.2, `ops log P₂ ${ops[1]} vs reference ${ref[1]}`);
    assert.ok(Math.abs(kernel[1] - ref[1]) <= 1e-6 * Math.abs(ref[1]), `kernel log P₂ ${kernel[1]} vs reference ${ref[1]}`);
    // and with validation on, the op-based path refuses the case instead of answering it
    assert.throws(() => discreteLogProbabilities(tf.tensor1d(MU), tf.tensor1d(SIGMA), { implementation: "ops" }), /outside the (tested|accuracy) box/);
  });

  test("log(discreteProbabilities) has NaN gradients where P underflows float32; discreteLogProbabilities is exact", () => {
    // P(H = 4) = Π_j Φ(−μ_j/σ_j) = e^{−3206.5}: 0 in float32
    const logLast = MU.reduce((s, m, j) => s + refLogNormalCdf(-m / SIGMA[j]), 0);
    assert.ok(logLast < -3000, `${logLast}`);
    const pick = tf.tensor1d([0, 0, 0, 1]);
    const loc = tf.tensor1d(MU);
    const scale = tf.tensor1d(SIGMA);
    const viaProbabilities = tf.grads((l: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(tf.log(discreteProbabilities(l, s)), pick)))([loc, scale]);
    assert.ok(viaProbabilities.every((g) => g.dataSync().every(Number.isNaN)), "the gradient of log P through discreteProbabilities is NaN");
    const [logP] = tf.tidy(() => [discreteLogProbabilities(loc, scale).dataSync()[3]]);
    assert.ok(Math.abs(logP - logLast) <= 1e-6 * Math.abs(logLast), `log P₄ ${logP} vs ${logLast}`);
    const [gLoc] = tf.grads((l: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(discreteLogProbabilities(l, s), pick)))([loc, scale]);
    // d/dμ_j Σ log Φ(−μ_j/σ_j) = −φ(r_j)/(σ_j Φ(−r_j)), r_j = μ_j/σ_j, in Float64
    const want = MU.map((m, j) => -Math.exp(-0.5 * (m / SIGMA[j]) ** 2 - 0.5 * Math.log(2 * Math.PI) - refLogNormalCdf(-m / SIGMA[j])) / SIGMA[j]);
    Array.from(gLoc.dataSync()).forEach((g, j) => assert.ok(Math.abs(g - want[j]) <= 1e-5 * Math.abs(want[j]), `d log P₄/dμ_${j}: ${g} vs ${want[j]}`));
    tf.dispose([pick, loc, scale, ...viaProbabilities, gLoc]);
  });

  test("cost: the adaptive rule outside the box is ≥ 5x the fixed rule per event (README gives ms per event)", (t) => {
    const u = mulberry32(11);
    const events = 100;
    const inside = { mu: Array.from({ length: events * 9 }, () => 10 * u() - 5), sigma: Array.from({ length: events * 9 }, () => 0.5 + 2 * u()) };
    // σ ratio 80 (0.025 against up to 2): outside the box, where the kernels switch to the adaptive rule
    const outside = { mu: inside.mu, sigma: inside.sigma.map((s, i) => (i % 9 === 0 ? 0.025 : s)) };
    const time = ({ mu, sigma }: { mu: number[]; sigma: number[] }) => {
      const loc = tf.tensor2d(mu, [events, 9]);
      const scale = tf.tensor2d(sigma, [events, 9]);
      const run = () => tf.tidy(() => discreteLogProbabilities(loc, scale, { validate: false }).dataSync());
      run();
      const times = [0, 1, 2].map(() => {
        const start = performance.now();
        run();
        return performance.now() - start;
      });
      tf.dispose([loc, scale]);
      return times.sort((a, b) => a - b)[1] / events;
    };
    // |μ/σ| in [60, 100] with σ = 1: log f ~ −1e4 at the mode, where Float64 rounding sets the tolerance
    const far = { mu: inside.mu.map(() => (u() < 0.5 ? -1 : 1) * (60 + 40 * u())), sigma: inside.sigma.map(() => 1) };
    const [fixed, adaptive, adaptiveFar] = [time(inside), time(outside), time(far)];
    t.diagnostic(`ms per event (K = 10, forward): fixed rule ${fixed.toFixed(3)}; adaptive rule, σ ratio 80: ${adaptive.toFixed(2)}, |μ/σ| in [60, 100]: ${adaptiveFar.toFixed(2)}`);
    assert.ok(adaptive > 5 * fixed, `adaptive ${adaptive} ms vs fixed ${fixed} ms per event`);
    // before the tolerance had a rounding floor the far case subdivided to the interval cap: ~60 ms per event
    assert.ok(adaptiveFar < 30, `|μ/σ| in [60, 100]: ${adaptiveFar} ms per event`);
  });
});
