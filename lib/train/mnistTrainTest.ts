// MNIST as the SOP and mixture experiments use it: static binarisation, the whole training pool (no
// validation split, as the authors) limited by `limit`, and the test set.
import { Dataset, loadDataset } from "../data/dataset";

export interface MnistTrainTest {
  train: Dataset;
  test: Dataset;
}

export async function loadMnistTrainTest(c: { limit: number | null; seed: number }): Promise<MnistTrainTest> {
  const train = await loadDataset("mnist", { split: "train", binarize: "static", validationSize: 0, seed: c.seed, ...(c.limit !== null ? { limit: c.limit } : {}) });
  const test = await loadDataset("mnist", { split: "test", binarize: "static", seed: c.seed });
  return { train, test };
}
