// One interface for all three data sets: loadDataset(name, options) -> Dataset (typed arrays plus a
// batch iterator that yields tfjs tensors and disposes them).
import * as tf from "@tensorflow/tfjs";
import { Binarize, binarizeDynamic, binarizeStatic } from "./binarize";
import { CLASS_NAMES, IdxDatasetName, loadIdxSplit } from "./mnist";
import { chooseOmniglotVariant, loadOmniglotPools, OmniglotVariant } from "./omniglot";
import { IMAGE_PIXELS, IMAGE_SIDE, type ExamplePool } from "./pool";
import { mixSeeds, permutation } from "../core/prng";
import { SEED_STREAM } from "../core/seedStreams";
import type { SourceOptions } from "./source";

export type DatasetName = "mnist" | "fashion-mnist" | "omniglot";
export type Split = "train" | "validation" | "test";

export const DATASET_NAMES: DatasetName[] = ["mnist", "fashion-mnist", "omniglot"];

/** Seed of the train/validation split: fixed, so validation never leaks into training across runs. */
export const VALIDATION_SEED = 4242;

/** The paper's preprocessing (docs/paper.md §8): MNIST static at 0.5, FMNIST and Omniglot grey. */
export const PAPER_BINARIZE: Record<DatasetName, Binarize> = { mnist: "static", "fashion-mnist": "none", omniglot: "none" };

export interface LoadOptions {
  /** Which split (default "train"). train and validation are disjoint parts of the training pool. */
  split?: Split;
  /** "static" (threshold 0.5), "dynamic" (Bernoulli per batch), "none" (grey). Default: the paper's. */
  binarize?: Binarize;
  /** Keep only the first `limit` examples of the split. */
  limit?: number;
  /** Seed for batch shuffling and dynamic binarisation (default 0). Does not move the split. */
  seed?: number;
  /** Images carved from the training pool for validation (default: a sixth, 10,000 for MNIST). 0 = none,
   *  so "train" is the authors' full training set. */
  validationSize?: number;
  /** Omniglot only: "full" (official archives), "small" (the 8-alphabet subset) or "auto" (default). */
  omniglot?: OmniglotVariant | "auto";
  /** Where to find or download the files. */
  source?: SourceOptions;
}

export interface BatchOptions {
  /** Default 100, as the authors. */
  batchSize?: number;
  /** Shuffle the order (default true). */
  shuffle?: boolean;
  /** Default: the data set's seed. */
  seed?: number;
  /** Mixed into the seed, so each epoch gets its own order and Bernoulli draws. */
  epoch?: number;
  /** Drop a last, smaller batch (the authors do for Omniglot). Default false. */
  dropRemainder?: boolean;
}

export interface Batch {
  /** [batchSize, IMAGE_PIXELS] float32 images (binarised as the data set says). */
  x: tf.Tensor2D;
  /** [batchSize] int32 labels. */
  y: tf.Tensor1D;
  /** Positions of these examples in the data set. */
  indices: Int32Array;
}

export class Dataset {
  readonly height = IMAGE_SIDE;
  readonly width = IMAGE_SIDE;

  constructor(
    readonly name: DatasetName,
    readonly split: Split,
    readonly binarize: Binarize,
    /** n*784 values in [0, 1], row-major, ink = 1. With binarize "dynamic" these are the probabilities. */
    readonly images: Float32Array,
    readonly labels: Int32Array,
    readonly classNames: string[],
    readonly seed: number,
    readonly description: string,
    readonly files: string[],
  ) {}

  get n(): number {
    return this.labels.length;
  }

