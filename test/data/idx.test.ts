import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { parseIdx, readMaybeGzip } from "../../lib/data/idx";
import { DataFileError } from "../../lib/data/errors";
import { tmpDir } from "./fixtures";

// A hand-built IDX file: magic 0x00000803, dims 2x2x3, then 12 bytes.
function idx3(n: number, rows: number, cols: number, extra = 0): Uint8Array {
  const out = new Uint8Array(16 + n * rows * cols + extra);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x803);
  v.setUint32(4, n);
  v.setUint32(8, rows);
  v.setUint32(12, cols);
  for (let i = 16; i < out.length; i++) out[i] = i;
  return out;
}

describe("parseIdx", () => {
  test("reads dimensions and data of a valid file", () => {
    const parsed = parseIdx(idx3(2, 2, 3), [-1, 2, 3], "f", true);
    assert.deepEqual(parsed.dims, [2, 2, 3]);
    assert.deepEqual(Array.from(parsed.data), Array.from({ length: 12 }, (_, i) => 16 + i));
  });

  test("rejects wrong magic, wrong dims, truncation and trailing bytes, naming file, expected and found", () => {
    const wrongMagic = idx3(2, 2, 3);
    wrongMagic[3] = 0x01;
    assert.throws(() => parseIdx(wrongMagic, [-1, 2, 3], "bad.idx", true),
      (e: unknown) => e instanceof DataFileError && /bad\.idx/.test(e.message) && /0x00000803/.test(e.message) && /0x00000801/.test(e.message) && /re-download|IGR_DATA_DIR/.test(e.message));
    assert.throws(() => parseIdx(idx3(2, 2, 4), [-1, 2, 3], "f", true), /\[n, 2, 3\].*\[2, 2, 4\]/s);
    assert.throws(() => parseIdx(idx3(2, 2, 3).subarray(0, 20), [-1, 2, 3], "f", true), /truncated.*28 bytes.*20 bytes/s);
    assert.throws(() => parseIdx(idx3(2, 2, 3, 5), [-1, 2, 3], "f", true), /trailing bytes/);
    assert.throws(() => parseIdx(new Uint8Array(7), [-1, 2, 3], "f", true), /too short/);
  });

  test("readMaybeGzip inflates .gz, rejects truncated gzip and a .gz name without gzip content", () => {
    const dir = tmpDir("idx");
    const raw = idx3(1, 2, 3);
    const gz = zlib.gzipSync(raw);
    fs.writeFileSync(path.join(dir, "a.gz"), gz);
    assert.deepEqual(readMaybeGzip(path.join(dir, "a.gz"), true), Buffer.from(raw));
    fs.writeFileSync(path.join(dir, "b.gz"), gz.subarray(0, gz.length - 6));
    assert.throws(() => readMaybeGzip(path.join(dir, "b.gz"), true), (e: unknown) => e instanceof DataFileError && /b\.gz: is not a valid gzip/.test(e.message));
    fs.writeFileSync(path.join(dir, "c.gz"), raw);
    assert.throws(() => readMaybeGzip(path.join(dir, "c.gz"), true), /not gzip-compressed/);
  });
});
