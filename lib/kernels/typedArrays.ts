// The one runner of the hand-written kernels (Proposition 2, the IGR middle block): it hands a
// kernel's plain-JS loop Float32Array views of its float32 inputs and of freshly allocated outputs.
//
// Relies on tfjs 4.22 backend internals (docs/performance.md §3): wasm `makeOutput` /
// `typedArrayFromHeap`, and `readSync` / `makeTensorInfo` elsewhere (cpu: the backend's own array, no
// copy; tfjs-node: a copy). On wasm every output is allocated before any heap view is taken, because a
// malloc can grow the heap and detach the views taken before it.
import * as tf from "@tensorflow/tfjs";

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

interface ReadableBackendLike {
  readSync(dataId: unknown): unknown;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

/** Runs `compute(inputs, outputs)` on typed arrays and returns the outputs (shapes `outputShapes`) as the backend's tensors. */
export function runOnTypedArrays(
  backend: unknown,
  inputs: tf.TensorInfo[],
  outputShapes: number[][],
  compute: (inputs: Float32Array[], outputs: Float32Array[]) => void,
): tf.TensorInfo[] {
  const wasm = backend as Partial<WasmBackendLike>;
  if (typeof wasm.typedArrayFromHeap === "function" && typeof wasm.makeOutput === "function") {
    const outputs = outputShapes.map((shape) => wasm.makeOutput!(shape, "float32"));
    const inViews = inputs.map((info) => wasm.typedArrayFromHeap!(info));
    compute(inViews, outputs.map((info) => wasm.typedArrayFromHeap!(info)));
    return outputs;
  }
  const plain = backend as ReadableBackendLike;
  const inArrays = inputs.map((info) => plain.readSync(info.dataId) as Float32Array);
  const outArrays = outputShapes.map((shape) => new Float32Array(shape.reduce((n, d) => n * d, 1)));
  compute(inArrays, outArrays);
  return outArrays.map((values, i) => plain.makeTensorInfo(outputShapes[i], "float32", values));
}
