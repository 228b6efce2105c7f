// A few preprocessed images per data set, for a notebook grid.
import { DatasetName, loadDataset, LoadOptions } from "./dataset";
import { IMAGE_PIXELS } from "./pool";

export interface ExampleImages {
  name: DatasetName;
  description: string;
  /** count*784 values in [0, 1], row-major 28x28 each, ink = 1. */
  images: Float32Array;
  labels: Int32Array;
  /** Class name of each image. */
  captions: string[];
}

/**
 * The first `count` test images with distinct labels (one per class where possible), preprocessed
 * as `options` says (the paper's preprocessing by default).
 */
export async function exampleImages(name: DatasetName, count = 10, options: LoadOptions = {}): Promise<ExampleImages> {
  const data = await loadDataset(name, { split: "test", limit: 2000, ...options });
  const picked: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < data.n && picked.length < count; i++) {
    if (!seen.has(data.labels[i])) {
      seen.add(data.labels[i]);
      picked.push(i);
    }
  }
  for (let i = 0; i < data.n && picked.length < count; i++) if (!picked.includes(i)) picked.push(i);
  const images = new Float32Array(picked.length * IMAGE_PIXELS);
  picked.forEach((i, k) => images.set(data.images.subarray(i * IMAGE_PIXELS, i * IMAGE_PIXELS + IMAGE_PIXELS), k * IMAGE_PIXELS));
  const labels = Int32Array.from(picked, (i) => data.labels[i]);
  return { name, description: data.description, images, labels, captions: Array.from(labels, (l) => data.classNames[l]) };
}
