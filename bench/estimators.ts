// Bench "estimators": ms per gradient step of each estimator on a VAE-sized latent, a batch of 100
// draws × 20 variables × 10 categories (the appendix's VAE latent), f = the quadratic toy objective
// with 20 targets (cheap, so the numbers are the estimators' own cost, not a decoder's). A "step" is
// one call of estimateGradients with draws = 100 (one estimate per batch element), or for the
// "-cv-step" records one relaxStep (gradient plus the variance-minimising control-variate update,
// a nested gradient). Median over RUNS runs after WARMUP.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/core/backend";
import {
  ControlVariate,
  EstimationProblem,
  estimateGradients,
  GradientEstimator,
  IGRFamily,
  LogitsFamily,
  quadraticToyObjective,
  rebar,
  Reinforce,
  Relax,
  relaxStep,
  Reparameterization,
  UnorderedSetEstimator,
} from "../lib/estimators/index";
import { median, type BenchRecord } from "./results";

const DRAWS = 100;
const V = 20;
const K = 10;
const WARMUP = 2;
const DEFAULT_RUNS = 8;

function timeMs(runs: number, body: () => void): number {
  for (let i = 0; i < WARMUP; i++) body();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    body();
    times.push(performance.now() - start);
  }
  return Math.round(median(times) * 10) / 10;
}

export async function benchEstimators(): Promise<BenchRecord[]> {
  const backend = await initBackend();
  const runs = Math.max(1, Number(process.env.IGR_BENCH_RUNS ?? DEFAULT_RUNS));
  const objective = quadraticToyObjective({ targets: Array.from({ length: V }, (_, i) => (i % 5) / 4), numCategories: K });
  const logits: EstimationProblem = { family: new LogitsFamily(V, K), objective };
  const igr: EstimationProblem = { family: new IGRFamily(V, K), objective };
  const logitParams = [tf.randomNormal([V, K], 0, 1, "float32", 1)];
  const igrParams = [tf.randomNormal([V, K - 1], 0, 0.5, "float32", 2), tf.randomNormal([V, K - 1], 0, 0.5, "float32", 3)];
  const cv = (seed: number) => new ControlVariate({ numVariables: V, numCategories: K, seed });
  const cases: Array<[string, GradientEstimator, EstimationProblem, tf.Tensor[]]> = [
    ["reinforce-loo-s4", new Reinforce({ baseline: "leaveOneOut", numSamples: 4 }), logits, logitParams],
    ["gs-reparam", new Reparameterization(), logits, logitParams],
    ["gs-straight-through", new Reparameterization({ straightThrough: true }), logits, logitParams],
    ["igr-reparam", new Reparameterization(), igr, igrParams],
    ["rebar-gs", rebar({ numVariables: V, numCategories: K }), logits, logitParams],
    ["relax-gs", new Relax({ controlVariate: cv(1) }), logits, logitParams],
    ["relax-igr", new Relax({ controlVariate: cv(2) }), igr, igrParams],
    ["relax-igr-authors-independent-draw", new Relax({ controlVariate: cv(3), authorsIndependentDraw: true }), igr, igrParams],
    ["unordered-set-k4", new UnorderedSetEstimator({ numSamples: 4 }), logits, logitParams],
    ["reinforce-loo-s4-igr", new Reinforce({ baseline: "leaveOneOut", numSamples: 4 }), igr, igrParams],
  ];
  const records: BenchRecord[] = [];
  let seed = 0;
  for (const [name, estimator, problem, params] of cases) {
    const ms = timeMs(runs, () => tf.dispose(estimateGradients(estimator, problem, params, { draws: DRAWS, seed: seed++ })));
    records.push({ name: `estimator-${name}-100x20-k10`, backend, msPerStep: ms, stepsTimed: runs });
  }
  const optimizer = tf.train.adam(1e-3);
  const cvCases: Array<[string, Relax, EstimationProblem, tf.Tensor[]]> = [
    ["relax-gs", new Relax({ controlVariate: cv(4) }), logits, logitParams],
    ["relax-igr", new Relax({ controlVariate: cv(5) }), igr, igrParams],
  ];
  for (const [name, estimator, problem, params] of cvCases) {
    const ms = timeMs(runs, () => tf.dispose(relaxStep(estimator, problem, params, { draws: DRAWS, seed: seed++, optimizer }).gradient));
    records.push({ name: `estimator-${name}-cv-step-100x20-k10`, backend, msPerStep: ms, stepsTimed: runs });
  }
  return records;
}
