// Benches "eval-posterior": the IGR-SB discrete-posterior frequency estimate of `igr eval`
// (lib/eval/discrete.ts), 100 images × 1,000 draws, nonlinear MNIST VAE at its initialisation,
// synthetic binary data: the Float64 JS path that evaluation uses against the tfjs-op path.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/core/backend";
import { mulberry32 } from "../lib/core/prng";
import { frequenciesByTensors, stickBreakingFrequencies } from "../lib/eval/discrete";
import { CategoricalVAE } from "../lib/models/vae";
import type { BenchRecord } from "./results";

const IMAGES = 100;
const DRAWS = 1000;

export async function benchEvalPosterior(): Promise<BenchRecord[]> {
  await initBackend();
  const rand = mulberry32(2024);
  const x = tf.tensor2d(Float32Array.from({ length: IMAGES * 784 }, () => (rand() < 0.13 ? 1 : 0)), [IMAGES, 784]);
  const model = new CategoricalVAE({ model: "igr-sb", arch: "nonlinear", temperature: 0.5 });
  const time = (f: () => unknown) => {
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };
  // Alternate the two paths (fast, ops, fast) so a change of load hits both.
  const fast = [time(() => stickBreakingFrequencies(model, x, DRAWS, 1))];
  const ops = time(() => frequenciesByTensors(model, x, DRAWS, 1));
  fast.push(time(() => stickBreakingFrequencies(model, x, DRAWS, 2)));
  const ms = Math.min(...fast);
  console.error(`  eval-posterior-igr-sb: Float64 ${ms.toFixed(0)} ms, ops ${ops.toFixed(0)} ms per ${IMAGES} images × ${DRAWS} draws`);
  model.dispose();
  x.dispose();
  const base = { backend: tf.getBackend(), images: IMAGES, draws: DRAWS, measuredAt: new Date().toISOString() };
  return [
    { name: "eval-posterior-igr-sb-float64", ms, speedupVsOps: Math.round((ops / ms) * 10) / 10, ...base },
    { name: "eval-posterior-igr-sb-ops", ms: ops, ...base },
  ];
}
