import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { discreteProbabilities, discreteLogProbabilities } from "../../lib/discrete/discreteProbabilities";
import { STEEN_HALF_RANGE_HERMITE_15 } from "../../lib/core/quadrature";
import { mulberry32, monteCarloArgmax, refDiscreteProbabilities, refLogNormalCdf } from "../helpers/prop2Reference";

before(async () => {
  await initBackend();
});

// The accuracy promised in the doc comment: absolute, on probabilities.
const BOX_TOLERANCE = 1e-5;

function probs(mu: number[][], sigma: number[][], options = {}): number[][] {
  return tf.tidy(() => discreteProbabilities(tf.tensor2d(mu), tf.tensor2d(sigma), options).arraySync() as number[][]);
}

function maxAbsDiff(a: number[], b: number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

describe("discreteProbabilities: against adaptive integration (Float64 Simpson, test/helpers)", () => {
  test("docs/paper.md §5 reference values", () => {
    const [p] = probs([[0.5, -0.2, 0.1]], [[1, 0.7, 1.3]]);
    const notes = [0.4618307784, 0.1228028243, 0.3266774523, 0.0886889449];
    // 2e-6: float32 rounding of the quadrature sum (the quadrature error itself is < 1e-12 here).
    assert.ok(maxAbsDiff(p, notes) < 2e-6, `${p}`);
    assert.ok(maxAbsDiff(refDiscreteProbabilities([0.5, -0.2, 0.1], [1, 0.7, 1.3]), notes) < 1e-9);
  });

  test("grid over the documented box: K ∈ {2,3,5,10,20,50}, eq. (15) box and scale ratio 8", () => {
    const rand = mulberry32(2020);
    for (const K of [2, 3, 5, 10, 20, 50]) {
      const m = K - 1;
      const mus: number[][] = [];
      const sigmas: number[][] = [];
      const events = K >= 20 ? 2 : 6;
      for (let e = 0; e < events; e++) {
        // eq. (15) box: |μ| ≤ 5, σ ∈ [0.5, 2.5].
        mus.push(Array.from({ length: m }, () => 10 * rand() - 5));
        sigmas.push(Array.from({ length: m }, () => 0.5 + 2 * rand()));
      }
      // Edge of the box: scale ratio 8 (σ ∈ {0.4, 3.2}), the first category the wide one, means within 3σ.
      const wide = Array.from({ length: m }, (_, j) => (j === 0 || rand() < 0.5 ? 3.2 : 0.4));
      sigmas.push(wide);
      mus.push(wide.map((s) => s * (6 * rand() - 3)));
      const got = probs(mus, sigmas);
      mus.forEach((mu, e) => {
        const want = refDiscreteProbabilities(mu, sigmas[e], 1e-11);
        const err = maxAbsDiff(got[e], want);
        assert.ok(err < BOX_TOLERANCE, `K=${K} event ${e}: max abs error ${err}`);
      });
    }
  });

  test("μ/σ far beyond the 15-point rule's limit (|μ_k/σ_k| up to 40), K = 10", () => {
    const ratios = [-40, -10, -5, -1, 0, 2, 4, 5, 5.49, 5.51, 6, 7, 8, 10, 20, 40];
    const mus = ratios.map((r) => [r, 0, 0.3, -0.4, 0, 0, 0.5, 0, -1]);
    const sigmas = ratios.map(() => [1, 1, 0.7, 1.3, 1, 1, 2, 1, 0.5]);
    const got = probs(mus, sigmas);
    mus.forEach((mu, e) => {
      const err = maxAbsDiff(got[e], refDiscreteProbabilities(mu, sigmas[e], 1e-11));
      assert.ok(err < BOX_TOLERANCE, `r=${ratios[e]}: max abs error ${err}`);
    });
  });

  test("the authors' 15-point rule (evaluated here in Float64) fails beyond μ/σ ≈ 5, as the notes say", () => {
    // Independent demonstration that the widening matters: direct half-range rule, t = √2·σ·x.
    const steen = (mu: number[], sigma: number[], k: number) => {
      let total = 0;
      STEEN_HALF_RANGE_HERMITE_15.nodes.forEach((x, i) => {
        const t = Math.SQRT2 * sigma[k] * x;
        let log = Math.log(STEEN_HALF_RANGE_HERMITE_15.weights[i] / Math.sqrt(Math.PI));
        log += (2 * mu[k] * t - mu[k] * mu[k]) / (2 * sigma[k] * sigma[k]);
        for (let j = 0; j < mu.length; j++) if (j !== k) log += refLogNormalCdf((t - mu[j]) / sigma[j]);
        total += Math.exp(log);
      });
      return total;
    };
    const errorAt = (r: number) => {
      const mu = [r, 0, 0, 0, 0, 0, 0, 0, 0];
      const sigma = mu.map(() => 1);
      return Math.abs(steen(mu, sigma, 0) - refDiscreteProbabilities(mu, sigma, 1e-12)[0]);
    };
    assert.ok(errorAt(3) < 1e-7, `r=3: ${errorAt(3)}`); // notes: ≤ 1e-7 up to 4
    assert.ok(errorAt(6) > 1e-3, `r=6: ${errorAt(6)}`); // notes: 4e-3 at 6
    const [ours] = probs([[6, 0, 0, 0, 0, 0, 0, 0, 0]], [[1, 1, 1, 1, 1, 1, 1, 1, 1]]);
    assert.ok(Math.abs(ours[0] - refDiscreteProbabilities([6, 0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1, 1])[0]) < 1e-6);
  });

  test("K = 2 closed form P(H = 1) = Φ(μ/σ), in log space, for μ/σ ∈ [−50, 50]", () => {
    const ratios: number[] = [];
    for (let r = -50; r <= 50; r += 2.5) ratios.push(r);
    const logP = tf.tidy(
      () => discreteLogProbabilities(tf.tensor2d(ratios.map((r) => [2 * r])), tf.fill([ratios.length, 1], 2)).arraySync() as number[][],
    );
    ratios.forEach((r, i) => {
      const want = [refLogNormalCdf(r), refLogNormalCdf(-r)];
      for (let c = 0; c < 2; c++) {
        // 1e-5 relative + 1e-6 absolute on log-probabilities: float32 logs of values down to e^{−1250}.
        assert.ok(Math.abs(logP[i][c] - want[c]) < 1e-5 * Math.abs(want[c]) + 1e-6, `r=${r}, c=${c}: ${logP[i][c]} vs ${want[c]}`);
      }
    });
  });

  test("authors' uniform case (TestDistributions 4): μ = −0.75, σ = 1, K − 1 = 9 gives ≈ 0.1 each", () => {
    const mu = new Array(9).fill(-0.75);
    const sigma = new Array(9).fill(1);
    const [p] = probs([mu], [sigma]);
    assert.ok(maxAbsDiff(p, refDiscreteProbabilities(mu, sigma)) < BOX_TOLERANCE);
    // ±3e-3: μ₀/σ₀ = −0.75 is the rounded uniform value −0.752962 (docs/paper.md §2.1).
    for (const v of p) assert.ok(Math.abs(v - 0.1) < 3e-3, `${v}`);
  });
});

describe("discreteProbabilities: against Monte Carlo (argmax of (y, 0), Float64 draws, fixed seed)", () => {
  const cases: Array<[number[], number[]]> = [
    [[0.5, -0.2, 0.1], [1, 0.7, 1.3]],
    [[3, 2, 1], [4, 5, 1]], // TestInter.py's vector
    [[-1, 0.5, 2, 0.3, -2], [0.6, 1.5, 2.2, 0.5, 1]],
  ];
  for (const [mu, sigma] of cases) {
    test(`μ = (${mu}), σ = (${sigma})`, () => {
      const draws = 200000;
      const freq = monteCarloArgmax(mu, sigma, draws, 12345);
      const [p] = probs([mu], [sigma]);
      p.forEach((pk, k) => {
        const se = Math.sqrt((pk * (1 - pk)) / draws);
        // 4 standard errors of a binomial frequency (two-sided p ≈ 6e-5 per category).
        assert.ok(Math.abs(freq[k] - pk) < 4 * se + 1e-9, `k=${k}: MC ${freq[k]} vs ${pk} (se ${se})`);
      });
    });
  }
});

describe("discreteProbabilities: gradients", () => {
  test("d/dμ and d/dσ of Σ c_k P_k and of Σ c_k log P_k against Float64 central differences of the adaptive integral", () => {
    const mu = [0.5, -0.2, 0.1, 1.2];
    const sigma = [1, 0.7, 1.3, 2.0];
    const c = [0.3, -1.1, 0.7, 0.2, -0.5];
    for (const useLog of [false, true]) {
      const objective64 = (m: number[], s: number[]) =>
        refDiscreteProbabilities(m, s, 1e-13).reduce((acc, p, k) => acc + c[k] * (useLog ? Math.log(p) : p), 0);
      const [gMu, gSigma] = tf.tidy(() => {
        const f = (l: tf.Tensor, s: tf.Tensor) => {
          const out = useLog ? discreteLogProbabilities(l, s) : discreteProbabilities(l, s);
          return tf.sum(tf.mul(out, tf.tensor1d(c)));
        };
        return tf.grads(f)([tf.tensor1d(mu), tf.tensor1d(sigma)]).map((g) => Array.from(g.dataSync()));
      });
      const h = 1e-4;
      for (let j = 0; j < mu.length; j++) {
        for (const [vec, grad, name] of [
          [mu, gMu, "loc"],
          [sigma, gSigma, "scale"],
        ] as const) {
          const plus = vec.slice();
          const minus = vec.slice();
          plus[j] += h;
          minus[j] -= h;
          const fd = name === "loc" ? (objective64(plus, sigma) - objective64(minus, sigma)) / (2 * h) : (objective64(mu, plus) - objective64(mu, minus)) / (2 * h);
          // 2e-5 absolute + 1e-4 relative: float32 gradient through logsumexp (~1e-6) plus O(h²) ≈ 1e-8 in the difference.
          assert.ok(Math.abs(grad[j] - fd) < 2e-5 + 1e-4 * Math.abs(fd), `${useLog ? "log " : ""}${name}[${j}]: ${grad[j]} vs ${fd}`);
        }
      }
    }
  });

  test("finite gradients at the extremes of the box", () => {
    const [gMu, gSigma] = tf.tidy(() =>
      tf
        .grads((l: tf.Tensor, s: tf.Tensor) => tf.sum(discreteLogProbabilities(l, s)))([
          tf.tensor2d([[40, -40, 0], [-5, 5, 5.5]]),
          tf.tensor2d([[1, 1, 0.5], [2.5, 0.5, 1]]),
        ])
        .map((g) => Array.from(g.dataSync())),
    );
    for (const v of [...gMu, ...gSigma]) assert.ok(Number.isFinite(v), `${gMu} ${gSigma}`);
  });
});

describe("discreteProbabilities: shapes, sums, validation", () => {
  test("rows sum to 1 and lie in [0, 1]; broadcasting and batch shapes [], [3], [2, 3]", () => {
    const rand = mulberry32(7);
    for (const batch of [[], [3], [2, 3]]) {
      const shape = [...batch, 6];
      const size = shape.reduce((a, b) => a * b, 1);
      const loc = tf.tensor(Array.from({ length: size }, () => 10 * rand() - 5), shape);
      const scale = tf.tensor1d([0.5, 1, 2.5, 1.5, 0.7, 2]); // broadcasts against loc
      const p = discreteProbabilities(loc, scale);
      assert.deepEqual(p.shape, [...batch, 7]);
      const values = p.dataSync();
      for (const v of values) assert.ok(v >= 0 && v <= 1, `${v}`);
      const sums = tf.sum(p, -1).dataSync();
      // 1e-5: each of the 7 entries is within ~1e-6 and P(H = K) is exact.
      for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5, `${s}`);
      tf.dispose([loc, scale, p]);
    }
  });

  test("errors name the parameter and value; outside the box only the op-based path throws", () => {
    const loc = tf.tensor1d([0, 1]);
    assert.throws(() => discreteProbabilities(loc, tf.tensor1d([1, 0])), /scale must be finite and > 0, got 0/);
    assert.throws(() => discreteProbabilities(tf.tensor1d([0, NaN]), tf.tensor1d([1, 1])), /loc must be finite, got NaN/);
    const ops = { implementation: "ops" } as const;
    assert.throws(() => discreteProbabilities(loc, tf.tensor1d([0.1, 1]), ops), /scale ratio max\/min = (10|9\.99)/);
    assert.throws(() => discreteProbabilities(tf.tensor1d([60, 0]), tf.tensor1d([1, 1]), ops), /\|loc\/scale\| = 60/);
    assert.throws(() => discreteProbabilities(loc, loc, { rule: "fast" as never }), /rule must be "auto" or "adaptive", got fast/);
    assert.throws(() => discreteProbabilities(loc, tf.tensor1d([1, 1, 1])), /do not broadcast/);
    assert.throws(() => discreteProbabilities(loc, tf.tensor1d([1, 1]), { nodes: 1 }), /nodes must be an integer in \[2, 50\], got 1/);
    // validateArgs: false evaluates the op-based rule outside the box; the result is still a probability
    // vector to 1e-3 (scale ratio 10 is just past the box edge, where the error grows gradually).
    const outside = [tf.tensor1d([0.3, 1, -0.5]), tf.tensor1d([0.25, 2.5, 1])] as const;
    const p = discreteProbabilities(...outside, { validateArgs: false, ...ops });
    const values = Array.from(p.dataSync());
    assert.ok(maxAbsDiff(values, refDiscreteProbabilities([0.3, 1, -0.5], [0.25, 2.5, 1])) < 1e-3);
    // The former option name `validate` still works; `validateArgs` wins where both are given.
    const deprecated = discreteProbabilities(...outside, { validate: false, ...ops });
    assert.deepEqual(Array.from(deprecated.dataSync()), values);
    assert.throws(() => discreteProbabilities(...outside, { validateArgs: true, validate: false, ...ops }), /scale ratio max\/min/);
    tf.dispose([loc, p, deprecated, ...outside]);
  });

  test("does not leak tensors (values and gradients)", () => {
    const loc = tf.tensor2d([[0.2, -0.3, 1]]);
    const scale = tf.tensor2d([[1, 0.6, 2]]);
    const before = tf.memory().numTensors;
    discreteProbabilities(loc, scale).dispose();
    tf.grads((l: tf.Tensor, s: tf.Tensor) => tf.sum(discreteLogProbabilities(l, s)))([loc, scale]).forEach((g) => g.dispose());
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([loc, scale]);
  });
});
