// What each data set's loader hands to loadDataset: a pool of examples (the training pool, from
// which validation is carved, or the test set) whose images are decoded on demand, so `limit`
// only pays for the images it returns.
import type { ProgressStream } from "./progress";

/** Pixels of one 28×28 image, the size every loader delivers. */
export const IMAGE_PIXELS = 28 * 28;

export interface ExamplePool {
  n: number;
  labels: Int32Array;
  classNames: string[];
  /** The files the pool was read from. */
  files: string[];
  /** One line saying what this is and where it came from. */
  description: string;
  /** Images for `indices`, as a Float32Array of indices.length*784 values in [0, 1], ink = 1. */
  images(indices: Int32Array, progressStream?: ProgressStream): Float32Array;
}
