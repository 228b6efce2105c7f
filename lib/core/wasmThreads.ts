// The threaded build of the wasm backend in Node: IGR_WASM_THREADS=N (N >= 2) runs XNNPACK's
// products on N threads (docs/performance.md §5). Unset or 1 leaves the stock single-threaded build.
//
// tfjs-backend-wasm 4.22 ships the threaded build (XNNPACK over Emscripten pthreads) but turns it
// off in Node. Three things stand in the way, and this file handles each one:
//  - the pthread workers are started from blob: URLs, which Node's workers cannot load: the worker
//    script is written to a cache file and the workers load the package's own module factory file;
//  - the backend caps its pool at half the logical cores (it assumes two hardware threads per core,
//    so 2 vCPUs give 1 thread): the core count the module asks for is reported as 2N;
//  - the pool's workers are referenced Node workers and would keep the process alive forever: they are
//    unreferenced once the pool is up (they block in Atomics.wait; Node ends them at exit).
// Relies on 4.22 internals (the factory's options, its import names, the `tfjs` wrapper the backend
// expects); the version is pinned, and test/core/wasmThreads.test.ts runs the whole path.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as WorkerThreads from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { wasmApi } from "./wasmAssembler";

/** XNNPACK's pool is capped at 8 threads in this build, which also starts 8 workers up front. */
export const MAX_WASM_THREADS = 8;

/** How long the threaded build may take to start its workers before we give up on it. */
const START_TIMEOUT_MS = 60_000;

const PACKAGE = "@tensorflow/tfjs-backend-wasm";
const FACTORY_FILE = "tfjs-backend-wasm-threaded-simd.js";
const WORKER_FILE = "tfjs-backend-wasm-threaded-simd.worker.js";
const WASM_FILE = "tfjs-backend-wasm-threaded-simd.wasm";

export interface ThreadRequest {
  /** The thread count to start with (1: the stock single-threaded build). */
  threads: number;
  /** Set when the request was lowered, saying why. */
  clamped?: string;
}

/**
 * Reads IGR_WASM_THREADS. Unset or empty means 1. Anything but a whole number >= 1 is an error; a
 * count above the logical cores available to this process (or above 8) is lowered, with the reason.
 */
export function parseWasmThreads(raw: string | undefined, cores: number): ThreadRequest {
  const text = raw?.trim() ?? "";
  if (text === "") return { threads: 1 };
  const limit = Math.max(1, Math.min(cores, MAX_WASM_THREADS));
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new Error(`IGR_WASM_THREADS="${raw}" is not a thread count: use a whole number from 1 to ${limit} (1, the default, runs the single-threaded build)`);
  }
  const asked = Number(text);
  if (asked <= limit) return { threads: asked };
  const why = asked > MAX_WASM_THREADS && cores >= MAX_WASM_THREADS ? `the wasm backend's pool holds at most ${MAX_WASM_THREADS}` : `this process may use ${cores} logical core${cores === 1 ? "" : "s"}`;
  return { threads: limit, clamped: `IGR_WASM_THREADS=${asked} lowered to ${limit}: ${why}` };
}

/** The logical cores this process may run on (its CPU affinity where Node knows it). */
export function availableCores(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

function packageDir(): string {
  return path.dirname(require.resolve(`${PACKAGE}/package.json`));
}

/** A folder only this user can write: node_modules/.cache/igr-ts, else one under the temp dir. */
function cacheDirs(): string[] {
  const nodeModules = path.resolve(packageDir(), "..", "..");
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  return [path.join(nodeModules, ".cache", "igr-ts"), path.join(os.tmpdir(), `igr-ts-${uid}`)];
}

function usableDir(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.statSync(dir);
    // A shared temp folder: never run a script from a folder someone else owns or can write.
    if (typeof process.getuid === "function" && (stat.uid !== process.getuid() || (stat.mode & 0o022) !== 0)) return false;
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes the pthread worker script (the package ships it as a string inside a module) to a file named
 * by its content hash and returns the path. Safe when several processes start at once: each writes a
 * private temporary file and renames it into place, and all write the same bytes.
 */
export function writeWorkerScript(): string {
  const { wasmWorkerContents } = require(path.join(packageDir(), "wasm-out", WORKER_FILE)) as { wasmWorkerContents: string };
  // The package embeds the script in a template literal, so its "\n" escapes arrive as real line
  // breaks inside string literals; the backend escapes them again before use, and so do we.
  const script = wasmWorkerContents.replace(/\n/g, "\\n");
  const hash = crypto.createHash("sha256").update(script).digest("hex").slice(0, 16);
  // .cjs: the script uses require and __filename even inside a package of "type": "module".
  const name = `tfjs-backend-wasm-worker-${hash}.cjs`;
  const tried: string[] = [];
  for (const dir of cacheDirs()) {
    if (!usableDir(dir)) {
      tried.push(dir);
      continue;
    }
    const file = path.join(dir, name);
    try {
      if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === script) return file;
      const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
      fs.writeFileSync(temporary, script, { mode: 0o600 });
      fs.renameSync(temporary, file);
      return file;
    } catch {
      tried.push(dir);
    }
  }
  throw new Error(`cannot write the worker script to any of ${tried.join(", ")}`);
}

/** The Emscripten module of the threaded build, as far as this file and the backend use it. */
interface ThreadedModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  PThread: { runningWorkers: WorkerThreads.Worker[]; unusedWorkers: WorkerThreads.Worker[]; terminateAllThreads(): void };
  tfjs?: Record<string, unknown>;
}

