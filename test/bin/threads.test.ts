// The command line with IGR_WASM_THREADS=2: `igr train`, `igr eval` and `igr estimator` end by
// themselves (the threaded backend's workers must not keep them alive) and leave complete records;
// a local sweep gives each job 1 thread unless the user set IGR_WASM_THREADS, and warns when the
// jobs' threads outnumber the cores.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { availableCores } from "../../lib/core/wasmThreads";
import { sweepJobThreads } from "../../lib/train/sweep";

const ROOT = path.join(__dirname, "..", "..");
const TIMEOUT_MS = 300_000;
const TINY = ["--model", "igr-i", "--dataset", "mnist", "--arch", "linear", "--tau", "0.5", "--epochs", "1", "--limit", "100", "--batch-size", "50", "--eval-limit", "50", "--train-eval-limit", "50", "--progress", "none"];

function igrWithThreads(args: string[]): { stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, IGR_WASM_THREADS: "2", IGR_BACKEND: "wasm" };
  delete env.IGR_QUIET;
  const result = spawnSync(process.execPath, [path.join(ROOT, "bin", "igr.js"), ...args], { encoding: "utf8", env, cwd: ROOT, timeout: TIMEOUT_MS });
  assert.ok(result.error === undefined, `igr ${args[0]} did not end by itself within ${TIMEOUT_MS / 1000} s (${result.error?.message}); stderr: ${result.stderr}`);
  assert.equal(result.status, 0, `igr ${args[0]} failed: ${result.stderr}`);
  return result;
}

describe("the igr command with 2 wasm threads", () => {
  test("train, eval and estimator end by themselves with their records written", (t) => {
    if (availableCores() < 2) return t.skip(`needs 2 logical cores; this process may use ${availableCores()}`);
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-threads-"));
    try {
      const train = igrWithThreads(["train", ...TINY, "--runs-dir", runsDir, "--run-id", "a"]);
      if (/threaded wasm build did not start/.test(train.stderr)) return t.skip(`the threaded build did not start here: ${train.stderr.trim()}`);
      assert.match(train.stderr, /using the wasm backend, 2 threads/);
      const summary = JSON.parse(fs.readFileSync(path.join(runsDir, "a", "summary.json"), "utf8"));
      assert.equal(summary.status, "completed");
      assert.ok(fs.existsSync(path.join(runsDir, "a", "checkpoint.igrckpt")));

      igrWithThreads(["eval", "a", "--runs-dir", runsDir, "--limit", "20", "--train-limit", "20", "--samples", "5", "--authors-samples", "5", "--progress", "none"]);
      assert.ok(fs.existsSync(path.join(runsDir, "a", "eval.json")), "eval.json written");

      const estimator = igrWithThreads(["estimator", "--estimator", "relax-igr", "--arch", "linear", "--epochs", "1", "--limit", "100", "--eval-limit", "20", "--final-eval-limit", "20", "--final-samples", "5", "--runs-dir", runsDir, "--progress", "none"]);
      assert.match(estimator.stdout, /completed: run relax-igr_/);
    } finally {
      fs.rmSync(runsDir, { recursive: true, force: true });
    }
  });
});

describe("threads of the jobs of a local sweep", () => {
  test("1 each unless IGR_WASM_THREADS is set; a warning when they outnumber the cores; bad values refused", () => {
    assert.deepEqual(sweepJobThreads({}, 2, 2), { threads: 1 });
    assert.deepEqual(sweepJobThreads({ IGR_WASM_THREADS: " " }, 2, 2), { threads: 1 });
    assert.deepEqual(sweepJobThreads({ IGR_WASM_THREADS: "2" }, 1, 2), { threads: 2 });
    assert.deepEqual(sweepJobThreads({ IGR_WASM_THREADS: "2" }, 2, 2), {
      threads: 2,
      warning: "igr sweep: --jobs 2 × IGR_WASM_THREADS=2 = 4 threads on 2 logical cores: the jobs will slow each other down (unset IGR_WASM_THREADS to give each job 1 thread)",
    });
    assert.throws(() => sweepJobThreads({ IGR_WASM_THREADS: "two" }, 2, 2), /IGR_WASM_THREADS="two" is not a thread count/);
  });
});
