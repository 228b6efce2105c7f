import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { SeedStream } from "../../lib/core/random";
import { explicitTarget, totalVariation } from "../../lib/discrete/targets";
import { DiscreteApproximation } from "../../lib/models/approxDiscrete";
import { fitDiscreteApproximation, shouldStop } from "../../lib/train/approxFit";

before(async () => {
  await initBackend();
});

// A tiny target: every family but IGR-SB can represent it exactly.
const TINY = explicitTarget([0.6, 0.3, 0.1], { name: "tiny" });

/** Expected TV between n draws and their law (Jensen: E|p̂ − p| ≤ √(p(1−p)/n)), summed and halved. */
function samplingTv(p: number[], n: number): number {
  return p.reduce((s, v) => s + Math.sqrt((v * (1 - v)) / n), 0) / 2;
}

/** The authors' MinimizeEmpiricalLoss loop, transcribed: how many steps it takes on a loss sequence. */
function authorsStepCount(losses: number[], maxIterations: number, tolerance: number, checkEvery = 10): number {
  let iteration = 0;
  let meanLoss = 10;
  const lossIter: number[] = [];
  for (;;) {
    lossIter[iteration] = losses[iteration];
    if (iteration % checkEvery === 0 && iteration > checkEvery) {
      const window = lossIter.slice(iteration - checkEvery, iteration);
      meanLoss = window.reduce((a, b) => a + b, 0) / checkEvery;
    }
    iteration += 1;
    if (!(iteration < maxIterations && Math.abs(meanLoss) > tolerance)) return iteration;
  }
}

function stepCount(losses: number[], maxIterations: number, tolerance: number): number {
  for (let i = 1; i <= losses.length; i++) {
    if (shouldStop(losses.slice(0, i), { checkEvery: 10, tolerance, maxIterations }).stop) return i;
  }
  return -1;
}

describe("shouldStop (the authors' early-stop rule)", () => {
  test("stops after the same number of steps as a transcription of MinimizeEmpiricalLoss", () => {
    const cases: number[][] = [
      Array(300).fill(1e-6), // below tolerance from the start: the first check is at step 21
      Array(300).fill(1e-3), // never below: runs to maxIterations
      Array.from({ length: 300 }, (_, i) => 1e-2 * Math.exp(-i / 10)), // decays through the tolerance
      Array.from({ length: 300 }, (_, i) => (i % 2 ? -1 : 1) * 1e-3), // signed losses average to ~0
      Array.from({ length: 300 }, (_, i) => (i === 20 ? 1 : 1e-6)), // the loss of the checking step is not in its window
    ];
    for (const losses of cases) {
      for (const max of [5, 200]) {
        assert.equal(stepCount(losses, max, 1e-5), authorsStepCount(losses, max, 1e-5));
      }
    }
    assert.equal(stepCount(cases[0], 200, 1e-5), 21);
    assert.equal(stepCount(cases[1], 200, 1e-5), 200);
    assert.equal(stepCount(cases[4], 200, 1e-5), 21);
  });
});

describe("DiscreteApproximation: initial laws (maxIterations 0)", () => {
  test("IGR-I at μ = 0, σ = 1: Proposition 2 gives P(K) = 2^{−(K−1)}, the rest equal", () => {
    const K = 5;
    const fit = fitDiscreteApproximation({ family: "igr-i", target: explicitTarget(Array(K).fill(1 / K)), maxIterations: 0 });
    const { probs } = fit.exactProbs()!;
    const last = Math.pow(0.5, K - 1);
    // 1e-5: discreteProbabilities' documented accuracy.
    assert.ok(Math.abs(probs[K - 1] - last) < 1e-5, `${probs}`);
    for (let k = 0; k < K - 1; k++) assert.ok(Math.abs(probs[k] - (1 - last) / (K - 1)) < 1e-5, `${probs}`);
    fit.dispose();
  });

  test("GS at log α = log(1/K): the argmax law (Gumbel-max) is uniform", () => {
    const fit = fitDiscreteApproximation({ family: "gs", target: TINY, maxIterations: 0 });
    // 1e-6: float32 softmax of equal logits.
    for (const v of fit.exactProbs()!.probs) assert.ok(Math.abs(v - 1 / 3) < 1e-6);
    const sampled = fit.sampledProbs(30000, 5);
    // The Gumbel sampler against the exact law: 4 × the expected sampling TV (0.0037 at n = 30000).
    assert.ok(totalVariation(sampled, [1 / 3, 1 / 3, 1 / 3]) < 4 * samplingTv([1 / 3, 1 / 3, 1 / 3], 30000), `${sampled}`);
    fit.dispose();
  });
});

