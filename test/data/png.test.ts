import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as zlib from "zlib";
import { decodePng } from "../../lib/data/png";
import { DataFileError } from "../../lib/data/errors";
import { mulberry32 } from "../../lib/core/prng";
import { pngChunk as chunk } from "./fixtures";

// An independent PNG *encoder* (forward filters computed from the original bytes, the opposite
// direction of the decoder's unfiltering), so a round trip checks the decoder against the spec.
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Encodes packed scanlines (`rows`, each `stride` bytes) with filter `filters[y]` on row y. */
function encode(width: number, height: number, bitDepth: number, colorType: number, rows: Uint8Array[], filters: number[], bpp: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  const body: number[] = [];
  rows.forEach((row, y) => {
    const prev = y > 0 ? rows[y - 1] : new Uint8Array(row.length);
    body.push(filters[y]);
    for (let i = 0; i < row.length; i++) {
      const a = i >= bpp ? row[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filters[y]];
      body.push((row[i] - pred) & 0xff);
    }
  });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(Buffer.from(body))), chunk("IEND", new Uint8Array(0))]);
}

describe("decodePng", () => {
  test("8-bit greyscale with all five filters round-trips exactly", () => {
    const rand = mulberry32(1);
    const w = 7, h = 10;
    const rows = Array.from({ length: h }, () => Uint8Array.from({ length: w }, () => Math.floor(rand() * 256)));
    const png = decodePng(encode(w, h, 8, 0, rows, [0, 1, 2, 3, 4, 4, 3, 2, 1, 0], 1), "t.png", "");
    assert.deepEqual(Array.from(png.pixels), rows.flatMap((r) => Array.from(r)));
  });

  test("1-bit greyscale (Omniglot's format), width not a multiple of 8: bits unpacked MSB first, 1 -> 255", () => {
    const rand = mulberry32(2);
    const w = 13, h = 5;
    const bits = Array.from({ length: h }, () => Array.from({ length: w }, () => (rand() < 0.3 ? 1 : 0)));
    const rows = bits.map((r) => {
      const packed = new Uint8Array(Math.ceil(w / 8));
      r.forEach((bit, x) => { if (bit) packed[x >> 3] |= 0x80 >> (x & 7); });
      return packed;
    });
    const png = decodePng(encode(w, h, 1, 0, rows, [1, 2, 3, 4, 0], 1), "t.png", "");
    assert.deepEqual(Array.from(png.pixels), bits.flat().map((b) => b * 255));
  });

  test("RGB 8-bit keeps channel 0 (what the authors' pipeline keeps)", () => {
    const rows = [Uint8Array.from([10, 20, 30, 40, 50, 60]), Uint8Array.from([70, 80, 90, 100, 110, 120])];
    const png = decodePng(encode(2, 2, 8, 2, rows, [4, 4], 3), "t.png", "");
    assert.deepEqual(Array.from(png.pixels), [10, 40, 70, 100]);
  });

  test("corrupt input: bad signature, flipped IDAT byte (CRC), truncation, palette images", () => {
    const good = encode(3, 3, 8, 0, [new Uint8Array(3), new Uint8Array(3), new Uint8Array(3)], [0, 0, 0], 1);
    const notPng = Buffer.from(good); notPng[1] = 0;
    assert.throws(() => decodePng(notPng, "a.zip:x.png", "fix it"), (e: unknown) => e instanceof DataFileError && /a\.zip:x\.png: is not a PNG/.test(e.message) && /fix it/.test(e.message));
    const flipped = Buffer.from(good); flipped[good.length - 20] ^= 0x40;
    assert.throws(() => decodePng(flipped, "x.png", ""), /CRC mismatch/);
    assert.throws(() => decodePng(good.subarray(0, good.length - 15), "x.png", ""), /truncated/);
    const palette = encode(3, 1, 8, 3, [new Uint8Array(3)], [0], 1);
    assert.throws(() => decodePng(palette, "x.png", ""), /color type 3/);
  });
});
