// `npm run bench [-- name ...]`: runs the registered benches (all, or those named), prints their
// records as a table and merges them into bench/results.json (records are replaced by name).
// To add a bench: write bench/<name>.ts exporting an async function that returns BenchRecord[],
// and register it below.
import * as os from "os";
import { benchData } from "./data";
import { benchDiscrete } from "./discrete";
import { benchEstimators } from "./estimators";
import { benchEvalPosterior } from "./evalPosterior";
import { benchEvalRun } from "./evalRun";
import { benchDiscreteApprox } from "./discreteApprox";
import { benchHost } from "./host";
import { benchIgrSample } from "./igrSample";
import { stepNonlinear } from "./stepNonlinear";
import { benchTorchAnchor } from "./torchAnchor";
import { benchVaeEstimators } from "./vaeEstimators";
import { vaeStep, vaeSweep } from "./vaeStep";
import { mergeResults, readResults, RESULTS_PATH, writeResults, type Bench, type BenchRecord } from "./results";

const BENCHES: Record<string, Bench> = {
  host: benchHost,
  "step-nonlinear": stepNonlinear,
  data: benchData,
  discrete: benchDiscrete,
  estimators: benchEstimators,
  "discrete-approx": benchDiscreteApprox,
  "igr-sample": benchIgrSample,
  "vae-step": vaeStep,
  "vae-sweep": vaeSweep,
  "vae-estimators": benchVaeEstimators,
  "eval-posterior": benchEvalPosterior,
  "eval-run": benchEvalRun,
  "torch-anchor": benchTorchAnchor,
};

function printTable(records: BenchRecord[]): void {
  const rows = records.map((r) => [r.name, r.backend, (r.msPerStep ?? r.ms ?? NaN).toFixed(1), String(r.stepsTimed ?? ""), String(r.speedupVsStock ?? r.speedupVsOps ?? "")]);
  const header = ["name", "backend", "ms (per step: median)", "steps timed", "speed-up vs stock/ops"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) {
    throw new Error(`unknown bench ${unknown.map((n) => `"${n}"`).join(", ")}: known benches are ${Object.keys(BENCHES).join(", ")}`);
  }
  const names = requested.length > 0 ? requested : Object.keys(BENCHES);
  const fresh: BenchRecord[] = [];
  for (const name of names) {
    console.error(`bench ${name} ...`);
    // The machine may be shared: keep the load next to each number so readers can judge it.
    const load = os.loadavg()[0];
    fresh.push(...(await BENCHES[name]()).map((r) => ({ ...r, loadAverage1m: Math.round(Math.max(load, os.loadavg()[0]) * 100) / 100 })));
  }
  printTable(fresh);
  writeResults(mergeResults(readResults(), fresh));
  console.log(`wrote ${fresh.length} record(s) to ${RESULTS_PATH}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
