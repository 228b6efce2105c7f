// Proposition 2 (appendix eq. 7) as two custom tfjs kernels, forward and backward, for the 'wasm' and
// 'cpu' backends: one plain-JS Float64 loop each (discreteProbabilitiesRule64.ts) instead of ~60 small
// ops on [..., K−1, K−1, 2n] tensors: on wasm 18x faster forward and 28x with the gradient since log Φ
// is tabulated (9x before; bench/discrete.ts, docs/performance.md §10).
// The op-based rule in discreteProbabilities.ts stays the path for other backends (tfjs-node).
//
// The typed arrays come from the kernels' one runner (typedArrays.ts).
import * as tf from "@tensorflow/tfjs";
import { discreteLogProbabilitiesBackward64, discreteLogProbabilitiesForward64 } from "./discreteProbabilitiesRule64";
import { runOnTypedArrays } from "./typedArrays";

type TensorInfo = tf.TensorInfo;
type KernelArgs = Parameters<ReturnType<typeof tf.getKernel>["kernelFunc"]>[0];

/** log P(H = k): inputs { loc, scale } float32 [..., K−1] (same shape), attrs { nodes, adaptive }; output [..., K]. */
export const FORWARD_KERNEL = "IgrDiscreteLogProbabilities";
/**
 * Value and Jacobian: inputs and attrs as FORWARD_KERNEL; outputs [log P [..., K], jacobian
 * [..., K, 2(K−1)]] with row k = (d log P_k/dμ_1..K−1, d log P_k/dσ_1..K−1).
 */
export const FORWARD_JACOBIAN_KERNEL = "IgrDiscreteLogProbabilitiesWithJacobian";
/** Gradient by recomputation: inputs { loc, scale, dy }, attrs { nodes, adaptive }; outputs [dLoc, dScale]. */
export const BACKWARD_KERNEL = "IgrDiscreteLogProbabilitiesGrad";

/**
 * Under autodiff the forward also returns the Jacobian when it has at most this many elements (16 MB
 * of float32; K = 10 with 2000 events needs 0.36 M): the forward then costs about one backward pass
 * and the gradient is a small contraction, instead of a second full pass. Larger Jacobians (large K
 * and batch) use BACKWARD_KERNEL. Exported for tests, which lower it to exercise both paths.
 */
export const jacobianLimit = { elements: 1 << 22 };
/** Backends with these kernels; every other backend uses the op-based rule. */
export const KERNEL_BACKENDS: readonly string[] = Object.freeze(["wasm", "cpu"]);

function checkFloat32(kernel: string, name: string, info: TensorInfo): void {
  if (info.dtype !== "float32") throw new Error(`${kernel}: ${name} must be float32, got ${info.dtype}`);
}

function forwardKernel() {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const loc = inputs.loc as TensorInfo;
    const scale = inputs.scale as TensorInfo;
    checkFloat32(FORWARD_KERNEL, "loc", loc);
    checkFloat32(FORWARD_KERNEL, "scale", scale);
    const m = loc.shape[loc.shape.length - 1];
    const nodes = attrs?.nodes as number;
    const adaptive = attrs?.adaptive === true;
    const outShape = [...loc.shape.slice(0, -1), m + 1];
    return runOnTypedArrays(backend, [loc, scale], [outShape], ([mu, sigma], [out]) =>
      discreteLogProbabilitiesForward64(mu, sigma, m, nodes, out, null, adaptive),
    )[0];
  };
}

function forwardJacobianKernel() {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo[] => {
    const loc = inputs.loc as TensorInfo;
    const scale = inputs.scale as TensorInfo;
    checkFloat32(FORWARD_JACOBIAN_KERNEL, "loc", loc);
    checkFloat32(FORWARD_JACOBIAN_KERNEL, "scale", scale);
    const m = loc.shape[loc.shape.length - 1];
    const nodes = attrs?.nodes as number;
    const adaptive = attrs?.adaptive === true;
    const outShape = [...loc.shape.slice(0, -1), m + 1];
    return runOnTypedArrays(backend, [loc, scale], [outShape, [...outShape, 2 * m]], ([mu, sigma], [out, jacobian]) =>
      discreteLogProbabilitiesForward64(mu, sigma, m, nodes, out, jacobian, adaptive),
    );
  };
}

