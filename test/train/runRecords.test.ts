// Every run record committed under data/runs reads through the one reader (readRun), whatever the
// experiment and however old the record, without being rewritten; its files agree with each other.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readRun, RunRecord } from "../../lib/train/runRecord";
import { readExperimentRun } from "../../lib/train/experimentRun";
import { loadRun } from "../../lib/train/loadRun";
import { PROJECT_ROOT } from "../../lib/core/paths";

const RUNS = path.join(__dirname, "..", "..", "data", "runs");

/** Every folder under data/runs (at any depth) that holds a config.json. */
function runFolders(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => {
    const sub = path.join(dir, e.name);
    return fs.existsSync(path.join(sub, "config.json")) ? [sub] : runFolders(sub);
  });
}

test("every committed run record reads through readRun, and its summary agrees with its config and metrics", () => {
  const folders = runFolders(RUNS);
  // The committed records: 21 VAE runs, 2 mixture, 3 SOP at the top, 7 in tables-2-3, 28 in tau-selection.
  assert.ok(folders.length >= 61, `expected the committed records under ${RUNS}; found ${folders.length}`);
  const seen = new Set<string>();
  const before = new Map(folders.map((f) => [f, fs.readdirSync(f).map((n) => fs.statSync(path.join(f, n)).mtimeMs).join()]));
  for (const dir of folders) {
    const run = readRun(dir);
    seen.add(run.experiment);
    const where = path.relative(RUNS, dir);
    assert.equal(run.runId, path.basename(dir), where);
    assert.equal(run.summary.runId, run.runId, `${where}: summary.json names its folder`);
    assert.equal(run.summary.configHash, run.configHash, `${where}: summary and config carry one hash`);
    // The section matches the experiment config.json names (summary.json and config.json are written apart).
    assert.equal(run.summary.experiment ?? "vae", run.experiment, `${where}: summary and config name one experiment`);
    if (run.summary.experiment === undefined) {
      assert.ok("bestValidation" in run.summary && "checkpoint" in run.summary, `${where}: a VAE summary has its section`);
    } else {
      assert.equal(typeof run.summary.budget, "string", `${where}: an experiment summary states its budget`);
      assert.ok(run.summary.final !== undefined, `${where}: an experiment summary has "final"`);
    }
    assert.equal(run.summary.status, "completed", where);
    assert.equal(run.summary.epochsCompleted, run.summary.epochs, where);
    // lastMetrics is the last row of metrics.csv (every finite cell; the CSV writes full precision).
    assert.ok(run.metrics.length > 0, `${where}: metrics.csv has rows`);
    const last = run.metrics[run.metrics.length - 1];
    for (const [k, v] of Object.entries(last)) if (Number.isFinite(v)) assert.equal((run.summary.lastMetrics as Record<string, number>)[k], v, `${where}: lastMetrics.${k}`);
    assert.equal(last.epoch, run.summary.epochsCompleted, `${where}: the last row is the last epoch`);
    // The notebooks' entry points read the same record.
    assert.deepEqual(readExperimentRun(dir), run);
    assert.deepEqual(new RunRecord(path.dirname(dir), run.runId).readMetrics(), run.metrics);
  }
  assert.deepEqual([...seen].sort(), ["estimator-vae", "mixture", "sop", "vae"], "every experiment has a committed record");
  for (const [f, stamp] of before) assert.equal(fs.readdirSync(f).map((n) => fs.statSync(path.join(f, n)).mtimeMs).join(), stamp, `${f}: reading changed nothing`);
});

test("readRun names the missing file", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-readrun-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  assert.throws(() => readRun(dir), /config\.json is missing/);
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ config: {}, configHash: "x", backend: "cpu", createdAt: "" }));
  assert.throws(() => readRun(dir), /summary\.json is missing/);
});

test("loadRun (the VAE's model loader) names the experiment of another experiment's record", () => {
  const sop = runFolders(RUNS).find((d) => readRun(d).experiment === "sop")!;
  assert.throws(() => loadRun(sop, RUNS), /is a sop run; loadRun loads VAE runs/);
});

test("config.json names a runs folder inside the project relative to it, and any other folder as given", () => {
  const inside = path.join(PROJECT_ROOT, "data", "runs", "some-sweep");
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), "igr-runsdir-"));
  try {
    const record = new RunRecord(outside, "r");
    fs.mkdirSync(record.dir, { recursive: true });
    record.writeConfig({ runsDir: inside, runId: "r" }, "h", "cpu");
    assert.equal((record.readConfig().config as unknown as { runsDir: string }).runsDir, "data/runs/some-sweep");
    record.writeConfig({ runsDir: outside, runId: "r" }, "h", "cpu");
    assert.equal((record.readConfig().config as unknown as { runsDir: string }).runsDir, outside);
  } finally {
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

test("no committed config.json names the machine path it ran in", () => {
  for (const dir of runFolders(RUNS)) {
    const runsDir = (JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")).config as { runsDir?: string }).runsDir;
    if (runsDir !== undefined) assert.ok(!path.isAbsolute(runsDir), `${path.relative(RUNS, dir)}: runsDir ${runsDir} is a machine path`);
  }
});
