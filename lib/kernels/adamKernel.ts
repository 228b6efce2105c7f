// The Adam update of one variable as a single wasm-backend kernel: one f32x4 SIMD loop over the
// backend's own heap (docs/performance.md §3.6: 1.4 ms for 1.21 M parameters, against 7-9 ms for the
// ~16 tfjs ops per variable it replaces).
//
// The loop performs exactly the float32 operations of the op-by-op update in adam.ts, in the same
// order, each correctly rounded (IEEE add, mul, div, sqrt; no fused multiply-add, no reciprocal
// approximation), so both paths give the same bits:
//   m' = m·β₁ + g·(1 − β₁),  v' = v·β₂ + (g·g)·(1 − β₂),
//   w' = w − ((m' / c₁) / (√(v' / c₂) + ε))·lr,     c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ (rounded to float32).
// It writes three NEW buffers (w', m', v') that the caller assigns to its variables; nothing is
// mutated in place, because XNNPACK caches packed weights by tensor id (a weight changed in place
// would keep its stale packed copy).
//
// The module is written by lib/core/wasmAssembler.ts at start-up and imports the backend's
// WebAssembly.Memory, so it reads the tensors where they are (zero copy); on the threaded build
// (IGR_WASM_THREADS >= 2) that memory is shared and the module imports it as shared. Anywhere else
// adamKernelAvailable() is false and adam.ts uses tfjs ops.
import * as tf from "@tensorflow/tfjs";
import { assembleModule, op, ValueType, wasmApi, WasmFunction, WasmMemory } from "../core/wasmAssembler";

export const ADAM_KERNEL = "IgrAdamUpdate";

/** The float32 coefficients of one step (see the file header). */
export interface AdamCoefficients {
  beta1: number;
  beta2: number;
  /** 1 − β₁ᵗ and 1 − β₂ᵗ for the step being applied. */
  correction1: number;
  correction2: number;
  epsilon: number;
  learningRate: number;
}

interface WasmBackendLike {
  /** The single-threaded builds export their memory; the threaded build imports it (wasmMemory). */
  wasm: { asm?: { memory?: WasmMemory }; wasmMemory?: WasmMemory };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
}

type AdamFn = (w: number, g: number, m: number, v: number, wOut: number, mOut: number, vOut: number, n: number, b1: number, omb1: number, b2: number, omb2: number, c1: number, c2: number, eps: number, lr: number) => void;

// Parameter and local indices of the function below.
const [W, G, M, V, W_OUT, M_OUT, V_OUT, N] = [0, 1, 2, 3, 4, 5, 6, 7];
const FIRST_COEF = 8; // b1, 1−b1, b2, 1−b2, c1, c2, eps, lr: params 8..15
const [I, END_VEC, END] = [16, 17, 18];
const FIRST_SPLAT = 19; // the 8 coefficients splatted to f32x4: locals 19..26
const [GV, MV, VV] = [27, 28, 29];
const [GS, MS, VS] = [30, 31, 32];
const [B1, OMB1, B2, OMB2, C1, C2, EPS, LR] = [0, 1, 2, 3, 4, 5, 6, 7];

/**
 * One pass of the update over `lanes`-wide elements (4 with f32x4, 1 with scalar f32) from byte
 * offset I up to `endLocal`. `coef(j)` pushes coefficient j in the matching width.
 */
function updateLoop(simd: boolean, endLocal: number): number[][] {
  const load = simd ? op.v128Load : op.f32Load;
  const store = simd ? op.v128Store : op.f32Store;
  const [add, sub, mul, div, sqrt] = simd ? [op.f32x4Add, op.f32x4Sub, op.f32x4Mul, op.f32x4Div, op.f32x4Sqrt] : [op.f32Add, op.f32Sub, op.f32Mul, op.f32Div, op.f32Sqrt];
  const [gl, ml, vl] = simd ? [GV, MV, VV] : [GS, MS, VS];
  const coef = (j: number) => op.localGet(simd ? FIRST_SPLAT + j : FIRST_COEF + j);
  const at = (ptr: number) => [op.localGet(ptr), op.localGet(I), op.i32Add];
  return [
    op.block,
    op.loop,
    op.localGet(I), op.localGet(endLocal), op.i32GeU, op.brIf(1),
    // g
    ...at(G), load, op.localSet(gl),
    // m' = m·β₁ + g·(1 − β₁)
    ...at(M), load, coef(B1), mul, op.localGet(gl), coef(OMB1), mul, add, op.localSet(ml),
    // v' = v·β₂ + (g·g)·(1 − β₂)
    ...at(V), load, coef(B2), mul, op.localGet(gl), op.localGet(gl), mul, coef(OMB2), mul, add, op.localSet(vl),
    ...at(M_OUT), op.localGet(ml), store,
    ...at(V_OUT), op.localGet(vl), store,
    // w' = w − ((m' / c₁) / (√(v' / c₂) + ε))·lr
    ...at(W_OUT),
    ...at(W), load,
    op.localGet(ml), coef(C1), div,
    op.localGet(vl), coef(C2), div, sqrt, coef(EPS), add,
    div, coef(LR), mul, sub,
    store,
    op.localGet(I), op.i32Const(simd ? 16 : 4), op.i32Add, op.localSet(I),
    op.br(0),
    op.end,
    op.end,
  ];
}

