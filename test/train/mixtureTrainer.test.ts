// Mixture VAE training configuration (defaults from appendix §5, clear refusals) and one tiny run.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../lib/core/backend";
import { Dataset } from "../../lib/data/dataset";
import { mixtureModelConfig, mixtureTrainConfig, trainMixture } from "../../lib/train/mixtureTrainer";

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

test("trainMixture: a tiny run on synthetic digits writes usage and component counts", async () => {
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
  fs.rmSync(dir, { recursive: true, force: true });
});
