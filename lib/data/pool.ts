// What each data set's loader hands to loadDataset: a pool of examples (the training pool, from
// which validation is carved, or the test set) whose images are decoded on demand, so `limit`
// only pays for the images it returns.
import type { ProgressStream } from "./progress";

/** Side of the square images every loader delivers (MNIST's 28; Omniglot is resized to it). */
export const IMAGE_SIDE = 28;
/** Pixels of one IMAGE_SIDE × IMAGE_SIDE image (784). */
export const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;

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