/** The module's single function `adam` (signature: AdamFn). */
export function adamFunction(): WasmFunction {
  const { i32, f32, v128 } = ValueType;
  const splats: number[][] = [];
  for (let j = 0; j < 8; j++) splats.push(op.localGet(FIRST_COEF + j), op.f32x4Splat, op.localSet(FIRST_SPLAT + j));
  return {
    name: "adam",
    params: [i32, i32, i32, i32, i32, i32, i32, i32, f32, f32, f32, f32, f32, f32, f32, f32],
    results: [],
    locals: [i32, i32, i32, v128, v128, v128, v128, v128, v128, v128, v128, v128, v128, v128, f32, f32, f32],
    body: [
      // END = 4n bytes; END_VEC = 4·(n rounded down to a multiple of 4)
      op.localGet(N), op.i32Const(2), op.i32Shl, op.localSet(END),
      op.localGet(N), op.i32Const(-4), op.i32And, op.i32Const(2), op.i32Shl, op.localSet(END_VEC),
      ...splats,
      ...updateLoop(true, END_VEC),
      // the last n mod 4 elements, one at a time (I continues where the vector loop stopped)
      ...updateLoop(false, END),
    ],
  };
}

/** The module's bytes (imports env.memory, shared or not: a module links only to a matching memory). */
export function adamModuleBytes(shared = false): Uint8Array {
  return assembleModule({ module: "env", field: "memory", minPages: 1, shared: shared ? { maxPages: 65536 } : undefined }, [adamFunction()]);
}

/** Instantiates the module on `memory`; null when this runtime refuses it (no SIMD or no threads). */
export function instantiateAdam(memory: WasmMemory): AdamFn | null {
  const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
  try {
    const instance = new wasmApi.Instance(new wasmApi.Module(adamModuleBytes(shared)), { env: { memory } });
    return instance.exports.adam as unknown as AdamFn;
  } catch {
    return null;
  }
}

const instances = new WeakMap<object, AdamFn | null>();

function adamFor(backend: WasmBackendLike): AdamFn | null {
  if (!instances.has(backend)) {
    const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
    instances.set(backend, memory instanceof wasmApi.Memory ? instantiateAdam(memory) : null);
  }
  return instances.get(backend)!;
}

function adamKernelFunc(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const backend = args.backend as WasmBackendLike;
  const fn = adamFor(backend);
  if (fn === null) throw new Error(`${ADAM_KERNEL}: the wasm Adam module could not be instantiated on this backend`);
  const { w, g, m, v } = args.inputs as Record<"w" | "g" | "m" | "v", tf.TensorInfo>;
  const c = args.attrs as unknown as AdamCoefficients;
  const n = w.shape.reduce((a, b) => a * b, 1);
  // Outputs first: malloc may grow the heap, but offsets stay valid (the module reads memory by offset).
  const outs = [0, 1, 2].map(() => backend.makeOutput(w.shape, "float32"));
  const offset = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;
  fn(offset(w), offset(g), offset(m), offset(v), offset(outs[0]), offset(outs[1]), offset(outs[2]), n,
    c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, c.correction1, c.correction2, c.epsilon, c.learningRate);
  return outs;
}

let registered = false;

/**
 * True when the active backend is wasm and the module runs on its memory (the kernel is then
 * registered). False on cpu, tfjs-node, or a wasm build the module cannot attach to.
 */
export function adamKernelAvailable(): boolean {
  if (tf.getBackend() !== "wasm") return false;
  if (adamFor(tf.backend() as unknown as WasmBackendLike) === null) return false;
  if (!registered) {
    if (!tf.getKernel(ADAM_KERNEL, "wasm")) tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: "wasm", kernelFunc: adamKernelFunc as never });
    registered = true;
  }
  return true;
}

/**
 * [w', m', v'] (new tensors) for weight w, gradient g and moments m, v, all float32 of one shape.
 * Requires adamKernelAvailable().
 */
export function adamKernelUpdate(w: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, coefficients: AdamCoefficients): [tf.Tensor, tf.Tensor, tf.Tensor] {
  for (const [label, t] of [["g", g], ["m", m], ["v", v]] as const) {
    if (t.dtype !== "float32" || t.size !== w.size) throw new Error(`${ADAM_KERNEL}: ${label} must be float32 of shape [${w.shape}] like w; got ${t.dtype} [${t.shape}]`);
  }
  if (w.dtype !== "float32") throw new Error(`${ADAM_KERNEL}: w must be float32; got ${w.dtype}`);
  const out = tf.engine().runKernel(ADAM_KERNEL, { w, g, m, v }, coefficients as unknown as tf.NamedAttrMap) as unknown as tf.Tensor[];
  return [out[0], out[1], out[2]];
}
