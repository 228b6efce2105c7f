// Structured output prediction on tiny networks, against Float64 plain-JS computations from the
// definitions (docs/paper.md §7.3): the relaxed training loss for each relaxation (binary Concrete,
// IGR-I with σ = 1, IGR-Planar with both û normalisations), and the test NLL estimator against the
// exact log p(x_lower | x_upper) by enumerating every binary (z₁, z₂).
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { Dataset } from "../../lib/data/dataset";
import { sopConfig, splitHalves, StructuredOutputPredictor, SopConfig } from "../../lib/models/sop";

before(async () => {
  process.env.IGR_QUIET ??= "1";
  await initBackend();
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const logSigmoid = (x: number) => -softplus(-x);
/** Φ by the complementary error function (Abramowitz–Stegun 7.1.26 is too coarse; use a series). */
function normalCdf(x: number): number {
  // erfc via continued fraction for |x| large, series otherwise (Float64, error < 1e-12 here).
  const z = Math.abs(x) / Math.SQRT2;
  let erf: number;
  if (z < 3) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 200; n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
    }
    erf = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = 0;
    for (let n = 60; n >= 1; n--) f = n / 2 / (z + f);
    erf = 1 - Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + f);
  }
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

const tiny = { inputSize: 3, outputSize: 2, hidden: 3, units: 2, initSeed: 5 };

function values(v: tf.Tensor): number[] {
  return Array.from(v.dataSync());
}

/** Float64 dense layer: rows × out. */
function dense(x: number[][], W: number[], b: number[], out: number): number[][] {
  return x.map((row) => Array.from({ length: out }, (_, j) => row.reduce((a, xi, i) => a + xi * W[i * out + j], b[j])));
}

/** The 1-D planar layers of one stochastic layer, unit j: z' = z + û tanh(w z + b). */
function planar1d(model: StructuredOutputPredictor, layer: number, j: number, z: number): number {
  const authors = model.config.authors;
  for (const f of model.flows[layer]) {
    const w = values(f.w);
    const u = values(f.u);
    const b = values(f.b);
    const wu = w[j] * u[j];
    const correction = -1 + softplus(wu) - wu;
    const norm = authors ? Math.sqrt(w.reduce((a, x) => a + x * x, 0)) : w[j] * w[j];
    const uHat = u[j] + (correction * w[j]) / norm;
    z = z + uHat * Math.tanh(w[j] * z + b[j]);
  }
  return z;
}

/** Float64 forward: per row, the logits of the lower half; `discrete` rounds the samples. */
function referenceLogits(model: StructuredOutputPredictor, upper: number[][], noise: number[][], discrete: boolean): number[][] {
  const c = model.config;
  const named = Object.fromEntries(model.namedVariables().map(({ name, variable }) => [name, values(variable)]));
  let h = upper;
  for (let layer = 0; layer < 2; layer++) {
    const p = `layer${layer + 1}`;
    const hidden = dense(h, named[`${p}/tanh/weight`], named[`${p}/tanh/bias`], c.hidden).map((r) => r.map(Math.tanh));
    const theta = dense(hidden, named[`${p}/linear/weight`], named[`${p}/linear/bias`], c.units);
    h = theta.map((row, r) =>
      row.map((t, j) => {
        let lambda = t + noise[r][layer * c.units + j];
        if (c.relaxation === "igr-planar") lambda = planar1d(model, layer, j, lambda);
        const tau = c.authors && c.relaxation !== "gs" ? 1 : c.temperature;
        const psi = discrete ? (lambda > 0 ? 1 : 0) : sigmoid(lambda / tau);
        return 2 * psi - 1;
      }),
    );
  }
  return dense(h, named["output/weight"], named["output/bias"], c.outputSize);
}

function bernoulliLogLik(logits: number[], x: number[]): number {
  return logits.reduce((a, l, i) => a + (x[i] === 1 ? logSigmoid(l) : logSigmoid(-l)), 0);
}

