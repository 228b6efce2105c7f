// SOP training configuration (defaults from appendix §5, clear refusals) and one tiny end-to-end run.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../lib/core/backend";
import { Dataset } from "../../lib/data/dataset";
import { sopModelConfig, sopTrainConfig, trainSop } from "../../lib/train/sopTrainer";

before(async () => {
  process.env.IGR_QUIET ??= "1";
  await initBackend();
});

describe("sopTrainConfig", () => {
  test("the paper's hyper-parameters by default; bad fields refused by name", () => {
    const c = sopTrainConfig({ relaxation: "igr-planar", runsDir: "/tmp/x" });
    assert.deepEqual([c.batchSize, c.learningRate, c.learningRateDecay, c.minLearningRate, c.epochs, c.finalEvalSamples, c.evalSamples], [100, 1e-3, 1e-3, 1e-4, 100, 1000, 100]);
    assert.equal(c.runId, "sop_igr-planar_tau1_seed1_ep100");
    assert.equal(sopModelConfig(c).units, 240);
    assert.equal(sopModelConfig(c).initSeed, 1);
    assert.throws(() => sopTrainConfig({ relaxation: "igr-i", runsDir: "/tmp/x", epochs: 0 }), /epochs must be an integer >= 1; got 0/);
    assert.throws(() => sopTrainConfig({ relaxation: "igr-i", runsDir: "/tmp/x", learningRate: -1 }), /learningRate must be a finite number > 0; got -1/);
    assert.throws(() => sopTrainConfig({ relaxation: "igr-i", runsDir: "/tmp/x", authors: true, temperature: 0.1 }), /temperature must be 1/);
    assert.throws(() => sopTrainConfig({ relaxation: "rebar", runsDir: "/tmp/x" }), /unknown relaxation "rebar"/);
  });
});

test("trainSop: a tiny run on synthetic digits writes its record with the stated budget", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-sop-"));
  const n = 10;
  const images = new Float32Array(n * 784).map((_, i) => ((i * 13) % 5 < 2 ? 1 : 0));
  const train = new Dataset("mnist", "train", "static", images, new Int32Array(n), ["0"], 0, "tiny", []);
  const c = sopTrainConfig({ relaxation: "igr-i", temperature: 0.5, hidden: 6, units: 4, epochs: 2, batchSize: 5, evalSamples: 3, finalEvalSamples: 7, runsDir: dir, runId: "tiny" });
  const result = await trainSop(c, { data: { train, test: train }, progress: "none" });
  assert.equal(result.status, "completed");
  assert.equal(result.metrics.length, 2);
  // Step 2 ends epoch 1: lr = 1e-3/(1 + 1e-3·1) was the rate of the last step (t = 1).
  assert.ok(Math.abs(result.metrics[0].learning_rate - 1e-3 / 1.001) < 1e-15);
  assert.ok(result.metrics.every((m) => Number.isFinite(m.test_nll) && m.test_nll > 0));
  const final = result.summary.final as { test_nll: number; samples: number; images: number };
  assert.deepEqual([final.samples, final.images], [7, 10]);
  assert.match(result.summary.budget, /^2 epoch\(s\) on 10 MNIST training images \(batch 5, 4 steps/);
  fs.rmSync(dir, { recursive: true, force: true });
});
