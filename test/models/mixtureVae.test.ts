// The stick-breaking mixture VAE on tiny networks (docs/paper.md §7.4) against Float64 plain-JS
// computations from the definitions: Kumaraswamy inverse-CDF sampling and density (against the CDF
// and by quadrature), the logit-normal density (quadrature), the stick-breaking weights, and the
// whole ELBO estimate per row for both stick families, with and without truncation and with the
// authors' entropy term.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { Dataset } from "../../lib/data/dataset";
import { kumaraswamySticks, logitNormalSticks, logStickWeights } from "../../lib/models/mixtureSticks";
import { MixtureVAE, mixtureVaeConfig, MixtureVaeConfig } from "../../lib/models/mixtureVae";

before(async () => {
  process.env.IGR_QUIET ??= "1";
  await initBackend();
});

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const logSigmoid = (x: number) => -softplus(-x);
const logNormal = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
const clip = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Midpoint rule on (0, 1) with n cells. */
function integrate01(f: (v: number) => number, n = 20000): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += f((i + 0.5) / n);
  return s / n;
}

describe("stick distributions", () => {
  test("Kumaraswamy: the sample solves F(v) = u with F(v) = 1 − (1 − v^a)^b, and the density integrates to 1", () => {
    const a = [0.7, 2, 1.3];
    const b = [1.5, 0.8, 4];
    const u = [0.2, 0.55, 0.9];
    const { logV, log1mV, logQ } = tf.tidy(() => ({ ...kumaraswamySticks(tf.tensor1d(a), tf.tensor1d(b), tf.tensor1d(u)) }));
    const v = values(logV).map(Math.exp);
    v.forEach((vi, i) => {
      const cdf = 1 - (1 - vi ** a[i]) ** b[i];
      // float32 v: the CDF is off by at most ~1e-6 relative.
      assert.ok(Math.abs(cdf - u[i]) < 1e-5, `F(v) = ${cdf} vs u = ${u[i]}`);
      assert.ok(Math.abs(Math.exp(values(log1mV)[i]) - (1 - vi)) < 1e-6);
      // The density is the derivative of F (central difference in Float64).
      const h = 1e-6;
      const F = (x: number) => 1 - (1 - x ** a[i]) ** b[i];
      const numeric = (F(vi + h) - F(vi - h)) / (2 * h);
      assert.ok(Math.abs(Math.exp(values(logQ)[i]) - numeric) < 1e-4 * numeric, `density ${Math.exp(values(logQ)[i])} vs F' ${numeric}`);
    });
    // Normalisation of the tf density on a grid (a, b ≥ 1 keeps it bounded so the midpoint rule converges).
    const grid = Array.from({ length: 4000 }, (_, i) => (i + 0.5) / 4000);
    const density = tf.tidy(() => {
      const { logQ: lq } = kumaraswamySticks(tf.fill([grid.length], 2), tf.fill([grid.length], 3), tf.tensor1d(grid.map((g) => 1 - (1 - g ** 2) ** 3)));
      return values(lq).map(Math.exp);
    });
    const mass = density.reduce((s, d) => s + d, 0) / grid.length;
    // The sample v at u = F(g) is g again, so this is ∫ q over (0, 1) by the midpoint rule (error ~1e-6) plus float32 v.
    assert.ok(Math.abs(mass - 1) < 1e-3, `∫ q = ${mass}`);
    [logV, log1mV, logQ].forEach((t) => t.dispose());
  });

  test("logit-normal: v = sigmoid(μ + σε) and log q(v) integrates to 1 (quadrature on (0, 1))", () => {
    const loc = 0.4;
    const scale = 0.8;
    const grid = Array.from({ length: 4000 }, (_, i) => (i + 0.5) / 4000);
    const kappa = grid.map((g) => Math.log(g / (1 - g)));
    const eps = kappa.map((k) => (k - loc) / scale);
    const { logV, logQ } = tf.tidy(() => ({ ...logitNormalSticks(tf.fill([grid.length], loc), tf.fill([grid.length], scale), tf.tensor1d(eps)) }));
    const v = values(logV).map(Math.exp);
    const q = values(logQ);
    // Grid points inside the clip range come back unchanged (float32).
    assert.ok(Math.abs(v[1234] - grid[1234]) < 1e-6);
    const expected = logNormal(kappa[1234], loc, scale) - Math.log(grid[1234]) - Math.log(1 - grid[1234]);
    assert.ok(Math.abs(q[1234] - expected) < 1e-4, `log q ${q[1234]} vs ${expected}`);
    const mass = q.reduce((s, lq) => s + Math.exp(lq), 0) / grid.length;
    // Midpoint rule on a density that vanishes at both ends: error ≪ 1e-3.
    assert.ok(Math.abs(mass - 1) < 1e-3, `∫ q = ${mass}`);
    logV.dispose();
    logQ.dispose();
  });

  test("stick-breaking weights with the remainder: π_k = v_k Π_{j<k}(1 − v_j), π sums to 1", () => {
    const v = [0.3, 0.5, 0.2, 0.9];
    for (const kept of [0, 2, 4]) {
      const logPi = tf.tidy(() => logStickWeights(tf.log(tf.tensor2d([v])), tf.log(tf.sub(1, tf.tensor2d([v]))), kept));
      const pi = values(logPi).map(Math.exp);
      const expected: number[] = [];
      let rest = 1;
      for (let k = 0; k < kept; k++) {
        expected.push(v[k] * rest);
        rest *= 1 - v[k];
      }
      expected.push(rest);
      assert.equal(pi.length, kept + 1);
      pi.forEach((p, k) => assert.ok(Math.abs(p - expected[k]) < 1e-6, `kept ${kept}, π_${k} ${p} vs ${expected[k]}`));
      assert.ok(Math.abs(pi.reduce((s, p) => s + p, 0) - 1) < 1e-6);
      logPi.dispose();
    }
    assert.throws(() => logStickWeights(tf.zeros([1, 4]), tf.zeros([1, 4]), 5), /sticks must be an integer in \[0, 4\]; got 5/);
  });
});

