// Omniglot (Lake et al. 2015) from the official archives of github.com/brendenlake/omniglot:
// 105x105 1-bit PNGs, black strokes on white. We decode them, make strokes = 1, and area-average
// to 28x28 (values are multiples of 1/225, since 3.75 = 15/4 makes every overlap a multiple of 1/16).
//
// Splits (docs/paper.md §8):
// * The authors (TFDS omniglot v3): train = all of 'background' (19,280) + the first 5,065 images of
//   'evaluation' in TFDS's (hash-shuffled) order = 24,345; test = the other 8,115. Only the train
//   size matches the usual 28x28 Omniglot of Burda et al. (chardata.mat, 24,345 / 8,070), which
//   is a different file and a different split that cannot be rebuilt from these archives.
// * Ours, variant "full": the same construction and sizes, with the 5,065 evaluation images chosen
//   by a fixed seeded permutation (OMNIGLOT_SPLIT_SEED) instead of TFDS's order: 24,345 / 8,115.
// * Ours, variant "small" (images_background_small1 + small2, 8 distinct alphabets, 242 characters,
//   4,840 distinct images; Greek and Latin are in both archives and counted once): there is no
//   evaluation set, so we split by drawer: drawers 1-15 of every character are the training pool
//   (3,630), drawers 16-20 the test set (1,210). Numbers on it are not comparable to the paper's.
// Validation is carved from the training pool by loadDataset, like for MNIST.
import * as fs from "fs";
import * as path from "path";
import { md5, OMNIGLOT_ARCHIVES, sha256, URLS, KnownArchive } from "./checksums";
import { downloadFile } from "./download";
import { DataFileError, DataNotFoundError, fixAdvice } from "./errors";
import { describePlaces, downloadDirFor, SearchPlace, standardPlaces } from "./paths";
import { decodePng } from "./png";
import { IMAGE_PIXELS, IMAGE_SIDE, type ExamplePool } from "./pool";
import { createProgress, ProgressStream } from "./progress";
import { permutation } from "../core/prng";
import { areaResize } from "./resize";
import type { SourceOptions } from "./source";
import { ZipArchive, ZipEntry } from "./zip";

export type OmniglotVariant = "full" | "small";

export const OMNIGLOT_SPLIT_SEED = 20200624;
/** Evaluation images moved into the training pool, as the authors did: 19,280 + 5,065 = 24,345. */
export const OMNIGLOT_EVALUATION_IN_TRAIN = 5065;
/** In the small variant, drawers 1..15 train, 16..20 test. */
export const OMNIGLOT_SMALL_TRAIN_DRAWERS = 15;

const VARIANT_ARCHIVES: Record<OmniglotVariant, string[]> = {
  full: ["images_background", "images_evaluation"],
  small: ["images_background_small1", "images_background_small2"],
};

interface Item {
  archive: ZipArchive;
  entry: ZipEntry;
  /** "Alphabet/characterNN/NNNN_DD.png" */
  relPath: string;
  character: string;
  drawer: number;
  group: string;
}

export function omniglotSearchPlaces(source: SourceOptions = {}): SearchPlace[] {
  if (source.dirs) return source.dirs.map((dir) => ({ dir: path.resolve(dir), why: "given in options" }));
  return standardPlaces("omniglot");
}

/** What archive `key` must be: the official one unless the options describe another (tests). */
function knownArchive(key: string, source: SourceOptions): KnownArchive {
  return source.expected?.omniglot?.[key] ?? OMNIGLOT_ARCHIVES[key];
}

