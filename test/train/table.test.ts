import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { collectRuns, markdownTable } from "../../lib/train/table";

function writeRun(root: string, id: string, config: Record<string, unknown>, summary: Record<string, unknown>): void {
  fs.mkdirSync(path.join(root, id), { recursive: true });
  fs.writeFileSync(path.join(root, id, "config.json"), JSON.stringify({ config, configHash: "x" }));
  fs.writeFileSync(path.join(root, id, "summary.json"), JSON.stringify(summary));
}

describe("collectRuns", () => {
  test("reads VAE run folders and skips other experiments' records sharing the folder", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "igr-table-"));
    try {
      const last = { train_discretized_elbo: -150.5, validation_discretized_elbo: -152, test_discretized_elbo: -151, test_relaxed_elbo: -160 };
      writeRun(root, "vae-run", { model: "gs", dataset: "mnist", arch: "linear", tau: 0.67, learningRate: 3e-4, seed: 1, stickTheLanding: false },
        { status: "completed", epochsCompleted: 5, lastMetrics: last, msPerStep: 30, eval: { testLogLikelihood: { mean: -140.25 } } });
      // A structured-output-prediction record: same files, no VAE model/dataset/arch.
      writeRun(root, "sop-run", { relaxation: "gs", temperature: 0.5, seed: 1 }, { status: "completed", epochsCompleted: 3, lastMetrics: null, msPerStep: 10 });
      fs.mkdirSync(path.join(root, "sweep-logs"));
      const rows = collectRuns(root);
      assert.deepEqual(rows.map((r) => r.run), ["vae-run"]);
      assert.equal(rows[0].model, "gs");
      assert.equal(rows[0].train_discretized_elbo, -150.5);
      assert.equal(rows[0].eval_test_ll_is, -140.25);
      assert.equal(rows[0].eval_test_ll_authors, null);
      // The Markdown table prints two decimals and "–" for a missing value.
      const md = markdownTable(rows as unknown as Array<Record<string, unknown>>);
      assert.match(md, /\| -140\.25 \|/);
      assert.match(md, /\| – \|/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