describe("mixtureVaeConfig", () => {
  test("fills the paper's sizes and refuses bad configurations with the field and the value", () => {
    const k = mixtureVaeConfig({ sticks: "kumaraswamy" });
    assert.deepEqual([k.maxComponents, k.latentSize, k.encoderHidden, k.decoderHidden, k.truncate, k.threshold], [20, 50, [200, 200, 200], [200, 200], false, 0.9999]);
    assert.equal(mixtureVaeConfig({ sticks: "igr-sb" }).truncate, true);
    assert.throws(() => mixtureVaeConfig({ sticks: "beta" }), /unknown sticks "beta"; valid families are kumaraswamy, igr-sb/);
    assert.throws(() => mixtureVaeConfig({ sticks: "igr-sb", maxComponents: 1 }), /maxComponents must be an integer >= 2; got 1/);
    assert.throws(() => mixtureVaeConfig({ sticks: "igr-sb", threshold: 1 }), /threshold must be in \(0, 1\); got 1/);
    assert.throws(() => mixtureVaeConfig({ sticks: "igr-sb", quantile: 101 }), /quantile must be in \[0, 100\]; got 101/);
    assert.throws(() => mixtureVaeConfig({ sticks: "igr-sb", encoderHidden: [200, 0] }), /encoderHidden\[1\] must be an integer >= 1; got 0/);
    assert.throws(() => mixtureVaeConfig({ sticks: "igr-sb", components: 5 } as unknown as MixtureVaeConfig), /unknown option "components"/);
  });
});

const tiny = { maxComponents: 4, latentSize: 2, inputSize: 5, encoderHidden: [3], decoderHidden: [3], initSeed: 3 };

