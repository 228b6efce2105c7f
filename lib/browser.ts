// The browser entry point of igr-ts: the math core (bijectors, distributions, Propositions 1 and
// 2, the appendix §6 fits) without anything that needs Node (files, processes, the notebook
// display). esbuild bundles it for the book's explorer (bin/book.ts); test/book/bundle.test.ts
// fails if a Node built-in is pulled in. Files are imported one by one, not through the folders'
// index files, because lib/core/index.ts also exports the Node-only backend choice and paths.
import * as tf from "@tensorflow/tfjs";

export { tf };
export { SeedStream, type Seed } from "./core/random";
export * from "./bijectors/index";
export * from "./distributions/index";
export * from "./discrete/index";
export { DiscreteApproximation, type ApproxSettings, type ApproxFamily } from "./models/approxDiscrete";
export { fitStep, shouldStop } from "./train/approxFit";
export { Adam } from "./train/adam";

/**
 * Selects tfjs's plain JavaScript backend. The explorer's tensors are tiny, and this backend needs
 * no separate .wasm file, which a page opened from file:// could not fetch.
 */
export async function initBrowserBackend(): Promise<string> {
  await tf.setBackend("cpu");
  await tf.ready();
  return tf.getBackend();
}
