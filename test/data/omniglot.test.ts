import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { loadOmniglotPools, chooseOmniglotVariant, splitOmniglot } from "../../lib/data/omniglot";
import { ZipArchive } from "../../lib/data/zip";
import { decodePng } from "../../lib/data/png";
import { DataFileError, DataNotFoundError } from "../../lib/data/errors";
import { OMNIGLOT_DIR, tmpDir, viaUpsample } from "./fixtures";

const src = { dirs: [OMNIGLOT_DIR], download: false };

describe("Omniglot, small subset (the real archives on this machine)", () => {
  test("pool sizes and classes: 242 characters x 20 drawers, 15 in the training pool and 5 in test", async () => {
    // Counts from Python's zipfile: 5,840 PNGs, of which Greek and Latin (1,000) appear in both archives.
    const { train, test: testPool } = await loadOmniglotPools("small", src);
    assert.equal(train.n + testPool.n, 5840 - 1000);
    assert.equal(train.classNames.length, 242);
    const per = (labels: Int32Array) => { const c = new Array(242).fill(0); for (const l of labels) c[l]++; return c; };
    assert.ok(per(train.labels).every((c) => c === 15));
    assert.ok(per(testPool.labels).every((c) => c === 5));
    assert.ok(train.classNames.includes("Japanese_(katakana)/character47") && train.classNames.includes("Korean/character40"));
  });

  test("a resized image equals an independent area average (4x nearest upsample, 15x15 block means)", async () => {
    const { test: testPool } = await loadOmniglotPools("small", src);
    const images = testPool.images(Int32Array.from([0, 1, 2]));
    // The test set is sorted by path and holds drawers 16..20: its first images are Balinese character01's.
    const file = path.join(OMNIGLOT_DIR, "images_background_small1.zip");
    const zip = new ZipArchive(fs.readFileSync(file), file, "");
    const names = ["0108_16.png", "0108_17.png", "0108_18.png"];
    names.forEach((n, k) => {
      const entry = zip.entries.find((e) => e.name === `images_background_small1/Balinese/character01/${n}`)!;
      const png = decodePng(zip.read(entry), n, "");
      assert.equal(png.bitDepth, 1);
      const ref = viaUpsample(Array.from(png.pixels, (p) => 1 - p / 255));
      // float32 storage of values k/225: half an ulp at 1 is 6e-8.
      for (let j = 0; j < 784; j++) assert.ok(Math.abs(images[k * 784 + j] - ref[j]) < 1e-7, `image ${k} pixel ${j}`);
    });
  });

  test("pixels: strokes are 1 and background 0, values are multiples of 1/225", async () => {
    const { train } = await loadOmniglotPools("small", src);
    const images = train.images(Int32Array.from({ length: 50 }, (_, i) => i * 70));
    let ones = 0, zeros = 0, off = 0;
    for (const v of images) {
      if (v === 1) ones++;
      if (v === 0) zeros++;
      if (Math.abs(v * 225 - Math.round(v * 225)) > 1e-4) off++; // float32 rounding of k/225 only
    }
    assert.equal(off, 0);
    assert.ok(zeros > 0.6 * images.length, `background (0) should dominate, got ${zeros / images.length}`);
    assert.ok(ones > 0, "thick strokes should give some full pixels");
    for (let k = 0; k < 50; k++) assert.equal(images[k * 784], 0, "the top-left corner is background");
  });

  test("auto picks the subset when only it is present", () => {
    assert.equal(chooseOmniglotVariant("auto", { ...src, progressStream: { write: () => true } }), "small");
    assert.equal(chooseOmniglotVariant("full", src), "full");
  });

  test("a corrupted archive copy is refused by checksum, naming the file", async () => {
    const dir = tmpDir("omni-bad");
    for (const f of ["images_background_small1.zip", "images_background_small2.zip"]) fs.copyFileSync(path.join(OMNIGLOT_DIR, f), path.join(dir, f));
    const file = path.join(dir, "images_background_small2.zip");
    const bytes = fs.readFileSync(file);
    bytes[500000] ^= 1;
    fs.writeFileSync(file, bytes);
    await assert.rejects(loadOmniglotPools("small", { dirs: [dir], download: false }),
      (e: unknown) => e instanceof DataFileError && e.file === file && e.expected.includes("3ccaa407") && /IGR_DATA_DIR/.test(e.message));
  });

  test("missing archives: one message with the places looked in and the URL", async () => {
    const dir = tmpDir("omni-none");
    await assert.rejects(loadOmniglotPools("full", { dirs: [dir], download: false }),
      (e: unknown) => e instanceof DataNotFoundError && e.message.includes(dir) &&
        e.message.includes("https://raw.githubusercontent.com/brendenlake/omniglot/master/python/images_background.zip"));
  });
});

describe("Omniglot, full split (synthetic item lists with the official archive sizes)", () => {
  test("background + 5,065 evaluation images = 24,345 train, 8,115 test, disjoint, fixed", () => {
    // 964 background and 659 evaluation characters x 20 drawers (Lake et al. 2015).
    const items: { group: string; drawer: number; id: number }[] = [];
    for (let c = 0; c < 964 + 659; c++) for (let d = 1; d <= 20; d++) items.push({ group: c < 964 ? "images_background" : "images_evaluation", drawer: d, id: items.length });
    const { train, test: testItems } = splitOmniglot(items, "full");
    assert.equal(train.length, 24345); // the authors' (and Burda et al.'s) training size
    assert.equal(testItems.length, 8115); // the authors' test size (Burda et al.: 8,070)
    assert.ok(train.filter((i) => i.group === "images_background").length === 19280);
    const ids = new Set(train.map((i) => i.id));
    assert.ok(testItems.every((i) => !ids.has(i.id) && i.group === "images_evaluation"));
    assert.deepEqual(splitOmniglot(items, "full").test.map((i) => i.id), testItems.map((i) => i.id));
  });
});
