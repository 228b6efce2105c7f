// Bench "discrete-approx": ms per fitting step of fitDiscreteApproximation (appendix §6) at the
// authors' settings, S = 10⁴ relaxed samples per step (forward, backward and Adam update):
// IGR-I, IGR-Planar and GS on K = 10 (the 10-point target), GS on K = 100 and IGR-SB with a cap of
// 100 categories (threshold 0.9) on NegBin(50, 0.6). Median over STEPS steps after WARMUP steps.
import { initBackend } from "../lib/core/backend";
import { negativeBinomialTarget, paperDiscreteTarget } from "../lib/discrete/targets";
import type { ApproxFamily } from "../lib/models/approxDiscrete";
import { fitDiscreteApproximation } from "../lib/train/approxFit";
import { median, type BenchRecord } from "./results";

const WARMUP = 3;
const STEPS = 15;

export async function benchDiscreteApprox(): Promise<BenchRecord[]> {
  const backend = await initBackend();
  const cases: Array<{ name: string; family: ApproxFamily; K: number }> = [
    { name: "fit-step-igr-i-k10", family: "igr-i", K: 10 },
    { name: "fit-step-igr-planar-k10", family: "igr-planar", K: 10 },
    { name: "fit-step-gs-k10", family: "gs", K: 10 },
    { name: "fit-step-gs-k100", family: "gs", K: 100 },
    { name: "fit-step-igr-sb-k100", family: "igr-sb", K: 100 },
  ];
  const records: BenchRecord[] = [];
  for (const c of cases) {
    const target = c.K === 10 ? paperDiscreteTarget() : negativeBinomialTarget(50, 0.6, { numCategories: c.K });
    const fit = fitDiscreteApproximation({ family: c.family, target, maxIterations: WARMUP + STEPS, tolerance: 1e-30, seed: 1 });
    const msPerStep = Math.round(median(fit.stepMs.slice(WARMUP)) * 10) / 10;
    records.push({ name: c.name, backend, msPerStep, stepsTimed: STEPS, numSamples: 10000 });
    fit.dispose();
  }
  return records;
}
