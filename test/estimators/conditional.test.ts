import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { SeedStream, standardGumbel, standardNormal, uniformOpen } from "../../lib/core/random";
import { discreteLogProbabilities } from "../../lib/discrete/discreteProbabilities";
import { gaussianArgmaxConditional, gumbelConditional } from "../../lib/estimators/conditional";
import { hardThreshold } from "../../lib/estimators/relaxation";
import { random64 } from "../../lib/estimators/rng";
import { refLogNormalCdf } from "../helpers/prop2Reference";

before(async () => {
  await initBackend();
});

/** Mean of z over the draws whose outcome is `category`, per coordinate. */
function conditionalMeans(z: Float32Array | number[], cats: Int32Array | number[], width: number, category: number): number[] {
  const sum = new Array(width).fill(0);
  let count = 0;
  for (let i = 0; i < cats.length; i++) {
    if (cats[i] !== category) continue;
    count++;
    for (let j = 0; j < width; j++) sum[j] += z[i * width + j];
  }
  return sum.map((s) => s / count);
}

describe("conditional noise z̃ | b", () => {
  test("GS: argmax z̃ = b, and z̃ | b has the law of z | b (conditional means of forward draws)", () => {
    const n = 40000;
    const logP = tf.logSoftmax(tf.tensor1d([0.5, -0.3, 0.1]));
    const logPs = tf.broadcastTo(logP, [n, 1, 3]);
    const z = tf.add(logPs, standardGumbel([n, 1, 3], 5));
    const b = hardThreshold("logits", z);
    const zt = gumbelConditional(logPs, b, uniformOpen([n, 1, 3], 6));
    const cats = tf.argMax(b, -1).dataSync() as Int32Array;
    assert.deepEqual(Array.from(tf.argMax(zt, -1).dataSync()), Array.from(cats));
    const zv = z.dataSync() as Float32Array;
    const ztv = zt.dataSync() as Float32Array;
    for (let c = 0; c < 3; c++) {
      const a = conditionalMeans(zv, cats, 3, c);
      const t = conditionalMeans(ztv, cats, 3, c);
      // Gumbel sd ≈ 1.28; ≥ 8000 draws per category, two independent means: 5·1.28·√(2/8000) ≈ 0.1.
      a.forEach((x, j) => assert.ok(Math.abs(x - t[j]) < 0.1, `category ${c}, coordinate ${j}: ${x} vs ${t[j]}`));
    }
    tf.dispose([logP, logPs, z, b, zt]);
  });

  test("GS: ỹ and its gradient in Float64 terms, finite for a category with log p far below −52", () => {
    // Three variables; the middle one has a category with p ≈ 1e−35, whose p² underflows in float32.
    const logits = tf.tensor3d([[[0.5, -0.3, 0.1], [0, -80, 2], [1.5, 0.2, -1]]]);
    const b = tf.tensor3d([[[0, 0, 1], [0, 0, 1], [1, 0, 0]]]);
    const v = [[0.3, 0.8, 0.6], [0.25, 0.5, 0.9], [0.7, 0.05, 0.4]];
    const uniforms = tf.tensor3d([v]);
    const f = (l: tf.Tensor) => gumbelConditional(tf.logSoftmax(l), b, uniforms);
    const { value, grad } = tf.valueAndGrad((l: tf.Tensor) => tf.sum(tf.mul(f(l), tf.tensor3d([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]))))(logits);
    // Float64: ỹ_b = −log(−log v_b), ỹ_i = −log(−log v_i / p_i − log v_b); its gradient by central differences.
    const rows = logits.arraySync()[0];
    const cats = [2, 2, 0];
    const y64 = (ls: number[][]) => ls.map((row, r) => {
      const m = Math.max(...row);
      const logZ = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
      return row.map((x, i) => (i === cats[r] ? -Math.log(-Math.log(v[r][i])) : -Math.log(-Math.log(v[r][i]) / Math.exp(x - logZ) - Math.log(v[r][cats[r]]))));
    });
    const weighted = (ls: number[][]) => y64(ls).flat().reduce((s, y, i) => s + (i + 1) * y, 0);
    // float32 ỹ reaches about 80 in the middle row: 1e−3 relative.
    assert.ok(Math.abs(value.dataSync()[0] - weighted(rows)) < 1e-3 * Math.abs(weighted(rows)), `value ${value.dataSync()[0]} vs ${weighted(rows)}`);
    const g = grad.dataSync();
    rows.flat().forEach((_, k) => {
      const shifted = (d: number) => weighted(rows.map((row, r) => row.map((x, i) => (r * 3 + i === k ? x + d : x))));
      const fd = (shifted(1e-5) - shifted(-1e-5)) / 2e-5;
      // float32 gradient of a sum with weights up to 9 against Float64 central differences (h = 1e−5, error ~1e−9).
      assert.ok(Number.isFinite(g[k]) && Math.abs(g[k] - fd) < 1e-3 * (1 + Math.abs(fd)), `∂/∂logit ${k}: ${g[k]} vs ${fd}`);
    });
    tf.dispose([logits, b, uniforms, value, grad]);
  });

  test("IGR: H(z̃) = b, z̃ | b matches z | b, and the implicit gradient matches finite differences of the sequential inverse-CDF map", () => {
    const n = 20000;
    const loc = tf.broadcastTo(tf.tensor1d([0.4, -0.2]), [n, 1, 2]);
    const scale = tf.broadcastTo(tf.tensor1d([1.0, 0.7]), [n, 1, 2]);
    const z = tf.add(loc, tf.mul(scale, standardNormal([n, 1, 2], 7)));
    const b = hardThreshold("igr", z);
    const logAlpha = discreteLogProbabilities(loc, scale);
    const { sample, fallbacks } = gaussianArgmaxConditional(loc, scale, logAlpha, z, b, random64(new SeedStream(8)));
    assert.equal(fallbacks, 0);
    const cats = tf.argMax(b, -1).dataSync() as Int32Array;
    const h = hardThreshold("igr", sample);
    assert.deepEqual(Array.from(tf.argMax(h, -1).dataSync()), Array.from(cats));
    for (let c = 0; c < 3; c++) {
      const a = conditionalMeans(z.dataSync() as Float32Array, cats, 2, c);
      const t = conditionalMeans(sample.dataSync() as Float32Array, cats, 2, c);
      // sd ≤ 1, ≥ 3000 draws per category: 5·√(2/3000) ≈ 0.13.
      a.forEach((x, j) => assert.ok(Math.abs(x - t[j]) < 0.13, `category ${c}, coordinate ${j}: ${x} vs ${t[j]}`));
    }
    tf.dispose([loc, scale, z, b, logAlpha, sample, h]);
  });

  test("IGR: dz̃/dμ, dz̃/dσ equal finite differences of the Float64 sequential inverse-CDF construction", () => {
    // One draw per category: b = 0 (max coordinate), b = 2 (extra category: all z < 0).
    const mu = [0.4, -0.2];
    const sd = [1.0, 0.7];
    const cases: Array<{ z: number[] }> = [{ z: [1.1, 0.3] }, { z: [-0.5, -1.2] }, { z: [0.2, 0.9] }];
    const Phi = (x: number) => Math.exp(refLogNormalCdf(x)); // Float64, ~1e−16 relative
    const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    // Float64 construction z(v; μ, σ) by bisection with the uniforms v held fixed.
    const density = (t: number, b: number, m: number[], s: number[]) => (phi((t - m[b]) / s[b]) / s[b]) * Phi((t - m[1 - b]) / s[1 - b]);
    const integral = (hi: number, b: number, m: number[], s: number[]) => simpson((t) => density(t, b, m, s), 0, hi, 2000);
    const bisect = (g: (x: number) => number, target: number, lo: number, hi: number) => {
      for (let it = 0; it < 200; it++) {
        const mid = (lo + hi) / 2;
        if (g(mid) < target) lo = mid;
        else hi = mid;
      }
      return (lo + hi) / 2;
    };
    const construct = (zFixed: number[], category: number, m0: number[], s0: number[]) => {
      // The uniforms of zFixed under (mu, sd), then z under (m0, s0).
      if (category === 2) {
        return [0, 1].map((j) => {
          const v = Phi((zFixed[j] - mu[j]) / sd[j]) / Phi(-mu[j] / sd[j]);
          return bisect((x) => Phi((x - m0[j]) / s0[j]) / Phi(-m0[j] / s0[j]), v, -20, 0);
        });
      }
      const o = 1 - category;
      const total = (m: number[], s: number[]) => integral(30, category, m, s);
      const vMax = integral(zFixed[category], category, mu, sd) / total(mu, sd);
      const totalNew = total(m0, s0);
      const mNew = bisect((x) => integral(x, category, m0, s0) / totalNew, vMax, 0, 20);
      const vOther = Phi((zFixed[o] - mu[o]) / sd[o]) / Phi((zFixed[category] - mu[o]) / sd[o]);
      const oNew = bisect((x) => Phi((x - m0[o]) / s0[o]) / Phi((mNew - m0[o]) / s0[o]), vOther, -20, mNew);
      const out = [0, 0];
      out[category] = mNew;
      out[o] = oNew;
      return out;
    };
    for (const { z } of cases) {
      const category = z[0] < 0 && z[1] < 0 ? 2 : z[0] > z[1] ? 0 : 1;
      const locT = tf.tensor3d([[mu]]);
      const scaleT = tf.tensor3d([[sd]]);
      const bT = tf.tensor3d([[[0, 1, 2].map((k) => (k === category ? 1 : 0))]]);
      const zT = tf.tensor3d([[z]]);
      // maxTries = 0 forces z̃ = z, so the gradient is taken at a known point.
      const fn = (l: tf.Tensor, s: tf.Tensor) => gaussianArgmaxConditional(l, s, discreteLogProbabilities(l, s), zT, bT, random64(1), { maxTries: 0 }).sample;
      for (const j of [0, 1]) {
        const [dl, ds] = tf.grads((l: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(fn(l, s), tf.oneHot([j], 2).reshape([1, 1, 2]))))([locT, scaleT]);
        const hstep = 1e-4;
        for (const [which, grad] of [[0, dl], [1, ds]] as const) {
          const fd = [0, 1].map((i) => {
            const shift = (d: number) => {
              const m0 = mu.slice();
              const s0 = sd.slice();
              (which === 0 ? m0 : s0)[i] += d;
              return construct(z, category, m0, s0)[j];
            };
            return (shift(hstep) - shift(-hstep)) / (2 * hstep);
          });
          // float32 autodiff (24-node Gauss–Legendre) vs Float64 central differences of a bisection/Simpson map
          // (2000 panels, h = 1e−4): agree to < 2e−5 measured; 1e−4 allows float32 rounding.
          const g = grad.dataSync();
          fd.forEach((x, i) => assert.ok(Math.abs(g[i] - x) < 1e-4, `category ${category}, dz${j}/d${which ? "σ" : "μ"}${i}: ${g[i]} vs ${x}`));
        }
        tf.dispose([dl, ds]);
      }
      tf.dispose([locT, scaleT, bT, zT]);
    }
  });
});

function simpson(f: (x: number) => number, a: number, b: number, n: number): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += f(a + i * h) * (i % 2 ? 4 : 2);
  return (s * h) / 3;
}
