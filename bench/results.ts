// The benchmark record format and bench/results.json, which every bench module shares:
// re-running a bench replaces the records with its names and keeps all others.
import * as fs from "node:fs";
import * as path from "node:path";

export interface BenchRecord {
  /** Unique across all benches, e.g. "step-nonlinear-ours". */
  name: string;
  /** The tfjs backend the numbers were measured on. */
  backend: string;
  /** Median milliseconds per training step (step benches). */
  msPerStep?: number;
  /** Milliseconds for one run of a one-off task, e.g. loading a data set. */
  ms?: number;
  [extra: string]: unknown;
}

/** A bench module: runs its measurements and returns its records. */
export type Bench = () => Promise<BenchRecord[]>;

export const RESULTS_PATH = path.join(__dirname, "results.json");

export function readResults(file = RESULTS_PATH): BenchRecord[] {
  if (!fs.existsSync(file)) return [];
  const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
  if (!Array.isArray(parsed)) throw new Error(`${file} must hold a JSON array of records, got ${typeof parsed}`);
  return parsed as BenchRecord[];
}

/** Records of `fresh` replace those with the same name; the order of the others is kept. */
export function mergeResults(existing: BenchRecord[], fresh: BenchRecord[]): BenchRecord[] {
  const freshNames = new Set(fresh.map((r) => r.name));
  return [...existing.filter((r) => !freshNames.has(r.name)), ...fresh];
}

export function writeResults(records: BenchRecord[], file = RESULTS_PATH): void {
  fs.writeFileSync(file, JSON.stringify(records, null, 2) + "\n");
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