/** Float64 ELBO per row from the definitions (see the model's file header). */
function referenceElbo(model: MixtureVAE, x: number[][], noise: number[][]): { elbo: number[]; components: number } {
  const c = model.config;
  const T = c.maxComponents;
  const D = c.latentSize;
  const named = Object.fromEntries(model.namedVariables().map(({ name, variable }) => [name, values(variable)]));
  const denseStack = (prefix: string, input: number[], layers: number, widths: number[]) => {
    let h = input;
    for (let l = 0; l < layers; l++) {
      const W = named[`${prefix}/${l}/weight`];
      const b = named[`${prefix}/${l}/bias`];
      const out = widths[l + 1];
      const next = Array.from({ length: out }, (_, j) => h.reduce((acc, hi, i) => acc + hi * W[i * out + j], b[j]));
      h = l < layers - 1 ? next.map((v) => Math.max(0, v)) : next;
    }
    return h;
  };
  const encWidths = [c.inputSize, ...c.encoderHidden, 2 * (T - 1) + 2 * T * D];
  const decWidths = [D, ...c.decoderHidden, c.inputSize];
  const priorMeans = values(model.priorMeans);
  // Sticks for every row first (truncation looks at the whole batch).
  const rows = x.map((xr, r) => {
    const e = denseStack("encoder", xr, encWidths.length - 1, encWidths);
    const v: number[] = [];
    const logQ: number[] = [];
    for (let k = 0; k < T - 1; k++) {
      if (c.sticks === "kumaraswamy") {
        const a = Math.exp(e[k]);
        const b = Math.exp(e[T - 1 + k]);
        const vk = clip((1 - (1 - noise[r][k]) ** (1 / b)) ** (1 / a), 1e-4, 0.9999);
        v.push(vk);
        logQ.push(Math.log(a) + Math.log(b) + (a - 1) * Math.log(vk) + (b - 1) * Math.log(1 - vk ** a));
      } else {
        const sigma = Math.exp(e[T - 1 + k]);
        const kappa = clip(e[k] + sigma * noise[r][k], Math.log(1e-4 / (1 - 1e-4)), Math.log(0.9999 / 0.0001));
        v.push(1 / (1 + Math.exp(-kappa)));
        logQ.push(logNormal(kappa, e[k], sigma) - logSigmoid(kappa) - logSigmoid(-kappa));
      }
    }
    return { e, v, logQ };
  });
  let kept = T - 1;
  if (c.truncate) {
    const counts = rows.map(({ v }) => {
      let cum = 0;
      let rest = 1;
      let count = 0;
      for (const vk of v) {
        cum += vk * rest;
        rest *= 1 - vk;
        if (cum <= c.threshold) count++;
      }
      return count;
    });
    counts.sort((p, q) => p - q);
    // "nearest" rank of the percentile (no exact .5 ties for the sizes used here).
    kept = Math.min(T - 1, Math.max(1, counts[Math.round((c.quantile / 100) * (counts.length - 1))]));
  }
  const C = kept + 1;
  const elbo = rows.map(({ e, v, logQ }, r) => {
    const pi: number[] = [];
    let rest = 1;
    for (let k = 0; k < kept; k++) {
      pi.push(v[k] * rest);
      rest *= 1 - v[k];
    }
    pi.push(rest);
    let joint = 0;
    let entropy = 0;
    const mixtureTerms: number[] = [];
    for (let k = 0; k < C; k++) {
      const z: number[] = [];
      let logQz = 0;
      let logPz = 0;
      for (let d = 0; d < D; d++) {
        const m = e[2 * (T - 1) + k * D + d];
        const s = Math.exp(0.5 * e[2 * (T - 1) + T * D + k * D + d]);
        const zd = m + s * noise[r][T - 1 + k * D + d];
        z.push(zd);
        logQz += logNormal(zd, m, s);
        logPz += logNormal(zd, priorMeans[k * D + d], 1);
      }
      const logits = denseStack("decoder", z, decWidths.length - 1, decWidths);
      const logPx = logits.reduce((acc, l, i) => acc + (x[r][i] === 1 ? logSigmoid(l) : logSigmoid(-l)), 0);
      joint += pi[k] * (logPx + logPz);
      entropy += pi[k] * logQz;
      mixtureTerms.push(Math.log(pi[k]) + logQz);
    }
    if (c.authorsEntropy) {
      const top = Math.max(...mixtureTerms);
      entropy = top + Math.log(mixtureTerms.reduce((acc, t) => acc + Math.exp(t - top), 0));
    }
    const logQSticks = logQ.slice(0, kept).reduce((acc, q) => acc + q, 0);
    return joint - entropy - logQSticks;
  });
  return { elbo, components: C };
}

