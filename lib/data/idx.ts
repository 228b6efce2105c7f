// The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian
// header (magic 0x0000 08 <ndims>, then one uint32 per dimension) followed by uint8 data.
// Everything is checked before use: gzip integrity, magic, dimensions, exact length.
import * as fs from "fs";
import * as zlib from "zlib";
import { DataFileError, fixAdvice } from "./errors";

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Reads a raw or gzipped file; a .gz that does not inflate is reported as corrupt. */
export function readMaybeGzip(file: string, downloadable: boolean): Uint8Array {
  const raw = fs.readFileSync(file);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return zlib.gunzipSync(raw);
    } catch (err) {
      throw new DataFileError(file, "is not a valid gzip file (truncated or corrupt)", "a complete gzip stream",
        `a gzip error: ${(err as Error).message}`, fixAdvice(file, downloadable));
    }
  }
  if (file.endsWith(".gz")) {
    throw new DataFileError(file, "is named .gz but is not gzip-compressed", "gzip magic bytes 1f 8b",
      `${hex(raw[0])} ${hex(raw[1])}`, fixAdvice(file, downloadable));
  }
  return raw;
}

/**
 * Parses IDX bytes holding unsigned bytes with `expectedDims` (use -1 for "any count").
 * `file` is only used in error messages.
 */
export function parseIdx(bytes: Uint8Array, expectedDims: number[], file: string, downloadable: boolean): IdxArray {
  const fix = fixAdvice(file, downloadable);
  const ndims = expectedDims.length;
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) {
    throw new DataFileError(file, "is too short to hold an IDX header", `at least ${headerLength} bytes`, `${bytes.length} bytes`, fix);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const expectedMagic = 0x00000800 + ndims; // type 0x08 = unsigned byte
  if (magic !== expectedMagic) {
    throw new DataFileError(file, "has the wrong IDX magic number", `0x${expectedMagic.toString(16).padStart(8, "0")} (uint8, ${ndims} dimension${ndims > 1 ? "s" : ""})`,
      `0x${magic.toString(16).padStart(8, "0")}`, fix);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i));
  const dimsOk = dims.every((d, i) => expectedDims[i] < 0 || d === expectedDims[i]);
  if (!dimsOk) {
    throw new DataFileError(file, "has unexpected IDX dimensions", `[${expectedDims.map((d) => (d < 0 ? "n" : d)).join(", ")}]`, `[${dims.join(", ")}]`, fix);
  }
  const expectedLength = headerLength + dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== expectedLength) {
    throw new DataFileError(file, bytes.length < expectedLength ? "is truncated" : "has trailing bytes",
      `${expectedLength} bytes for dimensions [${dims.join(", ")}]`, `${bytes.length} bytes`, fix);
  }
  return { dims, data: bytes.subarray(headerLength) };
}

function hex(b: number | undefined): string {
  return b === undefined ? "(end of file)" : `0x${b.toString(16).padStart(2, "0")}`;
}
