// Child process of bench/vaeStep.ts: times real training steps of the categorical VAE (the same
// step as lib/train/trainer.ts: noise from (seed, step), variableGrads, our Adam, loss read back)
// in a fresh process. Prints one JSON line.
//   args: <arch> <model> <warmup> <timed> [startAtEpochMs]
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/core/backend";
import { wasmThreadStatus } from "../lib/core/wasmThreads";
import { CategoricalVAE } from "../lib/models/vae";
import { stepSeed } from "../lib/models/noise";
import type { Architecture, LatentModel } from "../lib/models/vaeConfig";
import { Adam } from "../lib/train/adam";
import { mulberry32 } from "../lib/core/prng";
import { IMAGE_PIXELS } from "../lib/data/pool";


async function main(): Promise<void> {
  const [arch, model, warmupArg, timedArg, startAtArg] = process.argv.slice(2);
  await initBackend();
  const vae = new CategoricalVAE({ model: model as LatentModel, arch: arch as Architecture, temperature: 0.5 });
  const adam = new Adam(vae.variables, { learningRate: 1e-4 });
  const rand = mulberry32(2024);
  // Synthetic binary data, 13% ones (about MNIST's rate), 20 batches cycled.
  const data = Float32Array.from({ length: 20 * 100 * IMAGE_PIXELS }, () => (rand() < 0.13 ? 1 : 0));
  const variables = vae.variables;
  let step = 0;
  const oneStep = (): number => {
    const t0 = process.hrtime.bigint();
    const b = step % 20;
    const x = tf.tensor2d(data.subarray(b * 100 * IMAGE_PIXELS, (b + 1) * 100 * IMAGE_PIXELS), [100, IMAGE_PIXELS]);
    const noise = vae.noise(100, stepSeed(1, step));
    const { value, grads } = tf.variableGrads(() => vae.loss(x, noise), variables);
    value.dataSync();
    adam.apply(grads);
    tf.dispose([x, noise, value, ...Object.values(grads)]);
    step++;
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  for (let i = 0; i < Number(warmupArg); i++) oneStep();
  const tensorsBefore = tf.memory().numTensors;
  if (startAtArg) while (Date.now() < Number(startAtArg)) await new Promise((r) => setTimeout(r, 5));
  const start = Date.now();
  const times: number[] = [];
  for (let i = 0; i < Number(timedArg); i++) times.push(oneStep());
  const end = Date.now();
  times.sort((a, b) => a - b);
  const median = times.length % 2 ? times[times.length >> 1] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
  console.log(JSON.stringify({ backend: tf.getBackend(), threads: wasmThreadStatus()?.threads ?? 1, msPerStep: median, steps: times.length, start, end, tensorsFlat: tf.memory().numTensors === tensorsBefore }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