describe("MixtureVAE", () => {
  const cases: Array<Partial<MixtureVaeConfig> & { sticks: MixtureVaeConfig["sticks"] }> = [
    { sticks: "kumaraswamy" },
    { sticks: "kumaraswamy", truncate: true, threshold: 0.6, quantile: 50 },
    { sticks: "igr-sb", threshold: 0.7, quantile: 70 },
    { sticks: "igr-sb", truncate: false, authorsEntropy: true },
    { sticks: "igr-sb", samples: 2, stickTheLanding: false },
  ];
  for (const options of cases) {
    test(`ELBO per row = Float64 reference from the definitions (${JSON.stringify(options)})`, () => {
      const model = new MixtureVAE({ ...tiny, ...options });
      const xValues = [[1, 0, 1, 1, 0], [0, 0, 1, 0, 1], [1, 1, 1, 0, 0], [0, 1, 0, 1, 0], [1, 0, 0, 0, 1]];
      const x = tf.tensor2d(xValues);
      const S = model.config.samples;
      const noise = model.noise(S * xValues.length, 7);
      const noiseValues = noise.arraySync() as number[][];
      const out = tf.tidy(() => {
        const o = model.objective(x, noise);
        return { elbo: values(o.elbo), loss: o.loss.dataSync()[0], weights: o.weights.arraySync() as number[][], components: o.components };
      });
      const xs = Array.from({ length: S }, () => xValues).flat();
      const ref = referenceElbo(model, xs, noiseValues);
      assert.equal(out.components, ref.components, "number of kept components");
      out.elbo.forEach((v, r) => assert.ok(Math.abs(v - ref.elbo[r]) < 1e-4 * Math.max(1, Math.abs(ref.elbo[r])), `row ${r}: ${v} vs reference ${ref.elbo[r]}`));
      // float32 sums of ~10 terms of size ~10: relative 1e-4.
      const meanRef = ref.elbo.reduce((a, b) => a + b, 0) / ref.elbo.length;
      assert.ok(Math.abs(out.loss + meanRef) < 1e-4 * Math.max(1, Math.abs(meanRef)), "loss = −mean ELBO");
      out.weights.forEach((w) => assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-5, "weights sum to 1"));
      [x, noise].forEach((t) => t.dispose());
      model.dispose();
    });
  }

  test("sticking-the-landing changes the gradients, not the value", () => {
    const x = tf.tensor2d([[1, 0, 1, 1, 0], [0, 0, 1, 0, 1]]);
    const results = [true, false].map((stickTheLanding) => {
      const model = new MixtureVAE({ ...tiny, sticks: "igr-sb", truncate: false, stickTheLanding });
      const noise = model.noise(2, 3);
      const { value, grads } = tf.variableGrads(() => model.loss(x, noise), model.variables);
      const out = { value: value.dataSync()[0], grad: values(grads[model.encoder.layers[1].weight.name]) };
      [value, noise, ...Object.values(grads)].forEach((t) => t.dispose());
      model.dispose();
      return out;
    });
    assert.ok(Math.abs(results[0].value - results[1].value) < 1e-5, `${results[0].value} vs ${results[1].value}`);
    assert.ok(results[0].grad.some((g, i) => Math.abs(g - results[1].grad[i]) > 1e-4), "the encoder gradients differ");
    x.dispose();
  });

  for (const sticks of ["kumaraswamy", "igr-sb"] as const) {
    test(`${sticks}: gradients are finite and reach every variable (paper sizes, 4 images)`, () => {
      const model = new MixtureVAE({ sticks });
      const x = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([4, 784], 0, 1, "float32", 5), 0.7), "float32")) as tf.Tensor2D;
      const noise = model.noise(4, 2);
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => model.loss(x, noise), model.variables);
      assert.ok(Number.isFinite(value.dataSync()[0]));
      for (const { name, variable } of model.namedVariables()) {
        const g = values(grads[variable.name]);
        assert.ok(g.every(Number.isFinite), `${name}: finite gradient`);
        assert.ok(g.some((v) => v !== 0), `${name}: some gradient reaches it`);
      }
      [value, ...Object.values(grads)].forEach((t) => t.dispose());
      assert.equal(tf.memory().numTensors, before, "no tensors leak from a step");
      [x, noise].forEach((t) => t.dispose());
      model.dispose();
    });
  }

  test("evaluate: mean ELBO, usage that sums to 1, components used, samples per component", () => {
    const model = new MixtureVAE({ ...tiny, inputSize: 784, sticks: "igr-sb", threshold: 0.9 });
    const n = 7;
    const images = new Float32Array(n * 784).map((_, i) => ((i * 31) % 7 < 3 ? 1 : 0));
    const data = new Dataset("mnist", "test", "static", images, new Int32Array(n), ["0"], 0, "tiny", []);
    const r = model.evaluate(data, { batchSize: 3, seed: 1 });
    assert.equal(r.images, n);
    assert.ok(Number.isFinite(r.elbo) && r.elbo < 0);
    assert.equal(r.usage.length, 4);
    assert.ok(Math.abs(r.usage.reduce((a, b) => a + b, 0) - 1) < 1e-6, `usage sums to ${r.usage.reduce((a, b) => a + b, 0)}`);
    assert.ok(Math.abs(r.argmaxShare.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.equal(r.componentsUsed, r.usage.filter((u) => u > 0.01).length);
    assert.ok(r.meanComponents >= 2 && r.meanComponents <= 4);
    const samples = model.sampleComponent(2, 3);
    assert.deepEqual(samples.shape, [3, 784]);
    samples.dispose();
    assert.throws(() => model.sampleComponent(4, 1), /k must be an integer in \[0, 3\]; got 4/);
    model.dispose();
  });
});
