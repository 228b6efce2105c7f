// Bench "igr-sample": draw 10^5 IGR-I samples with K = 10 (reparameterized, seeded) and score them
// (logProb with the closed-form softmax++ log-det), as in issue 3. Median of RUNS after one warm-up.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/core/backend";
import { InvertibleGaussian } from "../lib/distributions/invertibleGaussian";
import { median, type BenchRecord } from "./results";

const DRAWS = 100_000;
const CATEGORIES = 10;
const RUNS = Number(process.env.IGR_BENCH_RUNS ?? 10);

export async function benchIgrSample(): Promise<BenchRecord[]> {
  const backend = await initBackend();
  const loc = tf.tensor1d(Array.from({ length: CATEGORIES - 1 }, (_, k) => 0.3 * k - 1));
  const scale = tf.tensor1d(Array.from({ length: CATEGORIES - 1 }, (_, k) => 0.5 + 0.1 * k));
  const q = new InvertibleGaussian({ loc, scale, temperature: 0.5 });
  const sampleMs: number[] = [];
  const scoreMs: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    let start = performance.now();
    const z = q.sample(DRAWS, { seed: run + 1 });
    z.dataSync();
    const sampled = performance.now() - start;
    start = performance.now();
    const logq = q.logProb(z);
    logq.dataSync();
    const scored = performance.now() - start;
    tf.dispose([z, logq]);
    if (run > 0) {
      sampleMs.push(sampled);
      scoreMs.push(scored);
    }
  }
  tf.dispose([loc, scale]);
  const common = { backend, draws: DRAWS, categories: CATEGORIES, runs: RUNS, date: new Date().toISOString() };
  return [
    { name: "igr-i-sample-1e5-k10", ms: median(sampleMs), ...common },
    { name: "igr-i-logprob-1e5-k10", ms: median(scoreMs), ...common },
  ];
}
