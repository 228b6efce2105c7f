// Time to load and binarise each data set (cold: read, verify, decode), for `npm run bench`.
import { initBackend } from "../lib/core/backend";
import { binarizeDynamic, binarizeStatic, DatasetName, loadDataset } from "../lib/data/index";
import type { BenchRecord } from "./results";

/** Records: load-<set> (training split, cold), binarize-static-<set>, binarize-dynamic-<set>. */
export async function benchData(sets: DatasetName[] = ["mnist", "fashion-mnist", "omniglot"]): Promise<BenchRecord[]> {
  const backend = await initBackend();
  const records: BenchRecord[] = [];
  const time = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const start = performance.now();
    const out = await fn();
    records.push({ name, backend, ms: Math.round((performance.now() - start) * 10) / 10 });
    return out;
  };
  for (const name of sets) {
    const data = await time(`load-${name}`, () => loadDataset(name, { split: "train", binarize: "none" }));
    await time(`binarize-static-${name}`, () => binarizeStatic(data.images));
    await time(`binarize-dynamic-${name}`, () => binarizeDynamic(data.images, 1));
  }
  return records;
}