  /**
   * Batches as tensors. Each batch's tensors are disposed when the loop moves on (or ends, or
   * breaks), so keep nothing from a batch past its iteration: tf.clone what you need to keep.
   */
  *batches(options: BatchOptions = {}): Generator<Batch, void, undefined> {
    const batchSize = options.batchSize ?? 100;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batches: batchSize must be a positive integer, got ${batchSize}`);
    const seed = mixSeeds(options.seed ?? this.seed, options.epoch ?? 0);
    const order = options.shuffle === false ? permutationIdentity(this.n) : permutation(this.n, seed);
    const end = options.dropRemainder ? this.n - (this.n % batchSize) : this.n;
    for (let start = 0; start < end; start += batchSize) {
      const indices = order.slice(start, Math.min(end, start + batchSize));
      let values = new Float32Array(indices.length * IMAGE_PIXELS);
      for (let k = 0; k < indices.length; k++) values.set(this.images.subarray(indices[k] * IMAGE_PIXELS, indices[k] * IMAGE_PIXELS + IMAGE_PIXELS), k * IMAGE_PIXELS);
      if (this.binarize === "dynamic") values = binarizeDynamic(values, mixSeeds(seed, SEED_STREAM.binarize, start));
      const labels = Int32Array.from(indices, (i) => this.labels[i]);
      const batch: Batch = { x: tf.tensor2d(values, [indices.length, IMAGE_PIXELS]), y: tf.tensor1d(labels, "int32"), indices };
      try {
        yield batch;
      } finally {
        batch.x.dispose();
        batch.y.dispose();
      }
    }
  }
}

function permutationIdentity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

const poolCache = new Map<string, Promise<{ train: ExamplePool; test: ExamplePool }>>();

function idxPool(name: IdxDatasetName, split: "train" | "test", source: SourceOptions): Promise<ExamplePool> {
  return loadIdxSplit(name, split, source).then((raw) => ({
    n: raw.n,
    labels: Int32Array.from(raw.labels),
    classNames: CLASS_NAMES[name],
    files: raw.files,
    description: `${name === "mnist" ? "MNIST" : "Fashion-MNIST"} ${split === "train" ? "training pool" : "test set"}: ${raw.n} images from ${raw.files[0]}`,
    images(indices: Int32Array): Float32Array {
      const out = new Float32Array(indices.length * IMAGE_PIXELS);
      for (let k = 0; k < indices.length; k++) {
        const src = indices[k] * IMAGE_PIXELS;
        for (let j = 0; j < IMAGE_PIXELS; j++) out[k * IMAGE_PIXELS + j] = raw.pixels[src + j] / 255;
      }
      return out;
    },
  }));
}

async function pools(name: DatasetName, options: LoadOptions, needTest: boolean): Promise<{ train?: ExamplePool; test?: ExamplePool }> {
  const source = options.source ?? {};
  if (name === "omniglot") {
    const variant = chooseOmniglotVariant(options.omniglot ?? "auto", source);
    const key = JSON.stringify([variant, source.dirs ?? null, source.downloadDir ?? null, process.env.IGR_DATA_DIR ?? null, source.expected ?? null]);
    let p = poolCache.get(key);
    if (!p) {
      p = loadOmniglotPools(variant, source);
      poolCache.set(key, p);
      p.catch(() => poolCache.delete(key));
    }
    return p;
  }
  if (name === "mnist" || name === "fashion-mnist") {
    return needTest ? { test: await idxPool(name, "test", source) } : { train: await idxPool(name, "train", source) };
  }
  throw new Error(`loadDataset: name must be one of ${DATASET_NAMES.join(", ")}; got ${JSON.stringify(name)}`);
}

/** The indices of `split` within its pool: validation is a seeded sample of the training pool. */
export function splitIndices(poolSize: number, split: Split, validationSize: number): Int32Array {
  if (split === "test") return permutationIdentity(poolSize);
  const perm = permutation(poolSize, VALIDATION_SEED);
  const chosen = split === "validation" ? perm.slice(0, validationSize) : perm.slice(validationSize);
  return chosen.sort();
}

/** Loads one split of a data set, prepared as the paper does unless told otherwise. */
export async function loadDataset(name: DatasetName, options: LoadOptions = {}): Promise<Dataset> {
  const split = options.split ?? "train";
  if (!["train", "validation", "test"].includes(split)) throw new Error(`loadDataset: split must be "train", "validation" or "test"; got ${JSON.stringify(split)}`);
  if (!DATASET_NAMES.includes(name)) throw new Error(`loadDataset: name must be one of ${DATASET_NAMES.join(", ")}; got ${JSON.stringify(name)}`);
  const binarize = options.binarize ?? PAPER_BINARIZE[name];
  if (!["static", "dynamic", "none"].includes(binarize)) throw new Error(`loadDataset: binarize must be "static", "dynamic" or "none"; got ${JSON.stringify(binarize)}`);
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0)) throw new Error(`loadDataset: limit must be a non-negative integer; got ${options.limit}`);
  const seed = options.seed ?? 0;

  const p = await pools(name, options, split === "test");
  const pool = split === "test" ? p.test! : p.train!;
  const validationSize = options.validationSize ?? Math.round(pool.n / 6);
  if (split !== "test" && !(Number.isInteger(validationSize) && validationSize >= 0 && validationSize < pool.n)) {
    throw new Error(`loadDataset: validationSize must be an integer in [0, ${pool.n}); got ${validationSize}`);
  }
  if (split === "validation" && validationSize === 0) throw new Error("loadDataset: split \"validation\" needs validationSize > 0 (it is 0)");
  let indices = splitIndices(pool.n, split, validationSize);
  if (options.limit !== undefined) indices = indices.slice(0, options.limit);

  let images = pool.images(indices, options.source?.progressStream);
  if (binarize === "static") images = binarizeStatic(images);
  const labels = Int32Array.from(indices, (i) => pool.labels[i]);
  const description = `${pool.description}; split ${split} (${labels.length} images), binarize ${binarize}`;
  return new Dataset(name, split, binarize, images, labels, pool.classNames, seed, description, pool.files);
}

