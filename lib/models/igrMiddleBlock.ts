// The IGR-I / IGR-SB "middle block" of the VAE as one op (performance.md §3.4): from the encoder's
// [μ | log σ] and the noise ε to the relaxed sample ψ (all K coordinates of every variable) and the
// per-example KL, with a hand-written gradient.
//
//   σ = exp(ξ),  κ = μ + σ ε,  λ = κ (IGR-I) or sticks(κ) (IGR-SB: η_k = v_k Π_{j<k}(1 − v_j), v = sigmoid κ),
//   ψ = softmax++(λ/τ) with δ = 1, i.e. softmax of [λ/τ, 0] (paper-notes §1.1),
//   KL = Σ_coordinates KL(N(μ, σ²) ‖ N(μ₀, σ₀²))   ("closed-form"), or the single-sample estimate
//        Σ log N(κ; μ, σ) − log N(κ; μ₀, σ₀)          ("monte-carlo", the authors' choice, notes §2.1).
// Both q and the prior go through the same maps after the Gaussian, so the softmax++ and
// stick-breaking Jacobians cancel and the KL lives in κ-space (notes §2.1, §2.3).
//
// Why a kernel: written with tfjs ops this block is ~60 small ops forward and backward, each costing
// 5–20 µs of engine overhead on wasm; as two JS kernels it is two calls (−2.5 ms per step,
// performance.md §1 row 22). The kernels run in float64 JS over the inputs and write float32.
// They are registered for every backend that can hand us typed arrays (wasm through heap views,
// cpu and tfjs-node through readSync). test/models/igrMiddleBlock.test.ts checks values and
// gradients against the library's distributions composed with tfjs autodiff.
import * as tf from "@tensorflow/tfjs";

export type MiddleMap = "identity" | "stick-breaking";

export interface MiddleBlockOptions {
  numVariables: number;
  numCategories: number;
  temperature: number;
  map: MiddleMap;
  kl: "closed-form" | "monte-carlo";
  /** Sticking-the-landing gradient of the Monte Carlo KL (stop-gradient on μ, σ inside log q). */
  stickTheLanding: boolean;
  /** Prior location per Gaussian coordinate (K−1 numbers, shared by all variables). */
  priorLoc: number[];
  /** Prior scale per Gaussian coordinate (K−1 numbers > 0). */
  priorScale: number[];
}

const FORWARD = "IgrMiddleForward";
const BACKWARD = "IgrMiddleBackward";
const BACKENDS = ["cpu", "wasm", "tensorflow"];

