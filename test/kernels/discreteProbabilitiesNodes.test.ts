// The fixed rule's node count by σ ratio (FIXED_RULE_NODES in lib/kernels/discreteProbabilitiesRule64.ts)
// on adversarial events: σ_j two-point (1 or the ratio), one narrow factor among wide ones and one wide
// among narrow ones, each at the top σ ratio of its n-regime (where that n is weakest), |μ/σ| up to the
// box's 50, K = 10 and (one wide among narrow, the worst layout, worse with more categories) K = 30. Random σ uniform in log-space hardly ever puts a narrow factor next to several wide ones,
// which is where too few nodes fail, so the box tests of discreteProbabilitiesRule64.test.ts miss it.
// Reference: the adaptive rule (accurate to ~1e−8, tested against an independent Float64 integral in
// test/discrete/discreteProbabilitiesAccuracy.test.ts).
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { discreteLogProbabilities } from "../../lib/discrete/discreteProbabilities";
import {
  discreteLogProbabilitiesBackward64,
  discreteLogProbabilitiesForward64,
  FIXED_RULE_NODES,
  NODES_PER_EVENT,
} from "../../lib/kernels/discreteProbabilitiesRule64";
import { mulberry32 } from "../helpers/prop2Reference";

const m = 9; // K = 10, as in the VAEs
const COUNT = 100;
/** The default rule's largest σ ratio (beyond it: the adaptive rule). */
const EDGE = FIXED_RULE_NODES[FIXED_RULE_NODES.length - 1].scaleRatio;
/** The documented bound on every probability of a fixed-rule event. */
const BOUND = 1e-5;

type Layout = "two-point" | "one narrow" | "one wide";

/** `count` events with σ_j ∈ {1, ratio} by `layout` and μ_j = σ_j·U(−A, A). */
function events(seed: number, ratio: number, A: number, layout: Layout, count = COUNT, factors = m): { mu: Float64Array; sigma: Float64Array } {
  const rand = mulberry32(seed);
  const mu = new Float64Array(count * factors);
  const sigma = new Float64Array(count * factors);
  for (let e = 0; e < count; e++) {
    const odd = Math.floor(rand() * factors);
    for (let j = 0; j < factors; j++) {
      const narrow = layout === "two-point" ? rand() < 0.5 : layout === "one narrow" ? j === odd : j !== odd;
      // The odd one out is always present, so every event has exactly this σ ratio (two-point: almost every).
      sigma[e * factors + j] = narrow ? 1 : ratio;
      mu[e * factors + j] = sigma[e * factors + j] * A * (2 * rand() - 1);
    }
  }
  return { mu, sigma };
}

function worstAbsError(mu: Float64Array, sigma: Float64Array, nodes: number, factors = m): number {
  const fixed = new Float64Array((mu.length / factors) * (factors + 1));
  const adaptive = new Float64Array(fixed.length);
  discreteLogProbabilitiesForward64(mu, sigma, factors, nodes, fixed);
  discreteLogProbabilitiesForward64(mu, sigma, factors, nodes, adaptive, null, true);
  let worst = 0;
  for (let q = 0; q < fixed.length; q++) worst = Math.max(worst, Math.abs(Math.exp(fixed[q]) - Math.exp(adaptive[q])));
  return worst;
}

describe("fixed rule, n by σ ratio: ≤ 1e−5 on every probability at the top of each n-regime", () => {
  let seed = 100;
  for (const { scaleRatio, nodes } of FIXED_RULE_NODES) {
    for (const layout of ["two-point", "one narrow", "one wide"] as const) {
      for (const A of [10, 20, 50]) {
        const cellSeed = seed++;
        test(`σ ratio ${scaleRatio} (n = ${nodes}), ${layout}, |μ/σ| ≤ ${A}`, () => {
          const { mu, sigma } = events(cellSeed, scaleRatio, A, layout);
          const worst = worstAbsError(mu, sigma, NODES_PER_EVENT);
          assert.ok(worst <= BOUND, `max |ΔP| ${worst} against the adaptive rule`);
          // The fixed rule ran (not the adaptive one, which would agree to ~1e−12): its error shows at A = 50.
          if (A === 50) assert.ok(worst > 1e-9, `max |ΔP| ${worst}: did the events take the fixed rule?`);
        });
      }
    }
    for (const A of [10, 20]) {
      const cellSeed = seed++;
      test(`σ ratio ${scaleRatio} (n = ${nodes}), one wide, |μ/σ| ≤ ${A}, K = 30`, () => {
        const { mu, sigma } = events(cellSeed, scaleRatio, A, "one wide", 40, 29);
        const worst = worstAbsError(mu, sigma, NODES_PER_EVENT, 29);
        assert.ok(worst <= BOUND, `max |ΔP| ${worst} against the adaptive rule`);
      });
    }
  }

  test("the test can fail: n = 24 at the box edge (σ ratio 5) is off by more than 1e−5", () => {
    const { mu, sigma } = events(99, EDGE, 50, "one wide");
    const worst = worstAbsError(mu, sigma, 24);
    assert.ok(worst > BOUND, `max |ΔP| ${worst} with n = 24`);
  });

  test("backward (VJP) uses the same per-event rule as the Jacobian of the forward", () => {
    // Events of all three regimes in one call; the VJP by recomputation must equal dy·J from the forward.
    const parts = FIXED_RULE_NODES.map(({ scaleRatio }, i) => events(200 + i, scaleRatio, 30, "two-point", 10));
    const mu = Float64Array.from(parts.flatMap((p) => Array.from(p.mu)));
    const sigma = Float64Array.from(parts.flatMap((p) => Array.from(p.sigma)));
    const count = mu.length / m;
    const logP = new Float64Array(count * (m + 1));
    const jacobian = new Float64Array(count * (m + 1) * 2 * m);
    discreteLogProbabilitiesForward64(mu, sigma, m, NODES_PER_EVENT, logP, jacobian);
    const rand = mulberry32(7);
    const dy = Float64Array.from({ length: logP.length }, () => 2 * rand() - 1);
    const dLoc = new Float64Array(mu.length);
    const dScale = new Float64Array(mu.length);
    discreteLogProbabilitiesBackward64(mu, sigma, dy, m, NODES_PER_EVENT, dLoc, dScale);
    for (let e = 0; e < count; e++) {
      for (let c = 0; c < 2 * m; c++) {
        let want = 0;
        for (let k = 0; k <= m; k++) want += dy[e * (m + 1) + k] * jacobian[(e * (m + 1) + k) * 2 * m + c];
        const got = c < m ? dLoc[e * m + c] : dScale[e * m + c - m];
        // Same arithmetic in another order: rounding only.
        assert.ok(Math.abs(got - want) <= 1e-10 * (1 + Math.abs(want)), `event ${e}, column ${c}: VJP ${got} vs dy·J ${want}`);
      }
    }
  });
});