describe("sopConfig", () => {
  test("fills the paper's sizes and refuses bad configurations with the field and the value", () => {
    const c = sopConfig({ relaxation: "gs" });
    assert.deepEqual([c.inputSize, c.outputSize, c.hidden, c.units, c.planarLayers, c.temperature], [392, 392, 240, 240, 2, 1]);
    assert.throws(() => sopConfig({ relaxation: "igr-sb" }), /unknown relaxation "igr-sb".*gs, igr-i, igr-planar/);
    assert.throws(() => sopConfig({ relaxation: "gs", temperature: 0 }), /temperature must be a finite number > 0; got 0/);
    assert.throws(() => sopConfig({ relaxation: "gs", temperature: NaN }), /temperature/);
    assert.throws(() => sopConfig({ relaxation: "igr-i", authors: true, temperature: 0.5 }), /ignores the temperature, so temperature must be 1; got 0.5/);
    assert.doesNotThrow(() => sopConfig({ relaxation: "gs", authors: true, temperature: 0.5 }));
    assert.throws(() => sopConfig({ relaxation: "gs", units: 2.5 }), /units must be a positive integer; got 2.5/);
    assert.throws(() => sopConfig({ relaxation: "gs", temprature: 1 } as unknown as SopConfig), /unknown option "temprature"/);
  });
});

