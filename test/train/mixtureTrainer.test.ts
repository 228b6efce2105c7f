// Mixture VAE training configuration (defaults from appendix §5, clear refusals) and one tiny run.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { Dataset } from "../../lib/data/dataset";
import { mixtureModelConfig, mixtureTrainConfig, trainMixture } from "../../lib/train/mixtureTrainer";
import { MIXTURE_SAMPLES_FILE, mixtureSamples, readMixtureSamples } from "../../lib/train/mixtureSamples";

before(async () => {
  process.env.IGR_QUIET ??= "1";
  await initBackend();
});

describe("mixtureTrainConfig", () => {
  test("the paper's hyper-parameters by default; bad fields refused by name", () => {
    const c = mixtureTrainConfig({ sticks: "igr-sb", runsDir: "/tmp/x" });
    assert.deepEqual([c.batchSize, c.learningRate, c.epochs, c.maxComponents, c.latentSize, c.samples], [100, 3e-4, 300, 20, 50, 1]);
    assert.equal(c.runId, "mixture_igr-sb_trunc_seed1_ep300");
    assert.equal(mixtureModelConfig(c).truncate, true);
    assert.throws(() => mixtureTrainConfig({ sticks: "igr-sb", runsDir: "/tmp/x", batchSize: 0 }), /batchSize must be an integer >= 1; got 0/);
    assert.throws(() => mixtureTrainConfig({ sticks: "gamma", runsDir: "/tmp/x" }), /unknown sticks "gamma"/);
    assert.throws(() => mixtureTrainConfig({ sticks: "kumaraswamy", runsDir: "" }), /runsDir must be a folder path/);
  });
});

test("trainMixture: a tiny run on synthetic digits writes usage, component counts and samples.json", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-mixture-"));
  const n = 8;
  const images = new Float32Array(n * 784).map((_, i) => ((i * 7) % 9 < 3 ? 1 : 0));
  const train = new Dataset("mnist", "train", "static", images, new Int32Array(n), ["0"], 0, "tiny", []);
  const c = mixtureTrainConfig({ sticks: "kumaraswamy", maxComponents: 5, latentSize: 3, encoderHidden: [8], decoderHidden: [8], epochs: 1, batchSize: 4, runsDir: dir, runId: "tiny" });
  const result = await trainMixture(c, { data: { train, test: train }, progress: "none" });
  assert.equal(result.status, "completed");
  const final = result.summary.final as { test_elbo: number; usage: number[]; components_used: number; mean_components: number };
  assert.ok(Number.isFinite(final.test_elbo));
  assert.equal(final.usage.length, 5);
  assert.equal(final.mean_components, 5, "no truncation: all 5 components");
  assert.equal(final.components_used, final.usage.filter((u) => u > 0.01).length);

  // samples.json: one entry per used component (E[π_k] > 1 %), in the documented shape.
  const runDir = path.join(dir, "tiny");
  assert.deepEqual(fs.readdirSync(runDir).sort(), ["checkpoint.igrckpt", "config.json", "metrics.csv", MIXTURE_SAMPLES_FILE, "summary.json"], "no temp file left");
  const text = fs.readFileSync(path.join(runDir, MIXTURE_SAMPLES_FILE), "utf8");
  assert.equal(text.split("\n").length, 2, "one line and a newline");
  const s = readMixtureSamples(runDir);
  assert.equal(s.runId, "tiny");
  assert.deepEqual([s.imageSide, s.perComponent, s.usageThreshold, s.probeImages], [28, 5, 0.01, n]);
  const used = final.usage.flatMap((u, k) => (u > 0.01 ? [k] : []));
  assert.ok(used.length >= 1);
  assert.deepEqual(s.components.map((c) => c.component), used, "the components counted in components_used");
  assert.deepEqual(s.components.map((c) => c.weight), used.map((k) => final.usage[k]));
  const rows = Array.from({ length: n }, (_, i) => Array.from(images.subarray(i * 784, (i + 1) * 784)).join());
  let assignedTotal = 0;
  for (const comp of s.components) {
    assert.equal(comp.draws.length, 5);
    for (const d of comp.draws) {
      assert.equal(d.length, 784);
      assert.ok(d.every((v) => v >= 0 && v <= 1 && Math.abs(v * 1000 - Math.round(v * 1000)) < 1e-6), "Bernoulli means rounded to 3 decimals");
    }
    assert.ok(comp.assigned.length <= 5);
    for (const a of comp.assigned) assert.ok(rows.includes(a.join()), "an assigned image is a test image");
    assignedTotal += comp.assigned.length;
  }
  // The used components hold almost all the weight, so some probe image has its largest weight on one.
  assert.ok(assignedTotal >= 1, "some test image is assigned to a used component");
  const again = await trainMixture(mixtureTrainConfig({ ...c, runId: "tiny-again" }), { data: { train, test: train }, progress: "none", checkpoint: false, keepModel: true });
  assert.deepEqual(readMixtureSamples(path.join(dir, "tiny-again")).components, s.components, "deterministic: the same run writes the same samples");
  // No tensor leak: building the artifact again leaves the tensor count where it was.
  const tensors = tf.memory().numTensors;
  mixtureSamples(again.model!, train, final.usage, { runId: "x", seed: 1 });
  assert.equal(tf.memory().numTensors, tensors);
  again.model!.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("every committed mixture run has a samples.json of its used components, with the run's weights", () => {
  const runs = path.join(__dirname, "..", "..", "data", "runs");
  const dirs = fs.readdirSync(runs).filter((d) => d.startsWith("mixture-")).map((d) => path.join(runs, d));
  assert.ok(dirs.length >= 2, `the committed mixture runs under ${runs}`);
  for (const dir of dirs) {
    const summary = JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8")) as { runId: string; final: { usage: number[]; components_used: number } };
    const s = readMixtureSamples(dir);
    assert.equal(s.runId, summary.runId);
    const used = summary.final.usage.flatMap((u, k) => (u > s.usageThreshold ? [k] : []));
    assert.equal(used.length, summary.final.components_used, dir);
    assert.deepEqual(s.components.map((c) => [c.component, c.weight]), used.map((k) => [k, summary.final.usage[k]]), `${dir}: the components and weights of summary.json`);
    assert.ok(fs.statSync(path.join(dir, "samples.json")).size < 500_000, `${dir}: samples.json stays small`);
  }
});
