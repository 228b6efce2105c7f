// Bench "discrete": Proposition 2's discreteProbabilities (appendix eq. 7) on a VAE-sized batch, 100
// examples × 20 variables with K = 10 (loc, scale: [100, 20, 9]) in the eq. (15) box, once through the
// custom kernels (records without suffix) and once through the op-based rule (suffix "-ops").
// Forward: P = discreteProbabilities(loc, scale). Grad: value and gradient of Σ c·P w.r.t. loc and scale.
// Two more records time the kernels' Float64 body alone on the same 2,000 events (no tfjs): the
// forward with its Jacobian (suffix "-jacobian64", what the RELAX-IGR estimator's gradient costs) and
// the vector–Jacobian product (suffix "-vjp64", the backward kernel for large inputs).
// `validate: false`, as in a hot loop (validation is one download and a JS pass, under 1 ms).
// Median over RUNS timed runs after WARMUP runs, on the backend initBackend picks (IGR_BACKEND=cpu to
// force cpu; the op path takes ~12 s per forward there, so set IGR_BENCH_RUNS lower if you must).
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/core/backend";
import { discreteProbabilities } from "../lib/discrete";
import { median, type BenchRecord } from "./results";
import { mulberry32 } from "../lib/core/prng";
import { discreteLogProbabilitiesBackward64, discreteLogProbabilitiesForward64 } from "../lib/kernels/discreteProbabilitiesRule64";

const BATCH = 100;
const VARIABLES = 20;
const CATEGORIES = 10;
const WARMUP = 2;
const DEFAULT_RUNS = 10;


/**
 * Median ms of each body over `runs` runs after WARMUP, the bodies interleaved run by run so that a
 * change in machine load (other processes on the 2 cores) hits both alike.
 */
function timeInterleaved(runs: number, bodies: Array<() => void>): number[] {
  for (let i = 0; i < WARMUP; i++) bodies.forEach((body) => body());
  const times: number[][] = bodies.map(() => []);
  for (let i = 0; i < runs; i++) {
    bodies.forEach((body, b) => {
      const start = performance.now();
      body();
      times[b].push(performance.now() - start);
    });
  }
  return times.map((t) => Math.round(median(t) * 10) / 10);
}

/** Records discrete-probabilities-100x20-k10[-grad][-ops], [-jacobian64], [-vjp64]: { name, backend, ms, runs }. */
export async function benchDiscrete(): Promise<BenchRecord[]> {
  const backend = await initBackend();
  const runs = Math.max(1, Number(process.env.IGR_BENCH_RUNS ?? DEFAULT_RUNS));
  const rand = mulberry32(2020);
  const shape = [BATCH, VARIABLES, CATEGORIES - 1];
  const size = BATCH * VARIABLES * (CATEGORIES - 1);
  // eq. (15) box: |μ| ≤ 5, σ ∈ [0.5, 2.5].
  const loc = tf.tensor(Float32Array.from({ length: size }, () => 10 * rand() - 5), shape);
  const scale = tf.tensor(Float32Array.from({ length: size }, () => 0.5 + 2 * rand()), shape);
  const weights = tf.tensor(Float32Array.from({ length: BATCH * VARIABLES * CATEGORIES }, () => rand() - 0.5), [BATCH, VARIABLES, CATEGORIES]);
  const forward = (implementation: "kernel" | "ops") => () => {
    tf.tidy(() => discreteProbabilities(loc, scale, { validate: false, implementation }).dataSync());
  };
  const grad = (implementation: "kernel" | "ops") => () => {
    tf.tidy(() => {
      const objective = (l: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(discreteProbabilities(l, s, { validate: false, implementation }), weights));
      const { value, grads } = tf.valueAndGrads(objective)([loc, scale]);
      value.dataSync();
      grads.forEach((g) => g.dataSync());
    });
  };
  const [forwardKernel, forwardOps] = timeInterleaved(runs, [forward("kernel"), forward("ops")]);
  const [gradKernel, gradOps] = timeInterleaved(runs, [grad("kernel"), grad("ops")]);
  // The kernels' body on the same events, as the kernels call it (float32 in, Float64 inside).
  const [mu, sigma] = [loc.dataSync(), scale.dataSync()];
  const m = CATEGORIES - 1;
  const logP = new Float32Array(BATCH * VARIABLES * CATEGORIES);
  const jacobian = new Float32Array(logP.length * 2 * m);
  const dy = weights.dataSync();
  const [dLoc, dScale] = [new Float32Array(size), new Float32Array(size)];
  const nodes = 24; // n = 24 for every event, as in the recorded runs (the default now picks n per event)
  const [jacobian64, vjp64] = timeInterleaved(runs, [
    () => discreteLogProbabilitiesForward64(mu, sigma, m, nodes, logP, jacobian),
    () => discreteLogProbabilitiesBackward64(mu, sigma, dy, m, nodes, dLoc, dScale),
  ]);
  const name = "discrete-probabilities-100x20-k10";
  const speedup = (ops: number, kernel: number) => Math.round((ops / kernel) * 10) / 10;
  const records: BenchRecord[] = [
    { name, backend, ms: forwardKernel, runs, speedupVsOps: speedup(forwardOps, forwardKernel) },
    { name: `${name}-grad`, backend, ms: gradKernel, runs, speedupVsOps: speedup(gradOps, gradKernel) },
    { name: `${name}-ops`, backend, ms: forwardOps, runs },
    { name: `${name}-grad-ops`, backend, ms: gradOps, runs },
    { name: `${name}-jacobian64`, backend: "none (Float64 JS)", ms: jacobian64, runs },
    { name: `${name}-vjp64`, backend: "none (Float64 JS)", ms: vjp64, runs },
  ];
  tf.dispose([loc, scale, weights]);
  return records;
}
