// Benches "vae-estimators": ms per training step of the MNIST VAE (nonlinear) trained with each
// gradient estimator (lib/models/estimatorVae.ts): the gradients of one batch of 100 (encoder by
// the estimator, decoder by S draws, RELAX's control-variate update) plus the Adam update.
// Median over TIMED steps after WARMUP, synthetic binary data (13% ones, about MNIST's rate).
// cpuMsPerStep is the median CPU time of the process per step: on a shared host it moves much less
// with the load than the wall time does (docs/performance.md §10).
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/core/backend";
import { mulberry32 } from "../lib/core/prng";
import { IMAGE_PIXELS } from "../lib/data/pool";
import { ESTIMATOR_NAMES, EstimatorVAE } from "../lib/models/estimatorVae";
import { Adam } from "../lib/train/adam";
import { median, type BenchRecord } from "./results";

const WARMUP = 2;
const TIMED = 7;

export async function benchVaeEstimators(): Promise<BenchRecord[]> {
  await initBackend();
  const rand = mulberry32(2024);
  const x = tf.tensor2d(Float32Array.from({ length: 100 * IMAGE_PIXELS }, () => (rand() < 0.13 ? 1 : 0)), [100, IMAGE_PIXELS]);
  const records: BenchRecord[] = [];
  const settings = ESTIMATOR_NAMES.flatMap((estimator) => [1, 4].map((samples) => ({ estimator, samples })));
  for (const { estimator, samples } of settings) {
    const model = new EstimatorVAE({ estimator, arch: "nonlinear", samples });
    const adam = new Adam(model.namedVariables().map((v) => v.variable), { learningRate: 1e-4 });
    const times: number[] = [];
    const cpuTimes: number[] = [];
    const tensorsBefore = tf.memory().numTensors;
    for (let i = 0; i < WARMUP + TIMED; i++) {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const { grads } = model.gradients(x, i);
      adam.apply(grads);
      tf.dispose(grads);
      if (i >= WARMUP) {
        times.push(performance.now() - t0);
        const cpu = process.cpuUsage(cpu0);
        cpuTimes.push((cpu.user + cpu.system) / 1000);
      }
    }
    const name = `vae-estimator-step-nonlinear-${estimator}-S${samples}`;
    const msPerStep = median(times);
    console.error(`  ${name}: ${msPerStep.toFixed(0)} ms`);
    records.push({
      name,
      backend: tf.getBackend(),
      msPerStep,
      cpuMsPerStep: median(cpuTimes),
      stepsTimed: TIMED,
      numTensorsFlat: tf.memory().numTensors === tensorsBefore,
      measuredAt: new Date().toISOString(),
    });
    adam.dispose();
    model.dispose();
  }
  x.dispose();
  return records;
}
