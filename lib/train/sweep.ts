// Sweep grids: a JSON object whose values are a setting or a list of settings; the runs are the
// cartesian product. Keys are `igr train` flag names without dashes, kebab or camel case:
//   { "model": ["igr-i", "gs"], "dataset": "mnist", "arch": ["linear", "nonlinear"],
//     "tau": [0.1, 0.5], "seed": [1, 2, 3], "epochs": 50 }

import { parseWasmThreads } from "../core/wasmThreads";

export type GridValue = string | number | boolean;
export type GridSpec = Record<string, GridValue | GridValue[]>;

// A JSON array of such objects is the union of their products (e.g. one τ per model):
//   [{ "model": "igr-i", "tau": 0.15, ... }, { "model": "gs", "tau": 0.5, ... }]

/** One argument list per run (["--model", "igr-i", "--tau", "0.1", ...]), in a stable order. */
export function expandGrid(grid: unknown): string[][] {
  if (Array.isArray(grid)) {
    if (grid.length === 0) throw new Error("a sweep grid given as an array must hold at least one grid object");
    return grid.flatMap((part, i) => {
      if (Array.isArray(part)) throw new Error(`sweep grid entry ${i}: an array of grids holds grid objects, not arrays`);
      return expandGrid(part);
    });
  }
  if (typeof grid !== "object" || grid === null) {
    throw new Error(`a sweep grid must be a JSON object of flag -> value or [values] (or an array of such objects); got ${JSON.stringify(grid)}`);
  }
  let runs: string[][] = [[]];
  for (const [key, raw] of Object.entries(grid as Record<string, unknown>)) {
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length === 0) throw new Error(`sweep grid: "${key}" has an empty list of values`);
    const flag = "--" + key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
    const next: string[][] = [];
    for (const run of runs) {
      for (const value of values) {
        if (!["string", "number", "boolean"].includes(typeof value)) throw new Error(`sweep grid: "${key}" values must be strings, numbers or booleans; got ${JSON.stringify(value)}`);
        if (value === false) next.push(run);
        else if (value === true) next.push([...run, flag]);
        else next.push([...run, flag, String(value)]);
      }
    }
    runs = next;
  }
  return runs;
}

/**
 * IGR_WASM_THREADS for each `igr train` a local sweep starts: the value the user set for the sweep,
 * else 1, so that --jobs processes share the cores one each (docs/performance.md §5). A bad value is
 * refused here, before any run starts; jobs × threads above the cores gives a warning.
 */
export function sweepJobThreads(env: Record<string, string | undefined>, jobs: number, cores: number): { threads: number; warning?: string } {
  const set = env.IGR_WASM_THREADS?.trim();
  if (!set) return { threads: 1 };
  const { threads } = parseWasmThreads(set, cores);
  if (jobs * threads <= cores) return { threads };
  return { threads, warning: `igr sweep: --jobs ${jobs} × IGR_WASM_THREADS=${threads} = ${jobs * threads} threads on ${cores} logical cores: the jobs will slow each other down (unset IGR_WASM_THREADS to give each job 1 thread)` };
}