describe("DiscreteApproximation: losses", () => {
  test("squared error and empirical KL of ψ̄ match a Float64 recomputation from the same samples", () => {
    for (const loss of ["squared-error", "empirical-kl"] as const) {
      const fit = fitDiscreteApproximation({ family: "igr-i", target: TINY, maxIterations: 0, temperature: 0.5, loss });
      const { sample, value } = tf.tidy(() => {
        const s = fit.relaxedSample(500, new SeedStream(9)).sample;
        return { sample: s.arraySync() as number[][], value: fit.lossOf(s).dataSync()[0] };
      });
      const mean = [0, 1, 2].map((k) => sample.reduce((a, row) => a + row[k], 0) / sample.length);
      const p = TINY.probs;
      const expected =
        loss === "squared-error"
          ? mean.reduce((a, m, k) => a + (m - p[k]) ** 2, 0)
          : mean.reduce((a, m, k) => a + m * (Math.log(m) - Math.log(p[k])), 0);
      // 1e-5 relative: float32 mean over 500 rows and a 3-term sum.
      assert.ok(Math.abs(value - expected) <= 1e-5 * Math.abs(expected), `${loss}: ${value} vs ${expected}`);
      fit.dispose();
    }
  });

  test("IGR-SB: the relaxed sample keeps m + 1 entries, m from the cumulative sticks recomputed in JS", () => {
    const target = explicitTarget(Array.from({ length: 8 }, (_, k) => Math.pow(0.5, k + 1)), { name: "geometric", renormalise: true });
    const fit = fitDiscreteApproximation({ family: "igr-sb", target, maxIterations: 0, threshold: 0.9, quantile: 70 });
    const { width, m } = tf.tidy(() => {
      const s = fit.relaxedSample(400, new SeedStream(3));
      // The same noise again: the sticks η before truncation.
      const eta = (fit.distribution() as unknown as { samplePreSimplex: (n: number, o: object) => tf.Tensor })
        .samplePreSimplex(400, { seed: new SeedStream(3) })
        .arraySync() as number[][];
      const counts = eta.map((row) => {
        let c = 0;
        let n = 0;
        for (const v of row) {
          c += v;
          if (c <= 0.9) n += 1;
        }
        return n;
      });
      counts.sort((a, b) => a - b);
      const rank = Math.round(0.7 * (counts.length - 1));
      return { width: s.sample.shape[1], m: Math.min(7, Math.max(1, counts[rank])) };
    });
    assert.equal(width, m + 1);
    fit.dispose();
  });
});