function backwardKernel() {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo[] => {
    const loc = inputs.loc as TensorInfo;
    const scale = inputs.scale as TensorInfo;
    const dy = inputs.dy as TensorInfo;
    for (const [name, info] of [["loc", loc], ["scale", scale], ["dy", dy]] as const) checkFloat32(BACKWARD_KERNEL, name, info);
    const m = loc.shape[loc.shape.length - 1];
    const nodes = attrs?.nodes as number;
    const adaptive = attrs?.adaptive === true;
    return runOnTypedArrays(backend, [loc, scale, dy], [loc.shape, loc.shape], ([mu, sigma, g], [dLoc, dScale]) =>
      discreteLogProbabilitiesBackward64(mu, sigma, g, m, nodes, dLoc, dScale, adaptive),
    );
  };
}

/** Registers both kernels for 'wasm' and 'cpu' (idempotent; the backends need not be loaded yet). */
export function registerDiscreteProbabilitiesKernels(): void {
  for (const backendName of KERNEL_BACKENDS) {
    if (tf.getKernel(FORWARD_KERNEL, backendName) === undefined) {
      tf.registerKernel({ kernelName: FORWARD_KERNEL, backendName, kernelFunc: forwardKernel() as never });
    }
    if (tf.getKernel(FORWARD_JACOBIAN_KERNEL, backendName) === undefined) {
      tf.registerKernel({ kernelName: FORWARD_JACOBIAN_KERNEL, backendName, kernelFunc: forwardJacobianKernel() as never });
    }
    if (tf.getKernel(BACKWARD_KERNEL, backendName) === undefined) {
      tf.registerKernel({ kernelName: BACKWARD_KERNEL, backendName, kernelFunc: backwardKernel() as never });
    }
  }
}

/**
 * log P(H = k) by the kernels, `[..., K−1] -> [..., K]`, differentiable in both inputs. `loc` and
 * `scale` must be float32 with the same shape; the active backend must be one of KERNEL_BACKENDS. No
 * validation (the caller does it). Outside autodiff it is one kernel call; under autodiff one
 * tf.customGrad whose gradient is either a contraction with the Jacobian from the forward or the
 * backward kernel (see jacobianLimit). `nodes` is the fixed rule's n, or NODES_PER_EVENT for n by each
 * event's σ ratio (FIXED_RULE_NODES); `adaptive` takes the adaptive rule for every event (else only
 * where the fixed rule is not used: discreteLogProbabilitiesForward64).
 */
export function discreteLogProbabilitiesByKernel(loc: tf.Tensor, scale: tf.Tensor, nodes: number, adaptive = false): tf.Tensor {
  registerDiscreteProbabilitiesKernels();
  const attrs = { nodes, adaptive };
  if (!tf.engine().isTapeOn()) return tf.engine().runKernel(FORWARD_KERNEL, { loc, scale }, attrs) as tf.Tensor;
  const m = loc.shape[loc.shape.length - 1];
  const jacobianSize = (loc.size / m) * (m + 1) * 2 * m;
  if (jacobianSize <= jacobianLimit.elements) {
    const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [mu, sigma] = args as tf.Tensor[];
      const save = args[2] as tf.GradSaveFunc;
      const [value, jacobian] = tf.engine().runKernel(FORWARD_JACOBIAN_KERNEL, { loc: mu, scale: sigma }, attrs) as tf.Tensor[];
      save([jacobian]);
      return {
        value,
        // Saved tensors, not the closure's: customGrad disposes the forward's temporaries (docs/performance.md §2).
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          // d/d(μ, σ) = Σ_k dy_k·J[k, :], then split into the μ and σ halves.
          const grad = tf.sum(tf.mul(tf.expandDims(dy, -1), saved[0]), -2);
          return tf.split(grad, 2, -1);
        },
      };
    });
    return op(loc, scale);
  }
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [mu, sigma] = args as tf.Tensor[];
    const save = args[2] as tf.GradSaveFunc;
    const value = tf.engine().runKernel(FORWARD_KERNEL, { loc: mu, scale: sigma }, attrs) as tf.Tensor;
    save([mu, sigma]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.engine().runKernel(
          BACKWARD_KERNEL,
          { loc: saved[0], scale: saved[1], dy: dy.dtype === "float32" ? dy : tf.cast(dy, "float32") },
          attrs,
        ) as tf.Tensor[],
    };
  });
  return op(loc, scale);
}