describe("StructuredOutputPredictor", () => {
  const cases: Array<Partial<SopConfig> & { relaxation: SopConfig["relaxation"] }> = [
    { relaxation: "gs", temperature: 0.5 },
    { relaxation: "igr-i", temperature: 0.3 },
    { relaxation: "igr-i", temperature: 1, authors: true },
    { relaxation: "igr-planar", temperature: 0.7 },
    { relaxation: "igr-planar", temperature: 1, authors: true },
  ];
  for (const options of cases) {
    test(`relaxed loss = Float64 reference from the definitions (${JSON.stringify(options)})`, () => {
      const model = new StructuredOutputPredictor({ ...tiny, ...options });
      if (model.flows.length > 0) {
        // Larger flow parameters than the 0.05 initialisation, so the flows matter in the check.
        for (const layer of model.flows) for (const f of layer) for (const v of [f.w, f.u, f.b]) v.assign(tf.mul(v, 20) as tf.Tensor);
      }
      const rows = 4;
      const upperValues = [[1, 0, 1], [0, 0, 1], [1, 1, 1], [0, 1, 0]];
      const lowerValues = [[1, 0], [0, 1], [1, 1], [0, 0]];
      const upper = tf.tensor2d(upperValues);
      const lower = tf.tensor2d(lowerValues);
      const noise = model.noise(rows, 3);
      const noiseValues = noise.arraySync() as number[][];
      const loss = tf.tidy(() => model.loss(upper, lower, noise).dataSync()[0]);
      const logits = referenceLogits(model, upperValues, noiseValues, false);
      const expected = -logits.reduce((a, l, r) => a + bernoulliLogLik(l, lowerValues[r]), 0) / rows;
      // float32 through 5 small layers: relative 1e-5 is ~100 ulps.
      assert.ok(Math.abs(loss - expected) < 1e-5 * Math.max(1, Math.abs(expected)), `loss ${loss} vs reference ${expected}`);
      const discrete = tf.tidy(() => model.logLikelihood(upper, lower, noise, { discrete: true }).arraySync() as number[]);
      const discreteRef = referenceLogits(model, upperValues, noiseValues, true).map((l, r) => bernoulliLogLik(l, lowerValues[r]));
      discrete.forEach((v, r) => assert.ok(Math.abs(v - discreteRef[r]) < 1e-5, `discrete row ${r}: ${v} vs ${discreteRef[r]}`));
      [upper, lower, noise].forEach((t) => t.dispose());
      model.dispose();
    });
  }

  test("the noise is standard logistic for gs and standard normal for IGR (moments of 20,000 draws)", () => {
    const gs = new StructuredOutputPredictor({ ...tiny, relaxation: "gs" });
    const igr = new StructuredOutputPredictor({ ...tiny, relaxation: "igr-i" });
    const moments = (t: tf.Tensor) => {
      const v = values(t);
      const m = v.reduce((a, x) => a + x, 0) / v.length;
      return [m, v.reduce((a, x) => a + (x - m) ** 2, 0) / v.length];
    };
    const [gsNoise, igrNoise] = [gs.noise(5000, 1), igr.noise(5000, 1)];
    const [gm, gv] = moments(gsNoise);
    const [im, iv] = moments(igrNoise);
    // 20,000 draws: the mean's std is ~0.013 (logistic) / 0.007 (normal); the variance's ~0.05 / 0.01.
    assert.ok(Math.abs(gm) < 0.05 && Math.abs(gv - Math.PI ** 2 / 3) < 0.2, `logistic mean ${gm}, variance ${gv} (π²/3 = 3.29)`);
    assert.ok(Math.abs(im) < 0.03 && Math.abs(iv - 1) < 0.04, `normal mean ${im}, variance ${iv}`);
    [gsNoise, igrNoise].forEach((t) => t.dispose());
    gs.dispose();
    igr.dispose();
  });

  for (const relaxation of ["gs", "igr-i"] as const) {
    test(`${relaxation}: testNll matches the exact −log p(x_lower | x_upper) by enumerating every binary (z₁, z₂)`, () => {
      // Paper-sized halves (392 pixels in and out) with 2 units per layer: 16 configurations.
      const model = new StructuredOutputPredictor({ relaxation, temperature: 0.5, hidden: 3, units: 2, initSeed: 2 });
      // Spread θ so the configurations have unequal probabilities; damp the output so p(x|z) varies mildly.
      for (const [l] of model.layers) l.weight.assign(tf.mul(l.weight, 8) as tf.Tensor2D);
      model.output.weight.assign(tf.mul(model.output.weight, 0.3) as tf.Tensor2D);
      const named = Object.fromEntries(model.namedVariables().map(({ name, variable }) => [name, values(variable)]));
      const n = 2;
      const images = new Float32Array(n * 784).map((_, i) => ((i * 7919) % 11 < 4 ? 1 : 0));
      const data = new Dataset("mnist", "test", "static", images, new Int32Array(n), ["0"], 0, "tiny", []);
      const S = 8000;
      const result = model.testNll(data, { samples: S, seed: 8, imagesPerChunk: 1 });
      // Exact: p(z_j = 1 | θ) = P(θ + noise > 0) = sigmoid(θ) (logistic noise) or Φ(θ) (normal noise).
      const pOne = (t: number) => (relaxation === "gs" ? sigmoid(t) : normalCdf(t));
      const theta = (layer: number, input: number[]) => {
        const p = `layer${layer + 1}`;
        const h = dense([input], named[`${p}/tanh/weight`], named[`${p}/tanh/bias`], 3).map((r) => r.map(Math.tanh));
        return dense(h, named[`${p}/linear/weight`], named[`${p}/linear/bias`], 2)[0];
      };
      const configs = [[0, 0], [0, 1], [1, 0], [1, 1]];
      const prob = (t: number[], z: number[]) => z.reduce((acc, zj, j) => acc * (zj === 1 ? pOne(t[j]) : 1 - pOne(t[j])), 1);
      for (let i = 0; i < n; i++) {
        const upperPixels = Array.from(images.subarray(i * 784, i * 784 + 392));
        const lowerPixels = Array.from(images.subarray(i * 784 + 392, i * 784 + 784));
        const terms: Array<{ q: number; logLik: number }> = [];
        const t1 = theta(0, upperPixels);
        for (const z1 of configs) {
          const t2 = theta(1, z1.map((v) => 2 * v - 1));
          for (const z2 of configs) {
            const logits = dense([z2.map((v) => 2 * v - 1)], named["output/weight"], named["output/bias"], 392)[0];
            terms.push({ q: prob(t1, z1) * prob(t2, z2), logLik: bernoulliLogLik(logits, lowerPixels) });
          }
        }
        const top = Math.max(...terms.map((t) => t.logLik));
        const marginal = terms.reduce((acc, t) => acc + t.q * Math.exp(t.logLik - top), 0);
        const exact = -(top + Math.log(marginal));
        // Delta method: the estimate's std is the relative std of the mean of p(x|z_s), from the exact law.
        const ratioSecondMoment = terms.reduce((acc, t) => acc + t.q * (Math.exp(t.logLik - top) / marginal) ** 2, 0);
        const sd = Math.sqrt((ratioSecondMoment - 1) / S);
        // 4σ of Monte Carlo error plus float32 rounding of a 392-pixel log-likelihood (~1e-3).
        const tolerance = 4 * sd + 2e-3;
        assert.ok(sd > 1e-4, `the configurations must differ for the check to bite (sd ${sd})`);
        assert.ok(Math.abs(result.perImage[i] - exact) < tolerance, `image ${i}: estimate ${result.perImage[i]} vs exact ${exact} (tolerance ${tolerance})`);
      }
      model.dispose();
    });
  }

  test("testNll on 784-pixel images: per-image values, shapes, and agreement with a direct log-mean-exp", () => {
    const model = new StructuredOutputPredictor({ relaxation: "igr-planar", hidden: 8, units: 4, temperature: 0.5 });
    const n = 3;
    const images = new Float32Array(n * 784).map((_, i) => ((i * 7919) % 13 < 5 ? 1 : 0));
    const data = new Dataset("mnist", "test", "static", images, new Int32Array(n), ["0"], 0, "tiny", []);
    const result = model.testNll(data, { samples: 50, seed: 4, imagesPerChunk: 2 });
    assert.equal(result.perImage.length, n);
    assert.equal(result.images, n);
    assert.ok(result.perImage.every((v) => Number.isFinite(v) && v > 0), `per-image NLL ${result.perImage}`);
    assert.ok(Math.abs(result.nll - result.perImage.reduce((a, v) => a + v, 0) / n) < 1e-9, "nll is the mean of perImage");
    // The estimate is −log of a mean of probabilities: it lies between −max and −min of the per-draw log-likelihoods.
    const x = tf.tensor2d(images.subarray(0, 784), [1, 784]);
    const { upper, lower } = splitHalves(x);
    assert.deepEqual(values(upper), Array.from(images.subarray(0, 392)));
    assert.deepEqual(values(lower), Array.from(images.subarray(392, 784)));
    const predicted = model.predictLower(upper, { samples: 10 });
    assert.deepEqual(predicted.shape, [1, 392]);
    assert.ok(values(predicted).every((p) => p >= 0 && p <= 1));
    [x, upper, lower, predicted].forEach((t) => t.dispose());
    assert.throws(() => model.testNll(data, { samples: 0 }), /samples must be a positive integer; got 0/);
    model.dispose();
  });

  for (const relaxation of ["gs", "igr-i", "igr-planar"] as const) {
    test(`${relaxation}: gradients of the loss are finite and reach every variable (paper sizes)`, () => {
      const model = new StructuredOutputPredictor({ relaxation, temperature: 0.5 });
      const x = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([8, 784], 0, 1, "float32", 3), 0.6), "float32") as tf.Tensor2D);
      const before = tf.memory().numTensors;
      const { upper, lower } = splitHalves(x);
      const noise = model.noise(8, 1);
      const { value, grads } = tf.variableGrads(() => model.loss(upper, lower, noise), model.variables);
      assert.ok(Number.isFinite(value.dataSync()[0]));
      for (const { name, variable } of model.namedVariables()) {
        const g = values(grads[variable.name]);
        assert.ok(g.every(Number.isFinite), `${name}: finite gradient`);
        assert.ok(g.some((v) => v !== 0), `${name}: some gradient reaches it`);
      }
      [value, upper, lower, noise, ...Object.values(grads)].forEach((t) => t.dispose());
      assert.equal(tf.memory().numTensors, before, "no tensors leak from a step");
      x.dispose();
      model.dispose();
    });
  }

  test("forward refuses inputs of the wrong shape, naming the expected one", () => {
    const model = new StructuredOutputPredictor({ ...tiny, relaxation: "gs" });
    const upper = tf.zeros([2, 4]) as tf.Tensor2D;
    const noise = model.noise(2, 0);
    assert.throws(() => model.forward(upper, noise), /upper must be \[rows, 3\]; got \[2,4\]/);
    const upper3 = tf.zeros([2, 3]) as tf.Tensor2D;
    const badNoise = tf.zeros([2, 3]) as tf.Tensor2D;
    assert.throws(() => model.forward(upper3, badNoise), /noise must be \[2, 4\]/);
    [upper, noise, upper3, badNoise].forEach((t) => t.dispose());
    model.dispose();
  });
});