function findArchive(key: string, places: SearchPlace[], source: SourceOptions): string | undefined {
  for (const place of places) {
    const file = path.join(place.dir, knownArchive(key, source).name);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

const archiveCache = new Map<string, ZipArchive>();

/** Checks the archive's hash (SHA-256 or published MD5) and structure; returns it opened. */
function checkArchive(key: string, bytes: Uint8Array, file: string, source: SourceOptions): ZipArchive {
  const known = knownArchive(key, source);
  const fix = fixAdvice(file, key === "images_background" || key === "images_evaluation");
  if (known.sha256) {
    const found = sha256(bytes);
    if (found !== known.sha256) throw new DataFileError(file, "is not the Omniglot archive we know (checksum mismatch)", `SHA-256 ${known.sha256}`, found, fix);
  } else if (known.md5) {
    const found = md5(bytes);
    if (found !== known.md5) throw new DataFileError(file, "is not the official Omniglot archive (checksum mismatch)", `MD5 ${known.md5} (as published by torchvision)`, found, fix);
  }
  const archive = new ZipArchive(bytes, file, fix);
  const pngs = archive.entries.filter((e) => e.name.endsWith(".png"));
  const alphabets = new Set(pngs.map((e) => e.name.split("/")[1]));
  const characters = new Set(pngs.map((e) => e.name.split("/").slice(1, 3).join("/")));
  const found = `${pngs.length} images, ${alphabets.size} alphabets, ${characters.size} characters`;
  if (pngs.length !== known.images || alphabets.size !== known.alphabets || characters.size !== known.characters) {
    throw new DataFileError(file, "does not have the structure of " + known.name, `${known.images} images, ${known.alphabets} alphabets, ${known.characters} characters`, found, fix);
  }
  return archive;
}

async function openArchive(key: string, places: SearchPlace[], source: SourceOptions): Promise<ZipArchive> {
  const local = findArchive(key, places, source);
  if (local) {
    const stat = fs.statSync(local);
    const cacheKey = `${local}|${stat.size}|${stat.mtimeMs}|${JSON.stringify(knownArchive(key, source))}`;
    let archive = archiveCache.get(cacheKey);
    if (!archive) {
      archive = checkArchive(key, fs.readFileSync(local), local, source);
      archiveCache.set(cacheKey, archive);
    }
    return archive;
  }
  const name = knownArchive(key, source).name;
  const url = `${source.baseUrl ?? URLS.omniglot}${name}`;
  const dest = path.join(source.downloadDir ?? downloadDirFor("omniglot"), name);
  const notFound = (why: string) => new DataNotFoundError(
    `Omniglot: ${name} is in none of the places looked in:\n${describePlaces(places)}\n${why}\n` +
      `Fetch it by hand: ${url} -> ${dest} (or into any folder above).`, places.map((p) => p.dir), [url]);
  if (source.download === false) throw notFound("Downloading is switched off (download: false).");
  let archive: ZipArchive | undefined;
  try {
    await downloadFile(url, dest, {
      fetch: source.fetch,
      progressStream: source.progressStream,
      verify: (bytes) => {
        archive = checkArchive(key, bytes, url, source);
      },
    });
  } catch (err) {
    if (err instanceof DataFileError) throw err;
    throw notFound(`Download failed: ${(err as Error).message}`);
  }
  return archive!;
}

let warnedSmall = false;

/** Picks the variant: "full" if its archives are on disk, else "small" if those are, else "full" (download). */
export function chooseOmniglotVariant(requested: OmniglotVariant | "auto", source: SourceOptions = {}): OmniglotVariant {
  if (requested !== "auto") return requested;
  const places = omniglotSearchPlaces(source);
  const has = (v: OmniglotVariant) => VARIANT_ARCHIVES[v].every((k) => findArchive(k, places, source) !== undefined);
  if (has("full")) return "full";
  if (has("small")) {
    if (!warnedSmall && !process.env.IGR_QUIET) {
      warnedSmall = true;
      (source.progressStream ?? process.stderr).write(
        "igr-ts: Omniglot: using the small subset (8 alphabets, 4,840 images), not the full 32,460; " +
          "numbers are not comparable to the paper. Load with { omniglot: 'full' } to download the full set.\n");
    }
    return "small";
  }
  return "full";
}

const decoded = new Map<string, Float32Array>(); // "archive file|entry name" -> 28x28 values

function decodeItem(item: Item): Float32Array {
  const key = `${item.archive.file}|${item.entry.name}`;
  let image = decoded.get(key);
  if (image) return image;
  const name = `${item.archive.file}:${item.entry.name}`;
  const fix = fixAdvice(item.archive.file, true);
  const png = decodePng(item.archive.read(item.entry), name, fix);
  if (png.width !== 105 || png.height !== 105) throw new DataFileError(name, "is not an Omniglot image", "105x105 pixels", `${png.width}x${png.height}`, fix);
  const ink = new Float64Array(105 * 105);
  for (let i = 0; i < ink.length; i++) ink[i] = 1 - png.pixels[i] / 255; // black strokes -> 1
  image = Float32Array.from(areaResize(ink, 105, 105, IMAGE_SIDE, IMAGE_SIDE));
  decoded.set(key, image);
  return image;
}

/** What the split needs to know about an image. */
export interface SplitItem {
  group: string;
  drawer: number;
}

/** The training pool and test set of a variant, from items sorted by path (see the header comment). */
export function splitOmniglot<T extends SplitItem>(items: T[], variant: OmniglotVariant): { train: T[]; test: T[] } {
  if (variant === "small") {
    return {
      train: items.filter((i) => i.drawer <= OMNIGLOT_SMALL_TRAIN_DRAWERS),
      test: items.filter((i) => i.drawer > OMNIGLOT_SMALL_TRAIN_DRAWERS),
    };
  }
  const evaluation = items.filter((i) => i.group === "images_evaluation");
  const perm = permutation(evaluation.length, OMNIGLOT_SPLIT_SEED);
  const moved = new Set(Array.from(perm.subarray(0, OMNIGLOT_EVALUATION_IN_TRAIN), (k) => evaluation[k]));
  return {
    train: items.filter((i) => i.group === "images_background" || moved.has(i)),
    test: evaluation.filter((i) => !moved.has(i)),
  };
}

/** The Omniglot training pool and test set of one variant. */
export async function loadOmniglotPools(variant: OmniglotVariant, source: SourceOptions = {}): Promise<{ train: ExamplePool; test: ExamplePool }> {
  const places = omniglotSearchPlaces(source);
  const items: Item[] = [];
  const seen = new Map<string, Item>();
  for (const key of VARIANT_ARCHIVES[variant]) {
    const archive = await openArchive(key, places, source);
    for (const entry of archive.entries) {
      if (!entry.name.endsWith(".png")) continue;
      const parts = entry.name.split("/");
      const relPath = parts.slice(1).join("/");
      const previous = seen.get(relPath);
      if (previous) {
        // small1 and small2 share Greek and Latin: the same images, which must be counted once.
        if (previous.entry.crc32 !== entry.crc32) {
          throw new DataFileError(archive.file, `holds ${relPath} with different content from ${previous.archive.file}`,
            `CRC-32 0x${previous.entry.crc32.toString(16)}`, `0x${entry.crc32.toString(16)}`, fixAdvice(archive.file, false));
        }
        continue;
      }
      const drawer = Number(/_(\d+)\.png$/.exec(parts[parts.length - 1])?.[1]);
      const item: Item = { archive, entry, relPath, character: `${parts[1]}/${parts[2]}`, drawer, group: key };
      seen.set(relPath, item);
      items.push(item);
    }
  }
  items.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  const classNames = Array.from(new Set(items.map((i) => i.character))).sort();
  const classIndex = new Map(classNames.map((c, i) => [c, i]));

  const { train, test } = splitOmniglot(items, variant);
  const files = VARIANT_ARCHIVES[variant].map((k) => findArchive(k, places, source) ?? knownArchive(k, source).name);
  const pool = (list: Item[], which: string): ExamplePool => ({
    n: list.length,
    labels: Int32Array.from(list, (i) => classIndex.get(i.character)!),
    classNames,
    files,
    description: `Omniglot (${variant === "full" ? "official archives" : "small1+small2 subset"}) ${which}: ${list.length} images, 105x105 -> 28x28 area average, strokes = 1`,
    images(indices: Int32Array, progressStream?: ProgressStream): Float32Array {
      const out = new Float32Array(indices.length * IMAGE_PIXELS);
      const progress = indices.length >= 1000 ? createProgress("decoding Omniglot", indices.length, { stream: progressStream }) : undefined;
      for (let k = 0; k < indices.length; k++) {
        out.set(decodeItem(list[indices[k]]), k * IMAGE_PIXELS);
        if (progress && k % 100 === 0) progress.update(k);
      }
      progress?.update(indices.length);
      progress?.finish();
      return out;
    },
  });
  return { train: pool(train, "training pool"), test: pool(test, "test set") };
}
