import { test } from "node:test";
import assert from "node:assert/strict";
import { exampleImages } from "../../lib/data/examples";
import { loadDataset } from "../../lib/data/dataset";
import { tmpDir, writeFakeIdx } from "./fixtures";

test("exampleImages: one test image per class, equal to the same images from loadDataset", async () => {
  // A fake Fashion-MNIST whose test labels run 9, 2, 5, 8, 1, 4, 7, 0, 3, 6, 9, ...
  const dir = tmpDir("ex-fmnist");
  const fake = writeFakeIdx(dir, { train: 10, test: 100 }, true, 9);
  const source = { dirs: [dir], download: false, expected: { idx: fake.expected } };
  const ex = await exampleImages("fashion-mnist", 10, { source });
  assert.deepEqual(Array.from(ex.labels).sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(ex.captions[ex.labels.indexOf(9)], "Ankle boot");
  const data = await loadDataset("fashion-mnist", { split: "test", limit: 100, source });
  // The first test image is an ankle boot (label 9), so it must be the first example.
  assert.equal(data.labels[0], 9);
  assert.deepEqual(ex.images.subarray(0, 784), data.images.subarray(0, 784));
});
