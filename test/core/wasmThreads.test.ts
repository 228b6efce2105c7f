// IGR_WASM_THREADS: the value is checked; with 2 threads the wasm backend's threaded build starts in a
// plain Node child process, names its thread count, computes what the single-threaded build computes
// (products with and without transpose flags, one nonlinear VAE training step with our Adam kernel)
// and the process ends by itself; without SharedArrayBuffer it falls back to 1 thread and says why.
// Every process runs under a timeout, so a hang fails the test instead of stalling the suite.
import { describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { availableCores, MAX_WASM_THREADS, parseWasmThreads } from "../../lib/core/wasmThreads";

const CHILD = path.join(__dirname, "wasmThreadsChild.ts");
const TIMEOUT_MS = 180_000;

describe("IGR_WASM_THREADS values", () => {
  test("unset or empty is 1; whole numbers up to the cores are taken as they are", () => {
    assert.deepEqual(parseWasmThreads(undefined, 4), { threads: 1 });
    assert.deepEqual(parseWasmThreads("  ", 4), { threads: 1 });
    assert.deepEqual(parseWasmThreads("1", 4), { threads: 1 });
    assert.deepEqual(parseWasmThreads(" 3 ", 4), { threads: 3 });
  });
  test("anything else is refused with the valid range", () => {
    for (const bad of ["0", "abc", "1.5", "-2", "2x"]) {
      assert.throws(() => parseWasmThreads(bad, 4), new RegExp(`IGR_WASM_THREADS="${bad.replace(".", "\\.")}" is not a thread count: use a whole number from 1 to 4`));
    }
  });
  test("more than the cores (or than the pool's 8) is lowered, saying why", () => {
    assert.deepEqual(parseWasmThreads("9", 2), { threads: 2, clamped: "IGR_WASM_THREADS=9 lowered to 2: this process may use 2 logical cores" });
    assert.deepEqual(parseWasmThreads("2", 1), { threads: 1, clamped: "IGR_WASM_THREADS=2 lowered to 1: this process may use 1 logical core" });
    assert.deepEqual(parseWasmThreads("16", 32), { threads: MAX_WASM_THREADS, clamped: "IGR_WASM_THREADS=16 lowered to 8: the wasm backend's pool holds at most 8" });
  });
});

interface ChildRun {
  threads: number;
  fallback?: string;
  adamKernel: boolean;
  transposeFree: boolean;
  results: Array<{ name: string; shape: number[]; values: Float32Array }>;
  stderr: string;
}

/** Runs the child with `env` added; fails if it does not end by itself within the timeout. */
function runChild(env: Record<string, string>, nodeFlags = ["--import", "tsx"]): ChildRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-wasm-threads-"));
  try {
    const base = { ...process.env };
    delete base.IGR_QUIET;
    delete base.IGR_WASM_THREADS;
    const result = spawnSync(process.execPath, [...nodeFlags, CHILD, dir], { encoding: "utf8", timeout: TIMEOUT_MS, env: { ...base, IGR_BACKEND: "wasm", ...env } });
    assert.ok(result.error === undefined, `the child did not end by itself within ${TIMEOUT_MS / 1000} s (${result.error?.message}); stderr: ${result.stderr}`);
    assert.equal(result.status, 0, `child failed: ${result.stderr}`);
    const report = JSON.parse(result.stdout.trim().split("\n").pop()!) as Omit<ChildRun, "stderr">;
    const results = report.results.map((r, i) => ({ ...r, values: new Float32Array(new Uint8Array(fs.readFileSync(path.join(dir, `${i}.f32`))).buffer) }));
    return { ...report, results, stderr: result.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * XNNPACK hands each thread whole tiles of the output and computes every element with the same
 * micro-kernel and the same order along the inner dimension, so 2 threads should reproduce 1 thread
 * bit for bit (and do with 4.22). The bound leaves room for a build that splits the inner sums: a
 * float32 sum of up to 784 products, reordered, moves by about sqrt(784)·2⁻²⁴ ≈ 2e-6 of its scale;
 * 1e-5 of the largest entry still catches a wrong tile, a missed write or a race (errors of O(1)).
 */
const REL_TOL = 1e-5;

function assertSameResults(t: TestContext, one: ChildRun, other: ChildRun, label: string): void {
  assert.deepEqual(other.results.map((r) => [r.name, r.shape]), one.results.map((r) => [r.name, r.shape]));
  let identical = 0;
  for (const [i, a] of one.results.entries()) {
    const b = other.results[i].values;
    assert.equal(b.length, a.values.length, a.name);
    let scale = 0;
    let diff = 0;
    for (let j = 0; j < b.length; j++) {
      assert.ok(Number.isFinite(a.values[j]) && Number.isFinite(b[j]), `${a.name}: non-finite entry ${j}`);
      scale = Math.max(scale, Math.abs(a.values[j]));
      diff = Math.max(diff, Math.abs(a.values[j] - b[j]));
    }
    assert.ok(scale > 0, `${a.name}: all zeros, the comparison would be empty`);
    assert.ok(diff <= REL_TOL * scale, `${a.name} (${label}): max |difference| ${diff} > ${REL_TOL} × ${scale}`);
    if (Buffer.compare(Buffer.from(a.values.buffer), Buffer.from(b.buffer)) === 0) identical++;
  }
  t.diagnostic(`${label}: ${identical} of ${one.results.length} results bit-identical to 1 thread`);
}

describe("the threaded wasm build in a child process", () => {
  let single: ChildRun | undefined;
  const singleThread = (): ChildRun => (single ??= runChild({}));

  test("2 threads: log line, same products and VAE step as 1 thread, the process ends by itself", (t) => {
    if (availableCores() < 2) return t.skip(`needs 2 logical cores; this process may use ${availableCores()}`);
    const two = runChild({ IGR_WASM_THREADS: "2" });
    if (two.fallback !== undefined) return t.skip(`the threaded build did not start here: ${two.fallback}`);
    const one = singleThread();
    assert.equal(one.threads, 1);
    assert.match(one.stderr, /igr-ts: using the wasm backend, 1 thread \(transpose-free matMul kernels\)/);
    assert.equal(two.threads, 2);
    assert.match(two.stderr, /igr-ts: using the wasm backend, 2 threads \(transpose-free matMul kernels\)/);
    // The fast paths stay on with threads: the matMul patch and the Adam kernel on the shared heap.
    assert.ok(two.transposeFree && two.adamKernel, `transpose-free ${two.transposeFree}, Adam kernel ${two.adamKernel}`);
    assertSameResults(t, one, two, "2 threads");
  });

  test("without SharedArrayBuffer: falls back to 1 thread, says why, same results", (t) => {
    // tsx's ESM loader needs SharedArrayBuffer itself; its CommonJS hook does not.
    const fallback = runChild({ IGR_WASM_THREADS: "2" }, ["--no-harmony-sharedarraybuffer", "--require", "tsx/cjs"]);
    assert.equal(fallback.threads, 1);
    assert.equal(fallback.fallback, "this runtime has no SharedArrayBuffer");
    assert.match(fallback.stderr, /IGR_WASM_THREADS=2 but the threaded wasm build did not start \(this runtime has no SharedArrayBuffer\); using 1 thread/);
    assert.match(fallback.stderr, /using the wasm backend, 1 thread/);
    assertSameResults(t, singleThread(), fallback, "fallback");
  });
});
