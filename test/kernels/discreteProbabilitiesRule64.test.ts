// The fixed rule of the Float64 kernels (lib/kernels/discreteProbabilitiesRule64.ts), which evaluates
// log Φ by a table and skips negligible slots and factors, against (1) the same quadrature rule written
// out plainly here (every node, every factor, the reference log Φ of lib/core/normal.ts), (2) the
// adaptive rule, accurate everywhere, on random events of the eq. (15) box and of the whole fixed-rule
// box, and (3) central differences of its own forward (the Jacobian).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { discreteLogProbabilitiesForward64, FIXED_RULE_BOX, SPLIT_RATIO } from "../../lib/kernels/discreteProbabilitiesRule64";
import { halfRangeGaussHermite } from "../../lib/core/quadrature";
import { logNdtr64 } from "../../lib/core/normal";
import { mulberry32 } from "../helpers/prop2Reference";

const NODES = 24;
const m = 9; // K = 10, as in the VAEs

type Events = { mu: Float64Array; sigma: Float64Array; count: number };

/** eq. (15): |μ| ≤ 5, σ ∈ [0.5, 2.5] (the RELAX VAE's bounded parameters). */
function boundedBox(seed: number, count: number): Events {
  const rand = mulberry32(seed);
  const mu = Float64Array.from({ length: count * m }, () => 10 * rand() - 5);
  const sigma = Float64Array.from({ length: count * m }, () => 0.5 + 2 * rand());
  return { mu, sigma, count };
}

/** The whole fixed-rule box: σ ratio ≤ 8 within an event (σ = 0.3·8^u), |μ/σ| ≤ 50. */
function fixedBox(seed: number, count: number): Events {
  const rand = mulberry32(seed);
  const sigma = Float64Array.from({ length: count * m }, () => 0.3 * FIXED_RULE_BOX.scaleRatio ** rand());
  const mu = sigma.map((s) => s * FIXED_RULE_BOX.absRatio * (2 * rand() - 1));
  return { mu, sigma, count };
}

function logSumExp(values: number[]): number {
  const best = Math.max(...values);
  return best + Math.log(values.reduce((s, v) => s + Math.exp(v - best), 0));
}

/**
 * log P(H = k), k < K, by the rule of discreteProbabilities.ts written out plainly: shifted half-range
 * Gauss–Hermite (2n nodes) below μ_k/σ_k = 5.5, split at the mode (n nodes each side) from there.
 */
function plainRule(mu: number[], sigma: number[], k: number): number {
  const r = mu[k] / sigma[k];
  const terms: number[] = [];
  const addTerm = (s: number, logWeight: number) => {
    const t = mu[k] + sigma[k] * s;
    let term = logWeight;
    for (let j = 0; j < mu.length; j++) if (j !== k) term += logNdtr64((t - mu[j]) / sigma[j]);
    terms.push(term);
  };
  const logSqrtPi = 0.5 * Math.log(Math.PI);
  if (r < SPLIT_RATIO) {
    const rule = halfRangeGaussHermite(2 * NODES);
    rule.nodes.forEach((x, i) => addTerm(-r + Math.SQRT2 * x, Math.log(rule.weights[i]) - logSqrtPi + Math.SQRT2 * r * x - 0.5 * r * r));
  } else {
    const rule = halfRangeGaussHermite(NODES);
    rule.nodes.forEach((x, i) => {
      const logWeight = Math.log(rule.weights[i]) - logSqrtPi;
      addTerm(Math.SQRT2 * x, logWeight);
      addTerm(-Math.SQRT2 * x, logWeight);
    });
  }
  return logSumExp(terms);
}

function forward(events: Events, adaptive: boolean): { logP: Float64Array; jacobian: Float64Array } {
  const logP = new Float64Array(events.count * (m + 1));
  const jacobian = new Float64Array(events.count * (m + 1) * 2 * m);
  discreteLogProbabilitiesForward64(events.mu, events.sigma, m, NODES, logP, jacobian, adaptive);
  return { logP, jacobian };
}