describe("fitDiscreteApproximation: fits a tiny target from a fixed seed", () => {
  // Bound 0.03 on TV: the loss is minimised on ψ̄ from S = 2000 samples, whose noise per entry is
  // √(p(1−p)/S) ≤ 0.011, i.e. ½Σ ≈ 0.015 in TV; the fit cannot resolve the law better than that,
  // and 0.03 is twice it. The initial laws are at TV 0.225 (IGR) and 0.233 (GS) from the target.
  const BOUND = 0.03;
  const settings = { target: TINY, maxIterations: 150, numSamples: 2000, seed: 0 };

  test("IGR-I (squared error, τ = 0.01): Proposition 2 law within the bound; argmax draws agree with it", () => {
    const fit = fitDiscreteApproximation({ family: "igr-i", ...settings });
    assert.equal(fit.iterations, 150);
    const { probs, outsideBox } = fit.exactProbs()!;
    assert.equal(outsideBox, false);
    const tv = totalVariation(probs, TINY.probs);
    assert.ok(tv < BOUND, `TV ${tv}`);
    const sampled = fit.sampledProbs(20000, 11);
    // Sampler vs quadrature: 4 × the expected sampling TV (≈ 0.006 at n = 20000).
    assert.ok(totalVariation(sampled, probs) < 4 * samplingTv(probs, 20000), `${sampled} vs ${probs}`);
    assert.ok(fit.losses.at(-1)! < fit.losses[0] / 10, "the loss fell tenfold");
    fit.dispose();
  });

  test("GS (empirical KL, τ = 0.1): softmax(log α) within the bound", () => {
    const fit = fitDiscreteApproximation({ family: "gs", ...settings });
    const tv = totalVariation(fit.exactProbs()!.probs, TINY.probs);
    assert.ok(tv < BOUND, `TV ${tv}`);
    fit.dispose();
  });

  test("IGR-Planar: argmax frequencies of 20000 draws within the bound plus sampling noise", () => {
    const fit = fitDiscreteApproximation({ family: "igr-planar", ...settings });
    const tv = totalVariation(fit.sampledProbs(20000, 11), TINY.probs);
    assert.ok(tv < BOUND + 4 * samplingTv(TINY.probs as number[], 20000), `TV ${tv}`);
    fit.dispose();
  });

  test("the same seed gives the same losses", () => {
    const a = fitDiscreteApproximation({ family: "igr-i", ...settings, maxIterations: 5 });
    const b = fitDiscreteApproximation({ family: "igr-i", ...settings, maxIterations: 5 });
    assert.deepEqual(a.losses, b.losses);
    a.dispose();
    b.dispose();
  });

  test("no tensors leak across a fit", () => {
    const before = tf.memory().numTensors;
    const fit = fitDiscreteApproximation({ family: "igr-sb", ...settings, maxIterations: 3, numSamples: 200 });
    fit.exactProbs();
    fit.sampledProbs(100);
    fit.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});

describe("fitDiscreteApproximation: bad input", () => {
  test("threshold outside (0, 1), unknown family or loss, bad counts, KL with a zero target entry", () => {
    for (const threshold of [0, 1, 1.5, -0.2, NaN]) {
      assert.throws(() => fitDiscreteApproximation({ family: "igr-sb", target: TINY, threshold }), /threshold must be in \(0, 1\); got/);
    }
    assert.throws(() => fitDiscreteApproximation({ family: "igr-x" as never, target: TINY }), /family must be one of igr-i, igr-planar, igr-sb, gs; got igr-x/);
    assert.throws(() => fitDiscreteApproximation({ family: "gs", target: TINY, loss: "l1" as never }), /loss must be one of/);
    assert.throws(() => fitDiscreteApproximation({ family: "gs", target: TINY, numSamples: 0 }), /numSamples must be an integer ≥ 1; got 0/);
    assert.throws(() => fitDiscreteApproximation({ family: "gs", target: TINY, temperature: -1 }), /temperature must be a finite number > 0; got -1/);
    const withZero = explicitTarget([0.5, 0.5, 0]);
    assert.throws(() => fitDiscreteApproximation({ family: "gs", target: withZero }), /empirical KL needs p_k > 0.*probs\[2\] = 0/);
    assert.throws(
      () => fitDiscreteApproximation({ family: "igr-i", target: { name: "bad", probs: [0.5, NaN], numCategories: 2, tailMass: 0, renormalised: false } }),
      /probs\[1\] must be finite; got NaN/,
    );
    assert.throws(
      () => fitDiscreteApproximation({ family: "igr-i", target: { name: "bad", probs: [1], numCategories: 1, tailMass: 0, renormalised: false } }),
      /K\) must be an integer ≥ 2; got 1/,
    );
  });

  test("the instance holds no variables after dispose", () => {
    const fit: DiscreteApproximation = fitDiscreteApproximation({ family: "gs", target: TINY, maxIterations: 0 });
    fit.dispose();
    assert.ok(fit.variables.every((v) => v.isDisposed));
  });
});
