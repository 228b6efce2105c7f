import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { loadOmniglotPools, chooseOmniglotVariant, splitOmniglot } from "../../lib/data/omniglot";
import { ZipArchive } from "../../lib/data/zip";
import { decodePng } from "../../lib/data/png";
import { DataFileError, DataNotFoundError } from "../../lib/data/errors";
import { realOmniglotSubset, tmpDir, viaUpsample, writeFakeOmniglot } from "./fixtures";

const quiet = { write: () => true };

// The small subset's layout, scaled down: small1 and small2 share Greek and Latin, as the real ones do.
const SMALL = [
  { key: "images_background_small1", alphabets: [["Balinese", 3], ["Greek", 2], ["Latin", 2]] as [string, number][] },
  { key: "images_background_small2", alphabets: [["Greek", 2], ["Korean", 2], ["Latin", 2]] as [string, number][] },
];

describe("Omniglot from fake archives in the official layout", () => {
  const dir = tmpDir("omni-fake-small");
  const fake = writeFakeOmniglot(dir, SMALL);
  const src = { dirs: [dir], download: false, expected: { omniglot: fake.expected }, progressStream: quiet };

  test("small variant: shared alphabets counted once, drawers 1-15 train and 16-20 test, classes sorted", async () => {
    const { train, test: testPool } = await loadOmniglotPools("small", src);
    // 3 + 2 + 2 characters in small1, 2 more (Korean) in small2: 9 distinct characters x 20 drawers.
    assert.equal(train.n, 9 * 15);
    assert.equal(testPool.n, 9 * 5);
    assert.deepEqual(train.classNames, ["Balinese/character01", "Balinese/character02", "Balinese/character03", "Greek/character01",
      "Greek/character02", "Korean/character01", "Korean/character02", "Latin/character01", "Latin/character02"]);
    const per = (labels: Int32Array) => { const c = new Array(9).fill(0); for (const l of labels) c[l]++; return c; };
    assert.deepEqual(per(train.labels), new Array(9).fill(15));
    assert.deepEqual(per(testPool.labels), new Array(9).fill(5));
  });

  test("every image equals an independent area average of the PNG that was written (strokes = 1)", async () => {
    const { test: testPool } = await loadOmniglotPools("small", src);
    // The test set is sorted by path: Balinese character01, drawers 16..20, first.
    const written = fake.images.filter((i) => i.relPath.startsWith("Balinese/character01/") && Number(i.relPath.slice(-6, -4)) > 15);
    const images = testPool.images(Int32Array.from(written, (_, k) => k));
    written.forEach((image, k) => {
      const ref = viaUpsample(image.ink.map((b) => (b ? 1 : 0)));
      // float32 storage of values k/225: half an ulp at 1 is 6e-8.
      for (let j = 0; j < 784; j++) assert.ok(Math.abs(images[k * 784 + j] - ref[j]) < 1e-7, `image ${k} pixel ${j}`);
    });
  });

  test("auto picks the small variant when only its archives are present; full when asked", () => {
    assert.equal(chooseOmniglotVariant("auto", src), "small");
    assert.equal(chooseOmniglotVariant("full", src), "full");
  });

  test("full variant: background and evaluation archives both read, auto prefers them", async () => {
    const full = tmpDir("omni-fake-full");
    const made = writeFakeOmniglot(full, [
      { key: "images_background", alphabets: [["Arcadian", 2], ["Bengali", 1]] },
      { key: "images_evaluation", alphabets: [["Tibetan", 1]] },
    ], 4);
    const fullSrc = { dirs: [full, dir], download: false, expected: { omniglot: { ...fake.expected, ...made.expected } }, progressStream: quiet };
    assert.equal(chooseOmniglotVariant("auto", fullSrc), "full");
    const { train, test: testPool } = await loadOmniglotPools("full", fullSrc);
    // Fewer evaluation images than the 5,065 moved into training: all of them are moved, none left to test.
    assert.equal(train.n, (2 + 1 + 1) * 4);
    assert.equal(testPool.n, 0);
    assert.deepEqual(train.classNames, ["Arcadian/character01", "Arcadian/character02", "Bengali/character01", "Tibetan/character01"]);
  });

  test("an alphabet in both archives with different images is refused, naming both files", async () => {
    const bad = tmpDir("omni-fake-clash");
    const a = writeFakeOmniglot(bad, [SMALL[0]]);
    const other = tmpDir("omni-fake-clash2");
    // small2 alone, with other strokes: its Latin lands on small1's paths (alphabet ids restart) with other bytes.
    const b = writeFakeOmniglot(other, [SMALL[1]], 20, 1);
    fs.copyFileSync(path.join(other, "images_background_small2.zip"), path.join(bad, "images_background_small2.zip"));
    await assert.rejects(loadOmniglotPools("small", { dirs: [bad], download: false, expected: { omniglot: { ...a.expected, ...b.expected } } }),
      (e: unknown) => e instanceof DataFileError && e.file.endsWith("images_background_small2.zip") && /holds Latin\/character01\/.*different content from .*images_background_small1\.zip/.test(e.message));
  });

  test("a corrupted copy fails its checksum, naming the file and the hash expected", async () => {
    const bad = tmpDir("omni-fake-bad");
    for (const f of ["images_background_small1.zip", "images_background_small2.zip"]) fs.copyFileSync(path.join(dir, f), path.join(bad, f));
    const file = path.join(bad, "images_background_small2.zip");
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 1;
    fs.writeFileSync(file, bytes);
    const sha = fake.expected.images_background_small2.sha256!;
    await assert.rejects(loadOmniglotPools("small", { ...src, dirs: [bad] }),
      (e: unknown) => e instanceof DataFileError && e.file === file && e.expected.includes(sha) && /IGR_DATA_DIR/.test(e.message));
  });

  test("an archive with the right checksum but another structure is refused with both counts", async () => {
    const wrong = { ...fake.expected, images_background_small1: { ...fake.expected.images_background_small1, characters: 8 } };
    await assert.rejects(loadOmniglotPools("small", { ...src, expected: { omniglot: wrong } }),
      (e: unknown) => e instanceof DataFileError && /does not have the structure/.test(e.message) && e.expected.includes("8 characters") && e.found.includes("7 characters"));
  });
});

