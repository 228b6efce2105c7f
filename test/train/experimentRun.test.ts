// The appendix-§5 training loop: the inverse-time learning-rate schedule against hand values, the
// scheduled Adam against a Float64 Adam step, and the run folder a tiny run writes.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { Dataset } from "../../lib/data/dataset";
import { inverseTimeDecay, readExperimentRun, runExperiment, ScheduledAdam } from "../../lib/train/experimentRun";

before(async () => {
  process.env.IGR_QUIET ??= "1";
  await initBackend();
});

describe("inverseTimeDecay", () => {
  test("the authors' SOP schedule max(1e-4, 1e-3/(1 + 1e-3·t)) at hand-computed steps", () => {
    const lr = inverseTimeDecay(1e-3, 1e-3, 1e-4);
    assert.equal(lr(0), 1e-3);
    // 1e-3/(1 + 1) = 5e-4; 1e-3/(1 + 9) = 1e-4 (the floor is reached at t = 9000); beyond it the floor holds.
    assert.ok(Math.abs(lr(1000) - 5e-4) < 1e-18);
    assert.ok(Math.abs(lr(9000) - 1e-4) < 1e-18);
    assert.equal(lr(50000), 1e-4);
    assert.throws(() => inverseTimeDecay(0, 1e-3, 1e-4), /initial must be > 0; got 0/);
    assert.throws(() => inverseTimeDecay(1e-3, -1, 1e-4), /decay must be a finite number >= 0; got -1/);
  });
});

describe("ScheduledAdam", () => {
  test("a step at a changed learning rate equals a Float64 Adam step at that rate", () => {
    const w = tf.variable(tf.tensor1d([0.5, -1]));
    const adam = new ScheduledAdam([w], { learningRate: 1e-2 });
    adam.apply([tf.tensor1d([0.2, -0.4])]);
    adam.setLearningRate(1e-3);
    adam.apply([tf.tensor1d([0.1, 0.3])]);
    // Float64 Adam by hand: m, v with β = (0.9, 0.999), bias corrections from the step count, ε = 1e-7.
    const grads = [[0.2, -0.4], [0.1, 0.3]];
    const rates = [1e-2, 1e-3];
    const x = [0.5, -1];
    const m = [0, 0];
    const v = [0, 0];
    grads.forEach((g, t) => {
      for (let i = 0; i < 2; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] ** 2;
        x[i] -= (rates[t] * (m[i] / (1 - 0.9 ** (t + 1)))) / (Math.sqrt(v[i] / (1 - 0.999 ** (t + 1))) + 1e-7);
      }
    });
    const got = Array.from(w.dataSync());
    // float32 weights near 1: 1e-6 is a few ulps.
    got.forEach((g, i) => assert.ok(Math.abs(g - x[i]) < 1e-6, `w[${i}] ${g} vs ${x[i]}`));
    assert.throws(() => adam.setLearningRate(0), /learningRate must be a finite number > 0; got 0/);
    adam.dispose();
    w.dispose();
  });
});

describe("runExperiment", () => {
  test("a tiny run writes config.json, metrics.csv and summary.json, and refuses an existing folder", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-experiment-"));
    const n = 6;
    const images = new Float32Array(n * 784).map((_, i) => (i % 3 === 0 ? 1 : 0));
    const data = new Dataset("mnist", "train", "static", images, new Int32Array(n), ["0"], 0, "tiny", []);
    const w = tf.variable(tf.scalar(3));
    const model = { namedVariables: () => [{ name: "w", variable: w as tf.Variable }], dispose: () => w.dispose() };
    const config = { runId: "toy", runsDir: dir, seed: 1, epochs: 2, batchSize: 4 };
    const learningRates: number[] = [];
    const result = await runExperiment({
      experiment: "mixture",
      config,
      model,
      train: data,
      learningRate: (step) => {
        learningRates.push(step);
        return 0.1 / (1 + step);
      },
      loss: (_m, x) => tf.add(tf.square(w), tf.mul(0, tf.sum(x))) as tf.Scalar,
      evaluate: () => ({ w: w.dataSync()[0] }),
      finalEvaluate: () => ({ done: true }),
      budget: "2 epochs on 6 images",
      progress: "none",
    });
    assert.equal(result.status, "completed");
    // 6 images in batches of 4: 2 steps per epoch, 4 in all, the schedule asked at steps 0..3.
    assert.deepEqual(learningRates, [0, 0, 1, 2, 3]);
    const run = readExperimentRun(path.join(dir, "toy"));
    assert.equal(run.experiment, "mixture");
    assert.equal(run.metrics.length, 2);
    assert.deepEqual(Object.keys(run.metrics[0]), ["epoch", "step", "learning_rate", "train_loss", "w", "elapsed_s"]);
    assert.equal(run.summary.status, "completed");
    assert.equal(run.summary.step, 4);
    assert.equal(run.summary.budget, "2 epochs on 6 images");
    assert.deepEqual(run.summary.final, { done: true });
    // Adam moves w = 3 towards 0 by about lr per step.
    assert.ok(run.metrics[1].w < 3 && run.metrics[1].w > 2.7, `w after 4 steps: ${run.metrics[1].w}`);
    assert.ok(fs.existsSync(path.join(dir, "toy", "checkpoint.igrckpt")));
    const w2 = tf.variable(tf.scalar(1));
    await assert.rejects(
      runExperiment({ ...{ experiment: "mixture", config, train: data, budget: "", progress: "none" as const }, model: { namedVariables: () => [{ name: "w", variable: w2 as tf.Variable }], dispose: () => w2.dispose() }, learningRate: () => 0.1, loss: () => tf.scalar(0), evaluate: () => ({}) }),
      /already exists/,
    );
    w2.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
