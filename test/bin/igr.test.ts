// The command line: bad configuration is rejected before any work, with the valid values listed;
// sweep grids expand to the cartesian product; --print-commands prints one train line per run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseFlags, TRAIN_FLAGS, trainConfigFromFlags, UsageError } from "../../bin/cli/args";
import { expandGrid } from "../../lib/train/sweep";

const RUNS = path.join(os.tmpdir(), "igr-cli-never-written");

function configFor(args: string[]) {
  return trainConfigFromFlags(parseFlags(args, TRAIN_FLAGS, "train").flags, RUNS);
}

test("invalid configurations are refused with the valid values", () => {
  const base = ["--dataset", "mnist", "--arch", "linear"];
  assert.throws(() => configFor(["--model", "vae", ...base]), /--model must be one of igr-i, igr-planar, igr-sb, gs; got "vae"/);
  assert.throws(() => configFor(["--model", "gs", "--dataset", "cifar10", "--arch", "linear"]), /--dataset must be one of mnist, fashion-mnist, omniglot/);
  assert.throws(() => configFor(["--model", "gs", ...base, "--tau", "0"]), /tau must be a number > 0 \(the paper's grid: 0.03, 0.07/);
  assert.throws(() => configFor(["--model", "gs", ...base, "--tau", "-0.5"]), /tau must be a number > 0/);
  assert.throws(() => configFor(["--model", "gs", ...base, "--batch-size", "0"]), /batchSize \(batch size\) must be an integer >= 1; got 0/);
  assert.throws(() => configFor(["--model", "gs", ...base, "--epochs", "ten"]), /--epochs must be a number; got "ten"/);
  assert.throws(() => configFor(["--model", "gs", ...base, "--seed", "1.5"]), /--seed must be an integer; got "1.5"/);
  assert.throws(() => configFor(["--model", "gs", ...base, "--temperature", "1"]), (e: Error) => e instanceof UsageError && /unknown flag --temperature; valid flags are .*--tau/.test(e.message));
  assert.throws(() => configFor(["--model", "gs", ...base, "--kl", "closed-form"]), /not available for gs/);
  assert.throws(() => configFor(["--dataset", "mnist"]), /--model is required \(latent family: igr-i, igr-planar, igr-sb, gs\)/);
  const ok = configFor(["--model", "igr-i", ...base, "--tau", "0.25", "--stl", "--limit", "100"]);
  assert.equal(ok.kl, "monte-carlo");
  assert.equal(ok.runId, "igr-i_mnist_linear_tau0.25_lr0.0001_seed1_stl_limit100");
  assert.ok(!fs.existsSync(RUNS), "validation wrote nothing");
});

test("the igr process exits with code 2 and a message before doing any work", () => {
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "../../bin/igr.ts"), "train", "--model", "igr-i", "--dataset", "mnist", "--arch", "linear", "--tau", "abc", "--runs-dir", RUNS], {
    encoding: "utf8",
    env: { ...process.env, IGR_QUIET: "1" },
  });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--tau must be a number; got "abc"/);
  assert.ok(!fs.existsSync(RUNS));
});

test("sweep grids: cartesian product in key order; booleans become bare flags", () => {
  const runs = expandGrid({ model: ["igr-i", "gs"], tau: [0.1, 0.5], stl: [false, true], dataset: "mnist" });
  assert.equal(runs.length, 8);
  assert.deepEqual(runs[0], ["--model", "igr-i", "--tau", "0.1", "--dataset", "mnist"]);
  assert.deepEqual(runs[1], ["--model", "igr-i", "--tau", "0.1", "--stl", "--dataset", "mnist"]);
  assert.deepEqual(expandGrid({ batchSize: 50 }), [["--batch-size", "50"]]);
  assert.throws(() => expandGrid([1, 2]), /must be a JSON object/);
  assert.throws(() => expandGrid([]), /at least one grid object/);
  assert.throws(() => expandGrid([[{ tau: 1 }]]), /holds grid objects, not arrays/);
  // An array is the union of its grids' products, in order: one τ per model.
  assert.deepEqual(expandGrid([{ model: "igr-i", tau: 0.15, seed: [1, 2] }, { model: "gs", tau: 0.5 }]), [
    ["--model", "igr-i", "--tau", "0.15", "--seed", "1"],
    ["--model", "igr-i", "--tau", "0.15", "--seed", "2"],
    ["--model", "gs", "--tau", "0.5"],
  ]);
  assert.throws(() => expandGrid({ tau: [] }), /empty list/);
});

test("igr estimator refuses bad settings before any work, listing the valid values", () => {
  const run = (args: string[]) => spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "../../bin/igr.ts"), "estimator", ...args, "--runs-dir", RUNS], { encoding: "utf8", env: { ...process.env, IGR_QUIET: "1" } });
  const missing = run(["--arch", "linear"]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--estimator is required .*relax-igr, relax-gs, unordered-set/);
  const bad = run(["--estimator", "relax-gs", "--arch", "linear", "--samples", "0"]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /samples must be a positive integer/);
  const sign = run(["--estimator", "unordered-set", "--arch", "linear", "--authors-sign"]);
  assert.equal(sign.status, 2);
  assert.match(sign.stderr, /use them with estimator relax-igr/);
  assert.equal(fs.existsSync(RUNS), false, "nothing may be written for a refused configuration");
});

test("igr sweep --print-commands prints one train line per run", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-sweep-"));
  const grid = path.join(dir, "grid.json");
  fs.writeFileSync(grid, JSON.stringify({ model: ["igr-i", "gs"], dataset: "mnist", arch: "linear", seed: [1, 2] }));
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "../../bin/igr.ts"), "sweep", grid, "--print-commands", "--runs-dir", dir], { encoding: "utf8", env: { ...process.env, IGR_QUIET: "1" } });
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.trim().split("\n");
  assert.equal(lines.length, 4);
  assert.equal(lines[3], `npx igr train --model gs --dataset mnist --arch linear --seed 2 --runs-dir ${dir}`);
});