describe("Omniglot, small subset (the real archives, where present)", () => {
  const real = realOmniglotSubset();
  const src = { dirs: real.dir ? [real.dir] : [], download: false };

  test("pool sizes and classes: 242 characters x 20 drawers, 15 in the training pool and 5 in test", async (t) => {
    if (!real.dir) return t.skip(real.skip);
    // Counts from Python's zipfile: 5,840 PNGs, of which Greek and Latin (1,000) appear in both archives.
    const { train, test: testPool } = await loadOmniglotPools("small", src);
    assert.equal(train.n + testPool.n, 5840 - 1000);
    assert.equal(train.classNames.length, 242);
    const per = (labels: Int32Array) => { const c = new Array(242).fill(0); for (const l of labels) c[l]++; return c; };
    assert.ok(per(train.labels).every((c) => c === 15));
    assert.ok(per(testPool.labels).every((c) => c === 5));
    assert.ok(train.classNames.includes("Japanese_(katakana)/character47") && train.classNames.includes("Korean/character40"));
  });

  test("a resized image equals an independent area average (4x nearest upsample, 15x15 block means)", async (t) => {
    if (!real.dir) return t.skip(real.skip);
    const { test: testPool } = await loadOmniglotPools("small", src);
    const images = testPool.images(Int32Array.from([0, 1, 2]));
    // The test set is sorted by path and holds drawers 16..20: its first images are Balinese character01's.
    const file = path.join(real.dir, "images_background_small1.zip");
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

  test("pixels: strokes are 1 and background 0, values are multiples of 1/225", async (t) => {
    if (!real.dir) return t.skip(real.skip);
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

  test("a corrupted copy of the real archive is refused by its known checksum, naming the file", async (t) => {
    if (!real.dir) return t.skip(real.skip);
    const dir = tmpDir("omni-bad");
    for (const f of ["images_background_small1.zip", "images_background_small2.zip"]) fs.copyFileSync(path.join(real.dir, f), path.join(dir, f));
    const file = path.join(dir, "images_background_small2.zip");
    const bytes = fs.readFileSync(file);
    bytes[500000] ^= 1;
    fs.writeFileSync(file, bytes);
    await assert.rejects(loadOmniglotPools("small", { dirs: [dir], download: false }),
      (e: unknown) => e instanceof DataFileError && e.file === file && e.expected.includes("3ccaa407") && /IGR_DATA_DIR/.test(e.message));
  });

});

describe("Omniglot, missing archives and the full split", () => {
  test("missing archives: one message with the places looked in and the URL", async () => {
    const dir = tmpDir("omni-none");
    await assert.rejects(loadOmniglotPools("full", { dirs: [dir], download: false }),
      (e: unknown) => e instanceof DataNotFoundError && e.message.includes(dir) &&
        e.message.includes("https://raw.githubusercontent.com/brendenlake/omniglot/master/python/images_background.zip"));
  });

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
