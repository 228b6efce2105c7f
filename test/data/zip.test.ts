import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { ZipArchive } from "../../lib/data/zip";
import { DataFileError } from "../../lib/data/errors";
import { pngBytes, realOmniglotSubset, zipBytes } from "./fixtures";

const real = realOmniglotSubset();

/** A fake archive in Omniglot's layout: 3 characters x 4 drawers of 105x105 PNGs, deflated. */
function fakeArchive(): Buffer {
  const files = [];
  for (let c = 1; c <= 3; c++) for (let d = 1; d <= 4; d++) {
    const ink = Array.from({ length: 105 * 105 }, (_, i) => (i * (c + d)) % 7 === 0);
    files.push({ name: `images_background_small1/Balinese/character0${c}/010${c}_0${d}.png`, data: pngBytes(ink, 105, 105) });
  }
  return zipBytes(files);
}

describe("ZipArchive", () => {
  test("reads a fake archive in Omniglot's layout: names, sizes, PNG signatures, directory entries", () => {
    const zip = new ZipArchive(fakeArchive(), "fake.zip", "");
    // 12 images, one entry per folder: the archive root, the alphabet and 3 characters.
    assert.equal(zip.entries.length, 12 + 5);
    const pngs = zip.entries.filter((e) => e.name.endsWith(".png"));
    assert.equal(pngs.length, 12);
    assert.equal(pngs[0].name, "images_background_small1/Balinese/character01/0101_01.png");
    for (const e of pngs) {
      const data = zip.read(e);
      assert.deepEqual(Array.from(data.subarray(0, 4)), [0x89, 0x50, 0x4e, 0x47]);
      assert.equal(data.length, e.size);
    }
  });

  test("reads the real Omniglot subset archive: entry counts as Python's zipfile reports them", (t) => {
    if (!real.dir) return t.skip(real.skip);
    const SMALL1 = path.join(real.dir, "images_background_small1.zip");
    const zip = new ZipArchive(fs.readFileSync(SMALL1), SMALL1, "");
    // Python zipfile on this file: 2862 names, 2720 of them .png, all deflated with data descriptors.
    assert.equal(zip.entries.length, 2862);
    const pngs = zip.entries.filter((e) => e.name.endsWith(".png"));
    assert.equal(pngs.length, 2720);
    assert.equal(pngs[0].name, "images_background_small1/Balinese/character01/0108_01.png");
    const first = zip.read(pngs[0]);
    assert.deepEqual(Array.from(first.subarray(0, 4)), [0x89, 0x50, 0x4e, 0x47]);
    assert.equal(first.length, pngs[0].size);
  });

  test("corrupt data in one entry is caught (CRC-32 or inflate error), naming archive and entry", () => {
    const bytes = new Uint8Array(fakeArchive());
    const clean = new ZipArchive(bytes, "a.zip", "");
    const entry = clean.entries.find((e) => e.name.endsWith(".png"))!;
    const start = entry.localHeaderOffset + 30 + new DataView(bytes.buffer).getUint16(entry.localHeaderOffset + 26, true);
    bytes[start + Math.floor(entry.compressedSize / 2)] ^= 0x10;
    const zip = new ZipArchive(bytes, "a.zip", "Delete a.zip.");
    assert.throws(() => zip.read(zip.entries.find((e) => e.name === entry.name)!),
      (e: unknown) => e instanceof DataFileError && e.message.includes("a.zip") && e.message.includes(entry.name) && /Delete a\.zip/.test(e.message));
  });

  test("a truncated archive has no end-of-central-directory record", () => {
    const bytes = fakeArchive();
    new ZipArchive(bytes, "t.zip", ""); // whole, it opens
    assert.throws(() => new ZipArchive(bytes.subarray(0, bytes.length - 100), "t.zip", ""), /t\.zip: is not a complete ZIP archive/);
  });
});
