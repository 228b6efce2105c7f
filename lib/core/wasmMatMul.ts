// Re-registration of the wasm BatchMatMul and _FusedMatMul kernels so that no product ever
// reaches the wasm backend with a transpose flag set.
//
// Why: in tfjs-backend-wasm 4.22 the C++ kernel calls XNNPACK only when both transpose flags are
// false (and the batch is 1); with a flag set it falls back to a blocked scalar triple loop that is
// 12-25x slower (docs/performance.md §2: 100x784x512 takes 35-70 ms against 2.85 ms for an explicit
// transpose followed by a plain product). Every stock gradient of a matMul (and the gradient of
// tf.fused.matMul, which tf.layers Dense uses) is made of transposed products, so patching the
// *kernel*, not the gradient, speeds up every tfjs code path at once.
//
// This file relies on tfjs 4.22.0 internals (kernel attribute names, `backend.disposeData`); the
// tests compare the patched kernels with the stock ones.
import * as tf from "@tensorflow/tfjs";

type TensorInfo = tf.TensorInfo;
type KernelConfig = ReturnType<typeof tf.getKernel>;
type KernelArgs = Parameters<KernelConfig["kernelFunc"]>[0];

/** The part of the wasm backend this file touches. */
interface DisposingBackend {
  disposeData(dataId: unknown, force?: boolean): boolean;
}

const BACKEND = "wasm";
const KERNEL_NAMES = ["BatchMatMul", "_FusedMatMul"] as const;
type PatchedKernelName = (typeof KERNEL_NAMES)[number];

/** Marks our wrappers so that patching twice (or after a hot reload) is a no-op. */
const PATCH_MARK = "__igrTransposeFree";

/** The stock configs, kept so the patch can be undone (tests compute their stock reference that way). */
const stockConfigs = new Map<PatchedKernelName, KernelConfig>();

function isPatched(config: KernelConfig | undefined): boolean {
  return config !== undefined && (config.kernelFunc as unknown as Record<string, unknown>)[PATCH_MARK] === true;
}

function elementCount(t: TensorInfo): number {
  return t.shape.reduce((n, d) => n * d, 1);
}

/** Swaps the last two axes with the wasm Transpose kernel (a new buffer the caller must dispose). */
function swapLastAxes(x: TensorInfo, backend: {}): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  const transpose = tf.getKernel("Transpose", BACKEND);
  return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
}

/**
 * Chooses how to compute C = op(A)·op(B) with flag-free products, by the number of elements that
 * must be moved:
 *  - "direct": transpose each flagged operand, then A'·B';
 *  - "swapped": Cᵀ = op(B)ᵀ·op(A)ᵀ, where op(X)ᵀ is X itself when X was flagged, then transpose Cᵀ.
 * For dX = dZ·Wᵀ with a large W, "swapped" moves dZ and the output instead of W (the "smart"
 * variant of docs/performance.md §1 row 5). Exported for the tests.
 */
export function chooseLayout(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): "direct" | "swapped" {
  const outRows = a.shape[a.shape.length - (transposeA ? 1 : 2)];
  const outCols = b.shape[b.shape.length - (transposeB ? 2 : 1)];
  const batch = Math.max(
    a.shape.slice(0, -2).reduce((n, d) => n * d, 1),
    b.shape.slice(0, -2).reduce((n, d) => n * d, 1),
  );
  const direct = (transposeA ? elementCount(a) : 0) + (transposeB ? elementCount(b) : 0);
  const swapped = (transposeA ? 0 : elementCount(a)) + (transposeB ? 0 : elementCount(b)) + batch * outRows * outCols;
  return swapped < direct ? "swapped" : "direct";
}

/**
 * Runs `stock` (a flag-free product) after making both operands plain. `allowSwap` is false when
 * the fused op has inputs laid out along the output's last axis (bias, prelu weights).
 */
function transposeFree(stock: KernelConfig, args: KernelArgs, allowSwap: boolean): TensorInfo {
  const { inputs, backend, attrs } = args;
  const a = inputs.a as TensorInfo;
  const b = inputs.b as TensorInfo;
  const transposeA = Boolean(attrs?.transposeA);
  const transposeB = Boolean(attrs?.transposeB);
  const plainAttrs = { ...attrs, transposeA: false, transposeB: false };
  const disposer = backend as DisposingBackend;
  const temporaries: TensorInfo[] = [];
  const plain = (x: TensorInfo): TensorInfo => {
    const t = swapLastAxes(x, backend);
    temporaries.push(t);
    return t;
  };
  try {
    if (allowSwap && chooseLayout(a, b, transposeA, transposeB) === "swapped") {
      const left = transposeB ? b : plain(b);
      const right = transposeA ? a : plain(a);
      const outT = stock.kernelFunc({ inputs: { ...inputs, a: left, b: right }, backend, attrs: plainAttrs }) as TensorInfo;
      temporaries.push(outT);
      return swapLastAxes(outT, backend);
    }
    const left = transposeA ? plain(a) : a;
    const right = transposeB ? plain(b) : b;
    return stock.kernelFunc({ inputs: { ...inputs, a: left, b: right }, backend, attrs: plainAttrs }) as TensorInfo;
  } finally {
    for (const t of temporaries) disposer.disposeData(t.dataId);
  }
}

function makeWrapper(name: PatchedKernelName, stock: KernelConfig): KernelConfig["kernelFunc"] {
  const wrapper = (args: KernelArgs) => {
    if (!args.attrs?.transposeA && !args.attrs?.transposeB) return stock.kernelFunc(args);
    if (name === "BatchMatMul") return transposeFree(stock, args, true);
    // The fused activations other than prelu act element by element, so they commute with a
    // transpose; a bias or prelu weights are laid out along the output's last axis and do not.
    const { bias, preluActivationWeights } = args.inputs;
    return transposeFree(stock, args, bias == null && preluActivationWeights == null);
  };
  Object.defineProperty(wrapper, PATCH_MARK, { value: true });
  return wrapper;
}

/**
 * Replaces the wasm BatchMatMul and _FusedMatMul kernels with transpose-free wrappers.
 * Idempotent. Returns true when the patch is in place, false when the wasm backend's kernels are
 * not registered (the wasm package was not loaded), in which case nothing changes.
 */
export function patchWasmMatMul(): boolean {
  for (const name of KERNEL_NAMES) {
    const current = tf.getKernel(name, BACKEND);
    if (current === undefined) return false;
  }
  for (const name of KERNEL_NAMES) {
    const current = tf.getKernel(name, BACKEND);
    if (isPatched(current)) continue;
    stockConfigs.set(name, current);
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({ ...current, kernelFunc: makeWrapper(name, current) });
  }
  return true;
}

/** Puts the stock kernels back (for tests and comparisons). Idempotent. */
export function unpatchWasmMatMul(): void {
  for (const name of KERNEL_NAMES) {
    const stock = stockConfigs.get(name);
    if (stock === undefined || !isPatched(tf.getKernel(name, BACKEND))) continue;
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel(stock);
  }
}

/** True when both wasm matMul kernels are currently the transpose-free wrappers. */
export function isWasmMatMulPatched(): boolean {
  return KERNEL_NAMES.every((name) => isPatched(tf.getKernel(name, BACKEND)));
}
