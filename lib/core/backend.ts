// Backend choice: tfjs-node (native) if it is installed, else wasm, else cpu.
// IGR_BACKEND=node|wasm|cpu forces one. The choice is logged once per process.
// On wasm the matMul kernels are replaced by transpose-free ones (see wasmMatMul.ts);
// IGR_STOCK_MATMUL=1 keeps the stock kernels (the benchmark's stock process uses it).
// IGR_WASM_THREADS=N (N >= 2) starts the wasm backend's threaded build with N threads (wasmThreads.ts).
import * as tf from "@tensorflow/tfjs";
import { inKernel } from "./tslab";
import { isWasmMatMulPatched, patchWasmMatMul } from "./wasmMatMul";
import { availableCores, installThreadedWasm, parseWasmThreads, wasmThreadStatus } from "./wasmThreads";

export type BackendName = "tensorflow" | "wasm" | "cpu";

const ALIASES: Record<string, BackendName> = {
  node: "tensorflow",
  tensorflow: "tensorflow",
  "tfjs-node": "tensorflow",
  wasm: "wasm",
  cpu: "cpu",
};

let chosen: Promise<BackendName> | undefined;

function tryLoadNode(): boolean {
  try {
    require("@tensorflow/tfjs-node");
    return tf.findBackend("tensorflow") !== null || tf.engine().registryFactory["tensorflow"] !== undefined;
  } catch {
    return false;
  }
}

/** Notices go to stderr (a CLI's stdout stays clean), or to stdout in a notebook, where stderr looks like an error. */
function notice(message: string): void {
  (inKernel() ? console.log : console.error)(message);
}

let threadsRequested = false;

async function tryWasm(): Promise<boolean> {
  try {
    require("@tensorflow/tfjs-backend-wasm");
  } catch {
    return false;
  }
  if (!threadsRequested) {
    const request = parseWasmThreads(process.env.IGR_WASM_THREADS, availableCores());
    if (request.clamped) notice(`igr-ts: ${request.clamped}`);
    installThreadedWasm(request.threads, notice);
    threadsRequested = true;
  }
  // The Emscripten runtime adds process handlers that rethrow any stray async error,
  // which kills a notebook kernel; keep the handlers that existed before it started.
  const before = {
    uncaughtException: process.listeners("uncaughtException"),
    unhandledRejection: process.listeners("unhandledRejection"),
  };
  const ok = await tf.setBackend("wasm");
  for (const event of ["uncaughtException", "unhandledRejection"] as const) {
    for (const listener of process.listeners(event as "uncaughtException")) {
      if (!(before[event] as Function[]).includes(listener)) process.removeListener(event as string, listener as (...args: unknown[]) => void);
    }
  }
  return ok;
}

function requested(): BackendName | undefined {
  const raw = process.env.IGR_BACKEND?.trim().toLowerCase();
  if (!raw) return undefined;
  const name = ALIASES[raw];
  if (!name) {
    throw new Error(`IGR_BACKEND="${raw}" is not a backend: use one of node, wasm, cpu (or unset it to choose automatically)`);
  }
  return name;
}

async function choose(): Promise<BackendName> {
  const forced = requested();
  if (forced === "tensorflow") {
    if (!tryLoadNode()) throw new Error("IGR_BACKEND=node but @tensorflow/tfjs-node is not installed (npm install @tensorflow/tfjs-node@4.22.0)");
    await tf.setBackend("tensorflow");
  } else if (forced === "wasm") {
    if (!(await tryWasm())) throw new Error("IGR_BACKEND=wasm but @tensorflow/tfjs-backend-wasm failed to initialise");
  } else if (forced === "cpu") {
    await tf.setBackend("cpu");
  } else if (tryLoadNode() && (await tf.setBackend("tensorflow"))) {
    // native
  } else if (!(await tryWasm())) {
    await tf.setBackend("cpu");
  }
  await tf.ready();
  const name = tf.getBackend() as BackendName;
  if (name === "wasm" && !stockMatMulRequested()) patchWasmMatMul();
  if (!process.env.IGR_QUIET) {
    const threads = wasmThreadStatus()?.threads ?? 1;
    const kernels = name !== "wasm" ? "" : `, ${threads} thread${threads === 1 ? "" : "s"}${isWasmMatMulPatched() ? " (transpose-free matMul kernels)" : " (stock matMul kernels)"}`;
    notice(`igr-ts: using the ${name} backend${kernels}`);
  }
  return name;
}

function stockMatMulRequested(): boolean {
  const raw = process.env.IGR_STOCK_MATMUL?.trim().toLowerCase();
  return raw !== undefined && raw !== "" && raw !== "0" && raw !== "false";
}

/**
 * True when matMul runs through the transpose-free wasm kernels (wasm backend, patch not disabled
 * by IGR_STOCK_MATMUL=1). Always false on tfjs-node and cpu, which need no patch.
 */
export function fastMatMulActive(): boolean {
  return tf.getBackend() === "wasm" && isWasmMatMulPatched();
}

/** Picks the fastest available backend once per process and returns its name. */
export function initBackend(): Promise<BackendName> {
  if (!chosen) chosen = choose();
  return chosen;
}

/**
 * Makes `name` the active backend, loading it as initBackend does (on wasm: the process-handler
 * clean-up and, unless IGR_STOCK_MATMUL=1, the transpose-free matMul kernels). Returns false when
 * that backend is not available. Meant for tests and cross-backend comparisons; call initBackend()
 * first so the usual choice and its log line happen once.
 */
export async function switchBackend(name: BackendName): Promise<boolean> {
  let ok: boolean;
  if (name === "tensorflow") ok = tryLoadNode() && (await tf.setBackend("tensorflow"));
  else if (name === "wasm") ok = await tryWasm();
  else ok = await tf.setBackend("cpu");
  if (!ok) return false;
  await tf.ready();
  if (name === "wasm" && !stockMatMulRequested()) patchWasmMatMul();
  return true;
}