type KernelArgs = Parameters<ReturnType<typeof tf.getKernel>["kernelFunc"]>[0];

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}
interface ReadableBackend {
  readSync(dataId: unknown): unknown;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

/**
 * Runs `compute(inputs, output)` on typed arrays. On wasm the output is allocated first and then
 * every view is taken (allocation can grow the heap and detach older views); elsewhere the inputs
 * are read synchronously and the output handed to the backend.
 */
function runJs(backend: unknown, inputs: tf.TensorInfo[], outShape: number[], compute: (xs: Float32Array[], out: Float32Array) => void): tf.TensorInfo {
  const wasm = backend as Partial<WasmLike>;
  if (typeof wasm.typedArrayFromHeap === "function" && typeof wasm.makeOutput === "function") {
    const out = wasm.makeOutput(outShape, "float32");
    const views = inputs.map((t) => wasm.typedArrayFromHeap!(t));
    compute(views, wasm.typedArrayFromHeap(out));
    return out;
  }
  const plain = backend as ReadableBackend;
  const arrays = inputs.map((t) => plain.readSync(t.dataId) as Float32Array);
  const out = new Float32Array(outShape.reduce((a, b) => a * b, 1));
  compute(arrays, out);
  return plain.makeTensorInfo(outShape, "float32", out);
}

function attrsOf(args: KernelArgs): MiddleBlockOptions {
  return args.attrs as unknown as MiddleBlockOptions;
}

/** log sigmoid(x) without overflow. */
function logSigmoid(x: number): number {
  return x < 0 ? x - Math.log1p(Math.exp(x)) : -Math.log1p(Math.exp(-x));
}

/** Per-variable scratch, reused across rows. */
interface Scratch {
  sigma: Float64Array;
  kappa: Float64Array;
  lambda: Float64Array;
  v: Float64Array;
  z: Float64Array;
}

function scratch(n: number): Scratch {
  return { sigma: new Float64Array(n), kappa: new Float64Array(n), lambda: new Float64Array(n), v: new Float64Array(n), z: new Float64Array(n + 1) };
}

/**
 * Fills s.sigma, s.kappa, s.lambda (and s.v for stick-breaking) and s.z (K entries) for one variable
 * of one row; returns that variable's KL contribution.
 */
function forwardVariable(o: MiddleBlockOptions, params: Float32Array, eps: Float32Array, pBase: number, xiBase: number, eBase: number, s: Scratch): number {
  const n = o.numCategories - 1;
  const tau = o.temperature;
  let kl = 0;
  let cumLog1mV = 0;
  let max = 0; // the extra logit log δ = 0 is part of the max
  for (let k = 0; k < n; k++) {
    const mu = params[pBase + k];
    const xi = params[xiBase + k];
    const e = eps[eBase + k];
    const sigma = Math.exp(xi);
    const kappa = mu + sigma * e;
    s.sigma[k] = sigma;
    s.kappa[k] = kappa;
    let lambda = kappa;
    if (o.map === "stick-breaking") {
      const logV = logSigmoid(kappa);
      s.v[k] = Math.exp(logV);
      lambda = Math.exp(logV + cumLog1mV);
      cumLog1mV += logSigmoid(-kappa);
    }
    s.lambda[k] = lambda;
    const a = lambda / tau;
    if (a > max) max = a;
    const m0 = o.priorLoc[k];
    const s0 = o.priorScale[k];
    if (o.kl === "closed-form") {
      const d = mu - m0;
      kl += Math.log(s0) - xi + (sigma * sigma + d * d) / (2 * s0 * s0) - 0.5;
    } else {
      const d = kappa - m0;
      kl += -xi - 0.5 * e * e + Math.log(s0) + (d * d) / (2 * s0 * s0);
    }
  }
  let total = Math.exp(-max);
  for (let k = 0; k < n; k++) total += Math.exp(s.lambda[k] / tau - max);
  const lse = max + Math.log(total);
  for (let k = 0; k < n; k++) s.z[k] = Math.exp(s.lambda[k] / tau - lse);
  s.z[n] = Math.exp(-lse);
  return kl;
}

function forwardKernel(args: KernelArgs): tf.TensorInfo {
  const o = attrsOf(args);
  const params = args.inputs.params as tf.TensorInfo;
  const eps = args.inputs.eps as tf.TensorInfo;
  const rows = params.shape[0];
  const V = o.numVariables;
  const K = o.numCategories;
  const n = K - 1;
  const M = V * n;
  const width = V * K + 1;
  return runJs(args.backend, [params, eps], [rows, width], ([p, e], out) => {
    const s = scratch(n);
    for (let r = 0; r < rows; r++) {
      let kl = 0;
      for (let v = 0; v < V; v++) {
        kl += forwardVariable(o, p, e, r * 2 * M + v * n, r * 2 * M + M + v * n, r * M + v * n, s);
        const oBase = r * width + v * K;
        for (let k = 0; k < K; k++) out[oBase + k] = s.z[k];
      }
      out[r * width + V * K] = kl;
    }
  });
}

function backwardKernel(args: KernelArgs): tf.TensorInfo {
  const o = attrsOf(args);
  const dy = args.inputs.dy as tf.TensorInfo;
  const params = args.inputs.params as tf.TensorInfo;
  const eps = args.inputs.eps as tf.TensorInfo;
  const rows = params.shape[0];
  const V = o.numVariables;
  const K = o.numCategories;
  const n = K - 1;
  const M = V * n;
  const width = V * K + 1;
  const tau = o.temperature;
  return runJs(args.backend, [dy, params, eps], [rows, 2 * M], ([g, p, e], out) => {
    const s = scratch(n);
    const dLambda = new Float64Array(n);
    for (let r = 0; r < rows; r++) {
      const gKl = g[r * width + V * K];
      for (let v = 0; v < V; v++) {
        const pBase = r * 2 * M + v * n;
        const xiBase = pBase + M;
        const eBase = r * M + v * n;
        forwardVariable(o, p, e, pBase, xiBase, eBase, s);
        // softmax Jacobian over all K outputs (the extra logit is a constant): dL/da_j = z_j (g_j − Σ_k z_k g_k).
        const gBase = r * width + v * K;
        let dot = 0;
        for (let k = 0; k < K; k++) dot += s.z[k] * g[gBase + k];
        for (let k = 0; k < n; k++) dLambda[k] = (s.z[k] * (g[gBase + k] - dot)) / tau;
        // Stick-breaking: ∂η_j/∂κ_j = η_j (1 − v_j), ∂η_k/∂κ_j = −η_k v_j for k > j.
        let tail = 0;
        for (let k = n - 1; k >= 0; k--) {
          let dKappa = dLambda[k];
          if (o.map === "stick-breaking") {
            dKappa = dLambda[k] * s.lambda[k] * (1 - s.v[k]) - s.v[k] * tail;
            tail += dLambda[k] * s.lambda[k];
          }
          const mu = p[pBase + k];
          const ek = e[eBase + k];
          const sigma = s.sigma[k];
          const m0 = o.priorLoc[k];
          const s0sq = o.priorScale[k] * o.priorScale[k];
          let klMu: number;
          let klXi: number;
          if (o.kl === "closed-form") {
            klMu = (mu - m0) / s0sq;
            klXi = -1 + (sigma * sigma) / s0sq;
          } else {
            // −log p(κ) through κ = μ + σε; log q(κ) = −ξ − ε²/2 − const has no μ path (ε is fixed).
            const prior = (s.kappa[k] - m0) / s0sq;
            klMu = prior;
            klXi = prior * sigma * ek - 1;
            if (o.stickTheLanding) {
              // log N(κ; sg μ, sg σ): only the path through κ, ∂/∂κ = −ε/σ.
              klMu += -ek / sigma;
              klXi += 1 - ek * ek;
            }
          }
          out[r * 2 * M + v * n + k] = dKappa + gKl * klMu;
          out[r * 2 * M + M + v * n + k] = dKappa * sigma * ek + gKl * klXi;
        }
      }
    }
  });
}

let registered = false;

/** Registers the two kernels for cpu, wasm and tfjs-node (idempotent). */
export function registerMiddleBlockKernels(): void {
  if (registered) return;
  for (const backendName of BACKENDS) {
    if (!tf.getKernel(FORWARD, backendName)) tf.registerKernel({ kernelName: FORWARD, backendName, kernelFunc: forwardKernel as never });
    if (!tf.getKernel(BACKWARD, backendName)) tf.registerKernel({ kernelName: BACKWARD, backendName, kernelFunc: backwardKernel as never });
  }
  registered = true;
}

/**
 * [ψ (V·K values, variable-major, categories last) | KL] per row, [rows, V·K + 1], for
 * params = [μ | log σ] ([rows, 2·V·(K−1)], coordinate index v·(K−1) + k) and ε [rows, V·(K−1)].
 * Differentiable in params (ε is noise: no gradient).
 */
export function igrMiddleBlock(params: tf.Tensor2D, eps: tf.Tensor2D, options: MiddleBlockOptions): tf.Tensor2D {
  registerMiddleBlockKernels();
  const V = options.numVariables;
  const n = options.numCategories - 1;
  if (params.rank !== 2 || params.shape[1] !== 2 * V * n) throw new Error(`igrMiddleBlock: params must be [rows, ${2 * V * n}]; got [${params.shape}]`);
  if (eps.rank !== 2 || eps.shape[0] !== params.shape[0] || eps.shape[1] !== V * n) throw new Error(`igrMiddleBlock: eps must be [${params.shape[0]}, ${V * n}]; got [${eps.shape}]`);
  if (options.priorLoc.length !== n || options.priorScale.length !== n) throw new Error(`igrMiddleBlock: priorLoc and priorScale need ${n} entries; got ${options.priorLoc.length} and ${options.priorScale.length}`);
  const attrs = { ...options } as unknown as tf.NamedAttrMap;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [p, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const value = tf.engine().runKernel(FORWARD, { params: p, eps }, attrs) as tf.Tensor2D;
    save([p, eps]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.engine().runKernel(BACKWARD, { dy, params: saved[0], eps: saved[1] }, attrs) as tf.Tensor,
    };
  });
  return op(params) as tf.Tensor2D;
}
