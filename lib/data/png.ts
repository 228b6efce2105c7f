// A PNG decoder (W3C PNG spec, 2nd ed.) for what Omniglot and similar data use: non-interlaced
// greyscale at 1/2/4/8/16 bits, plus greyscale+alpha, RGB and RGBA at 8/16 bits (channel 0 is kept,
// as the authors' pipeline does). Chunk CRCs are checked, IDAT is inflated with zlib and the five
// scanline filters are undone.
import * as zlib from "zlib";
import { DataFileError } from "./errors";

export interface GrayImage {
  width: number;
  height: number;
  /** width*height values, 0 = black .. 255 = white, channel 0 of the source. */
  pixels: Uint8Array;
  bitDepth: number;
  colorType: number;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** Decodes a PNG; `name` (e.g. "archive.zip:path/x.png") and `fix` go into error messages. */
export function decodePng(bytes: Uint8Array, name: string, fix: string): GrayImage {
  const fail = (problem: string, expected: string, found: string): never => {
    throw new DataFileError(name, problem, expected, found, fix);
  };
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) fail("is not a PNG file", "the PNG signature 89 50 4e 47 0d 0a 1a 0a", `${Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ")}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let width = 0, height = 0, bitDepth = 0, colorType = -1;
  const idat: Uint8Array[] = [];
  let sawEnd = false;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length) fail(`is truncated inside its ${type} chunk`, `${at + 12 + length} bytes`, `${bytes.length} bytes`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    const crc = zlib.crc32(bytes.subarray(at + 4, at + 8 + length)) >>> 0;
    const stored = view.getUint32(at + 8 + length);
    if (crc !== stored) fail(`has a corrupt ${type} chunk (CRC mismatch)`, `CRC 0x${stored.toString(16)}`, `0x${crc.toString(16)}`);
    if (type === "IHDR") {
      const h = new DataView(data.buffer, data.byteOffset, data.byteLength);
      width = h.getUint32(0);
      height = h.getUint32(4);
      bitDepth = data[8];
      colorType = data[9];
      if (data[12] !== 0) fail("is interlaced, which this decoder does not support", "interlace method 0", `method ${data[12]}`);
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") {
      sawEnd = true;
      break;
    }
    at += 12 + length;
  }
  if (!sawEnd) fail("is truncated (no IEND chunk)", "an IEND chunk", "end of data");
  const channels = CHANNELS[colorType];
  const depthOk = colorType === 0 ? [1, 2, 4, 8, 16].includes(bitDepth) : [8, 16].includes(bitDepth);
  if (channels === undefined || !depthOk) fail("has an unsupported pixel format", "greyscale (1-16 bit) or grey+alpha/RGB/RGBA (8/16 bit)", `color type ${colorType}, bit depth ${bitDepth}`);
  let raw: Uint8Array;
  try {
    raw = zlib.inflateSync(concat(idat));
  } catch (err) {
    fail("has corrupt image data", "a valid zlib stream in IDAT", (err as Error).message);
  }
  const bitsPerPixel = channels * bitDepth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  if (raw!.length !== height * (stride + 1)) fail("has the wrong amount of image data", `${height * (stride + 1)} bytes`, `${raw!.length} bytes`);
  const lines = unfilter(raw!, height, stride, bpp, fail);
  const pixels = new Uint8Array(width * height);
  const maxValue = (1 << bitDepth) - 1;
  for (let y = 0; y < height; y++) {
    const line = lines.subarray(y * stride, (y + 1) * stride);
    for (let x = 0; x < width; x++) {
      let v: number;
      if (bitDepth < 8) {
        const bit = x * bitDepth;
        v = ((line[bit >> 3] >> (8 - bitDepth - (bit & 7))) & maxValue) * (255 / maxValue);
      } else if (bitDepth === 8) v = line[x * channels];
      else v = line[x * channels * 2]; // 16-bit: the high byte
      pixels[y * width + x] = v;
    }
  }
  return { width, height, pixels, bitDepth, colorType };
}

function unfilter(raw: Uint8Array, height: number, stride: number, bpp: number,
  fail: (p: string, e: string, f: string) => never): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    const prev = row - stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[row + i - bpp] : 0;
      const b = y > 0 ? out[prev + i] : 0;
      const c = y > 0 && i >= bpp ? out[prev + i - bpp] : 0;
      let predictor: number;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: fail("has an invalid scanline filter", "filter type 0-4", `${filter} on row ${y}`);
      }
      out[row + i] = (src[i] + predictor!) & 0xff;
    }
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
