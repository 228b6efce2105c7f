// Collects the run records under a runs folder into flat rows (one per run) for tables.
import * as fs from "node:fs";
import * as path from "node:path";
import { RunRecord } from "./runRecord";

export interface RunTableRow {
  run: string;
  model: string;
  dataset: string;
  arch: string;
  tau: number;
  lr: number;
  seed: number;
  stl: boolean;
  status: string;
  epochs_done: number;
  train_discretized_elbo: number | null;
  validation_discretized_elbo: number | null;
  test_discretized_elbo: number | null;
  test_relaxed_elbo: number | null;
  /** From `igr eval`: the full-test-set numbers. */
  eval_train_discretized_elbo: number | null;
  eval_test_discretized_elbo: number | null;
  eval_test_ll_is: number | null;
  eval_test_ll_authors: number | null;
  ms_per_step: number | null;
}

/** Every folder of runsDir that holds a config.json and a summary.json, sorted by run id. */
export function collectRuns(runsDir: string): RunTableRow[] {
  if (!fs.existsSync(runsDir)) return [];
  const rows: RunTableRow[] = [];
  for (const name of fs.readdirSync(runsDir).sort()) {
    const dir = path.join(runsDir, name);
    if (!fs.existsSync(path.join(dir, "config.json")) || !fs.existsSync(path.join(dir, "summary.json"))) continue;
    const record = new RunRecord(runsDir, name);
    const { config } = record.readConfig();
    // The runs folder is shared with other experiments' records (SOP, mixture VAE) that have no
    // VAE model/dataset: they are not rows of this table.
    if (typeof config?.model !== "string" || typeof config?.dataset !== "string" || typeof config?.arch !== "string") continue;
    const summary = record.readSummary()!;
    const last = summary.lastMetrics;
    const ev = summary.eval ?? null;
    rows.push({
      run: name,
      model: config.model,
      dataset: config.dataset,
      arch: config.arch,
      tau: config.tau,
      lr: config.learningRate,
      seed: config.seed,
      stl: config.stickTheLanding,
      status: summary.status,
      epochs_done: summary.epochsCompleted,
      train_discretized_elbo: last?.train_discretized_elbo ?? null,
      validation_discretized_elbo: last?.validation_discretized_elbo ?? null,
      test_discretized_elbo: last?.test_discretized_elbo ?? null,
      test_relaxed_elbo: last?.test_relaxed_elbo ?? null,
      eval_train_discretized_elbo: ev?.trainDiscretizedElbo?.elbo ?? null,
      eval_test_discretized_elbo: ev?.testDiscretizedElbo?.elbo ?? null,
      eval_test_ll_is: ev?.testLogLikelihood?.mean ?? null,
      eval_test_ll_authors: ev?.authorsEstimator?.mean ?? null,
      ms_per_step: summary.msPerStep,
    });
  }
  return rows;
}

/** A GitHub-flavoured Markdown table of rows (numbers to 2 decimals, null as "–"). */
export function markdownTable(rows: Array<Record<string, unknown>>): string {
  if (rows.length === 0) return "(no runs)\n";
  const columns = Object.keys(rows[0]);
  const cell = (v: unknown) => (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v)) ? "–" : typeof v === "number" && !Number.isInteger(v) ? (Math.abs(v) < 0.01 ? v.toPrecision(2) : v.toFixed(2)) : String(v));
  const lines = [`| ${columns.join(" | ")} |`, `|${columns.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(" | ")} |`)];
  return lines.join("\n") + "\n";
}