test("Jacobian equals central differences of the forward with n = 32 and n = 48 (σ ratios 2.5 and 4)", () => {
  // σ ratios away from the tier edges (2, 3, 5), so a difference step never changes n.
  for (const [seed, ratio] of [[400, 2.5], [401, 4]] as const) {
    const { mu, sigma } = events(seed, ratio, 10, "two-point", 3);
    for (let e = 0; e < 3; e++) {
      const l = mu.slice(e * m, e * m + m);
      const s = sigma.slice(e * m, e * m + m);
      const jacobian = new Float64Array((m + 1) * 2 * m);
      discreteLogProbabilitiesForward64(l, s, m, NODES_PER_EVENT, new Float64Array(m + 1), jacobian);
      const logPOf = () => {
        const out = new Float64Array(m + 1);
        discreteLogProbabilitiesForward64(l, s, m, NODES_PER_EVENT, out);
        return out;
      };
      for (let j = 0; j < m; j++) {
        for (const [which, vector] of [["μ", l], ["σ", s]] as const) {
          const h = 1e-5 * s[j];
          const saved = vector[j];
          vector[j] = saved + h;
          const plus = logPOf();
          vector[j] = saved - h;
          const minus = logPOf();
          vector[j] = saved;
          for (let k = 0; k <= m; k++) {
            const fd = (plus[k] - minus[k]) / (2 * h);
            const got = jacobian[k * 2 * m + (which === "μ" ? 0 : m) + j];
            // As in discreteProbabilitiesRule64.test.ts: O(h²) truncation, rounding/h and the C¹ table's kinks.
            assert.ok(Math.abs(got - fd) <= 1e-6 * Math.abs(fd) + 1e-7, `ratio ${ratio}, event ${e}, d log P_${k}/d${which}_${j}: ${got} vs ${fd}`);
          }
        }
      }
    }
  }
});

describe("op-based path with its default n (the largest any event of the call needs)", () => {
  before(async () => {
    await initBackend();
  });

  test("≤ 1e−5 + float32 rounding on events at the box edge mixed with eq. (15) events", () => {
    const edge = events(300, EDGE, 50, "one wide", 40);
    const rand = mulberry32(301);
    const mu = Float32Array.from([...edge.mu, ...Array.from({ length: 40 * m }, () => 10 * rand() - 5)]);
    const sigma = Float32Array.from([...edge.sigma, ...Array.from({ length: 40 * m }, () => 0.5 + 2 * rand())]);
    const count = mu.length / m;
    const adaptive = new Float64Array(count * (m + 1));
    discreteLogProbabilitiesForward64(mu, sigma, m, NODES_PER_EVENT, adaptive, null, true);
    const got = tf.tidy(() =>
      discreteLogProbabilities(tf.tensor2d(mu, [count, m]), tf.tensor2d(sigma, [count, m]), { implementation: "ops" }).dataSync(),
    );
    let worst = 0;
    for (let q = 0; q < got.length; q++) worst = Math.max(worst, Math.abs(Math.exp(got[q]) - Math.exp(adaptive[q])));
    // float32: log P rounds to ~6e−8·|log P| and the 2n-term sums add ~1e−6 relative; P ≤ 1 keeps that < 2e−6.
    assert.ok(worst <= BOUND + 2e-6, `max |ΔP| ${worst}`);
  });
});