interface WasmPackage {
  BackendWasm: new (module: unknown) => tf.KernelBackend;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

/**
 * Starts the threaded module with a pool sized for `threads`. Its workers run without the parent's
 * loader flags (a `--import tsx` would load TypeScript tooling into each of the 8 workers, seconds
 * of start-up for plain JavaScript); the Worker class is swapped for that only while the factory
 * runs synchronously.
 */
async function startThreadedModule(threads: number, workerScript: string): Promise<ThreadedModule> {
  const wasmOut = path.join(packageDir(), "wasm-out");
  const factory = require(path.join(wasmOut, FACTORY_FILE)) as (config: object) => Promise<ThreadedModule>;
  let fail: (reason: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const config: Record<string, unknown> & { PThread?: ThreadedModule["PThread"] } = {
    // The workers read this file and evaluate it: the same factory the main thread runs.
    mainScriptUrlOrBlob: path.join(wasmOut, FACTORY_FILE),
    locateFile: (file: string) => (file.endsWith(".worker.js") ? workerScript : path.join(wasmOut, file)),
    instantiateWasm: (imports: { env: Record<string, unknown> }, receive: (instance: object, module: object) => void) => {
      // The backend sizes its pool as min(requested, logical cores / 2).
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      wasmApi.instantiate(fs.readFileSync(path.join(wasmOut, WASM_FILE)), imports).then(
        ({ instance, module }) => receive(instance, module),
        (err) => fail(err),
      );
      return {};
    },
    onAbort: (what: unknown) => fail(new Error(`it aborted: ${String(what)}`)),
  };
  // The module object itself (an ES namespace import would be read-only), which the factory reads.
  const workerThreads = require("node:worker_threads") as { Worker: typeof WorkerThreads.Worker };
  const StockWorker = workerThreads.Worker;
  const started = (() => {
    workerThreads.Worker = class extends StockWorker {
      constructor(file: string | URL, options?: WorkerThreads.WorkerOptions) {
        super(file, { execArgv: [], ...options });
      }
    };
    try {
      return factory(config);
    } finally {
      workerThreads.Worker = StockWorker;
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`its workers did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
  });
  try {
    return await Promise.race([started, failed, timeout]);
  } catch (err) {
    config.PThread?.terminateAllThreads();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** The wrapper object BackendWasm expects on its module (as the package's own init() builds it). */
function addBackendBridge(module: ThreadedModule): void {
  module.tfjs = {
    init: module.cwrap("init", null, []),
    initWithThreadsCount: module.cwrap("init_with_threads_count", null, ["number"]),
    getThreadsCount: module.cwrap("get_threads_count", "number", []),
    registerTensor: module.cwrap("register_tensor", null, ["number", "number", "number"]),
    disposeData: module.cwrap("dispose_data", null, ["number"]),
    dispose: module.cwrap("dispose", null, []),
  };
}

/** What the wasm backend started with: set once its factory has run. */
export interface WasmThreadStatus {
  requested: number;
  threads: number;
  /** Why the threaded build was not used although requested. */
  fallback?: string;
}

let status: WasmThreadStatus | undefined;
let installed = false;

/** The thread count of the wasm backend once it started (undefined before, or if it never did). */
export function wasmThreadStatus(): WasmThreadStatus | undefined {
  return status;
}

/**
 * Makes the next start of the "wasm" backend use the threaded build with `threads` threads, falling
 * back to the stock single-threaded factory (with the reason passed to `warn`) if it cannot start.
 * Call after loading the wasm package and before tf.setBackend("wasm"). With threads = 1, or once a
 * wasm backend instance exists, it changes nothing.
 */
export function installThreadedWasm(threads: number, warn: (message: string) => void): void {
  const engine = tf.engine();
  const stock = engine.registryFactory["wasm"];
  if (installed || stock === undefined) return;
  installed = true;
  if (threads === 1) {
    status = { requested: 1, threads: 1 };
    return;
  }
  if (engine.registry["wasm"] !== undefined) {
    warn(`igr-ts: IGR_WASM_THREADS=${threads} ignored: the wasm backend was already started (single-threaded) before initBackend()`);
    return;
  }
  const wasmPackage = require(PACKAGE) as WasmPackage;
  const fallBack = (reason: string) => {
    warn(`igr-ts: IGR_WASM_THREADS=${threads} but the threaded wasm build did not start (${reason}); using 1 thread`);
    status = { requested: threads, threads: 1, fallback: reason };
    wasmPackage.setThreadsCount(-1); // the stock default, as if never set
    return stock.factory();
  };
  tf.removeBackend("wasm");
  tf.registerBackend(
    "wasm",
    async () => {
      if (typeof SharedArrayBuffer === "undefined") return fallBack("this runtime has no SharedArrayBuffer");
      let module: ThreadedModule;
      try {
        module = await startThreadedModule(threads, writeWorkerScript());
      } catch (err) {
        return fallBack(err instanceof Error ? err.message : String(err));
      }
      addBackendBridge(module);
      wasmPackage.setThreadsCount(threads);
      const backend = new wasmPackage.BackendWasm(module);
      for (const worker of module.PThread.runningWorkers) worker.unref();
      status = { requested: threads, threads: wasmPackage.getThreadsCount() };
      return backend;
    },
    stock.priority,
  );
}