describe("Float64 fixed rule with the tabulated log Φ", () => {
  test("equals the plain evaluation of the same rule to 8 table errors (6e−8) in log P, both boxes", () => {
    // Each log-term carries ≤ 8 factors × 7.55e−9 of table error (test/kernels/logNdtrTable64.test.ts),
    // a log-sum-exp moves by at most the largest shift of its terms; the skipped slots and factors add
    // < 1e−14; the reference's log Φ rounds to 1e−14 relative of |log P|.
    const tolerance = (ref: number) => 8 * 7.55e-9 + 1e-13 * Math.abs(ref);
    for (const [name, events] of [["eq. (15) box", boundedBox(41, 60)], ["fixed-rule box", fixedBox(42, 60)]] as const) {
      const { logP } = forward(events, false);
      let worst = 0;
      for (let e = 0; e < events.count; e++) {
        const mu = Array.from(events.mu.subarray(e * m, e * m + m));
        const sigma = Array.from(events.sigma.subarray(e * m, e * m + m));
        for (let k = 0; k < m; k++) {
          const ref = plainRule(mu, sigma, k);
          const got = logP[e * (m + 1) + k];
          assert.ok(Math.abs(got - ref) <= tolerance(ref), `${name}, event ${e}, k = ${k}: log P ${got}, plain rule ${ref}`);
          worst = Math.max(worst, Math.abs(got - ref) / (1 + Math.abs(ref)));
        }
      }
      // The table's error shows (the check is not comparing a function with itself).
      assert.ok(worst > 1e-12, `${name}: worst difference ${worst}`);
    }
  });

  // Tolerances: the n = 24 rule's own quadrature error, measured on 2,000 events per box (seeds 7, 8;
  // docs/performance.md §10) before and after the table, with a margin: eq. (15) box max |ΔP| 1.3e−7,
  // max |Δ log P| (P ≥ 1e−6) 5.1e−6, Jacobian 2.6e−4; fixed-rule box 2.3e−4, 1.5e−3 and 5.1e−2
  // relative to 1 + |J| (σ ratio 8 with |μ/σ| near 50, the box's corner).
  for (const [name, events, maxP, maxLogP, maxJacobian] of [
    ["eq. (15) box", boundedBox(43, 300), 1e-6, 2e-5, 1e-3],
    ["fixed-rule box", fixedBox(44, 300), 5e-4, 5e-3, 0.1],
  ] as const) {
    test(`against the adaptive rule on 300 random events of the ${name}`, () => {
      const fixed = forward(events, false);
      const adaptive = forward(events, true);
      for (let q = 0; q < fixed.logP.length; q++) {
        const p = Math.exp(adaptive.logP[q]);
        const dP = Math.abs(Math.exp(fixed.logP[q]) - p);
        assert.ok(dP <= maxP, `entry ${q}: P ${Math.exp(fixed.logP[q])} vs adaptive ${p}`);
        if (p < 1e-6) continue; // a tiny probability is right in absolute terms only (discreteProbabilities.ts)
        assert.ok(Math.abs(fixed.logP[q] - adaptive.logP[q]) <= maxLogP, `entry ${q}: log P ${fixed.logP[q]} vs adaptive ${adaptive.logP[q]}`);
        for (let c = 0; c < 2 * m; c++) {
          const [got, want] = [fixed.jacobian[q * 2 * m + c], adaptive.jacobian[q * 2 * m + c]];
          const scale = name === "eq. (15) box" ? 1 : 1 + Math.abs(want);
          assert.ok(Math.abs(got - want) <= maxJacobian * scale, `entry ${q}, column ${c}: Jacobian ${got} vs adaptive ${want}`);
        }
      }
    });
  }

  test("Jacobian equals central differences of the Float64 forward (20 events of the eq. (15) box)", () => {
    const events = boundedBox(45, 20);
    const { jacobian } = forward(events, false);
    const logPOf = (mu: Float64Array, sigma: Float64Array) => {
      const out = new Float64Array(m + 1);
      discreteLogProbabilitiesForward64(mu, sigma, m, NODES, out);
      return out;
    };
    for (let e = 0; e < events.count; e++) {
      const mu = events.mu.slice(e * m, e * m + m);
      const sigma = events.sigma.slice(e * m, e * m + m);
      for (let j = 0; j < m; j++) {
        for (const [which, vector] of [["μ", mu], ["σ", sigma]] as const) {
          const h = 1e-5 * sigma[j];
          const saved = vector[j];
          vector[j] = saved + h;
          const plus = logPOf(mu, sigma);
          vector[j] = saved - h;
          const minus = logPOf(mu, sigma);
          vector[j] = saved;
          for (let k = 0; k <= m; k++) {
            const fd = (plus[k] - minus[k]) / (2 * h);
            const got = jacobian[(e * (m + 1) + k) * 2 * m + (which === "μ" ? 0 : m) + j];
            // O(h²) truncation ≈ 1e−10·|d³ log P| and rounding 1e−16·|log P|/h ≤ 1e−9 (|log P| ≤ 100, h ≥ 5e−6);
            // the C¹ table adds ≤ h·(jump of p″ at a knot) ≈ 1e−5·(h_table²·max|f⁗|) ≈ 1e−8 per factor.
            assert.ok(Math.abs(got - fd) <= 1e-6 * Math.abs(fd) + 1e-7, `event ${e}, d log P_${k}/d${which}_${j}: ${got} vs difference ${fd}`);
          }
        }
      }
    }
  });
});
