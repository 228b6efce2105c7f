// THE fast path of the IGR-I / IGR-SB VAE latent (models/latent.ts: igrFastLatent; the library route it
// replaces is igrReferenceLatent). The "middle block" as one op (docs/performance.md §3.4): from the encoder's
// [μ | log σ] and the noise ε to the relaxed sample ψ (all K coordinates of every variable) and the
// per-example KL, with a hand-written gradient.
//
//   σ = exp(ξ),  κ = μ + σ ε,  y = κ (IGR-I) or sticks(κ) (IGR-SB: η_k = v_k Π_{j<k}(1 − v_j), v = sigmoid κ),
//   ψ = softmax++(y/τ) with δ = 1, i.e. softmax of [y/τ, 0] (docs/paper.md §1.1),
//   KL = Σ_coordinates KL(N(μ, σ²) ‖ N(μ₀, σ₀²))   ("closed-form"), or the single-sample estimate
//        Σ log N(κ; μ, σ) − log N(κ; μ₀, σ₀)          ("monte-carlo", the authors' choice, docs/paper.md §2.1).
// Both q and the prior go through the same maps after the Gaussian, so the softmax++ and
// stick-breaking Jacobians cancel and the KL lives in κ-space (docs/paper.md §2.1, §2.3).
//
// Why a kernel: written with tfjs ops this block is ~60 small ops forward and backward, each costing
// 5–20 µs of engine overhead on wasm; as two JS kernels it is two calls (−2.5 ms per step,
// docs/performance.md §1 row 22). The kernels run in float64 JS over the inputs and write float32.
// They are registered for every backend that can hand us typed arrays (wasm through heap views,
// cpu and tfjs-node through readSync). test/kernels/igrMiddleBlock.test.ts checks values and
// gradients against the library's distributions composed with tfjs autodiff.
import * as tf from "@tensorflow/tfjs";
import * as special from "../core/special";
import { runOnTypedArrays } from "./typedArrays";

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

/** The options as the inner loops want them: flags, and per-coordinate prior constants. */
interface Prepared {
  V: number;
  K: number;
  n: number;
  tau: number;
  stickBreaking: boolean;
  closedForm: boolean;
  stickTheLanding: boolean;
  /** μ₀, 1/σ₀², 1/(2σ₀²) and log σ₀ per Gaussian coordinate. */
  loc: Float64Array;
  invVar: Float64Array;
  halfInvVar: Float64Array;
  logScale: Float64Array;
}

function prepare(args: KernelArgs): Prepared {
  const o = args.attrs as unknown as MiddleBlockOptions;
  const n = o.numCategories - 1;
  const scale = Float64Array.from(o.priorScale);
  return {
    V: o.numVariables,
    K: o.numCategories,
    n,
    tau: o.temperature,
    stickBreaking: o.map === "stick-breaking",
    closedForm: o.kl === "closed-form",
    stickTheLanding: o.stickTheLanding,
    loc: Float64Array.from(o.priorLoc),
    invVar: scale.map((s0) => 1 / (s0 * s0)),
    halfInvVar: scale.map((s0) => 1 / (2 * s0 * s0)),
    logScale: scale.map(Math.log),
  };
}

// Bound once: an imported name read in a hot loop may compile to a getter call (see discreteProbabilitiesRule64.ts).
const logSigmoid = special.logSigmoid64;

/**
 * Stick-breaking y_k = v_k Π_{j<k}(1 − v_j), v = sigmoid(κ), for one variable, in log space
 * (no underflow of the running product); fills lambda and v from kappa.
 */
function sticks(kappa: Float64Array, lambda: Float64Array, v: Float64Array, n: number): void {
  let cumLog1mV = 0;
  for (let k = 0; k < n; k++) {
    const logV = logSigmoid(kappa[k]);
    v[k] = Math.exp(logV);
    lambda[k] = Math.exp(logV + cumLog1mV);
    cumLog1mV += logSigmoid(-kappa[k]);
  }
}

function forwardKernel(args: KernelArgs): tf.TensorInfo {
  const c = prepare(args);
  const params = args.inputs.params as tf.TensorInfo;
  const eps = args.inputs.eps as tf.TensorInfo;
  const rows = params.shape[0];
  const { V, K, n, tau, stickBreaking, closedForm, loc, halfInvVar, logScale } = c;
  const M = V * n;
  const width = V * K + 1;
  return runOnTypedArrays(args.backend, [params, eps], [[rows, width]], ([p, e], [out]) => {
    const kappa = new Float64Array(n);
    const lambda = new Float64Array(n);
    const v = new Float64Array(n);
    const ex = new Float64Array(n);
    for (let r = 0; r < rows; r++) {
      let kl = 0;
      for (let j = 0; j < V; j++) {
        const pBase = r * 2 * M + j * n;
        const xiBase = pBase + M;
        const eBase = r * M + j * n;
        for (let k = 0; k < n; k++) {
          const mu = p[pBase + k];
          const xi = p[xiBase + k];
          const ek = e[eBase + k];
          const sigma = Math.exp(xi);
          const kap = mu + sigma * ek;
          kappa[k] = kap;
          if (closedForm) {
            const d = mu - loc[k];
            kl += logScale[k] - xi + (sigma * sigma + d * d) * halfInvVar[k] - 0.5;
          } else {
            const d = kap - loc[k];
            kl += -xi - 0.5 * ek * ek + logScale[k] + d * d * halfInvVar[k];
          }
        }
        if (stickBreaking) sticks(kappa, lambda, v, n);
        const source = stickBreaking ? lambda : kappa;
        // softmax of [y/τ, log δ = 0]: one exp per coordinate, shifted by the max (which includes 0).
        let max = 0;
        for (let k = 0; k < n; k++) {
          const a = source[k] / tau;
          ex[k] = a;
          if (a > max) max = a;
        }
        const last = Math.exp(-max);
        let total = last;
        for (let k = 0; k < n; k++) {
          const t = Math.exp(ex[k] - max);
          ex[k] = t;
          total += t;
        }
        const inv = 1 / total;
        const oBase = r * width + j * K;
        for (let k = 0; k < n; k++) out[oBase + k] = ex[k] * inv;
        out[oBase + n] = last * inv;
      }
      out[r * width + V * K] = kl;
    }
  })[0];
}

/**
 * Gradient with respect to params from dy, params, ε and the forward output (ψ is read from it
 * instead of being recomputed: one exp per coordinate, for σ, remains).
 */
function backwardKernel(args: KernelArgs): tf.TensorInfo {
  const c = prepare(args);
  const dy = args.inputs.dy as tf.TensorInfo;
  const params = args.inputs.params as tf.TensorInfo;
  const eps = args.inputs.eps as tf.TensorInfo;
  const value = args.inputs.value as tf.TensorInfo;
  const rows = params.shape[0];
  const { V, K, n, tau, stickBreaking, closedForm, stickTheLanding, loc, invVar } = c;
  const M = V * n;
  const width = V * K + 1;
  return runOnTypedArrays(args.backend, [dy, params, eps, value], [[rows, 2 * M]], ([g, p, e, z], [out]) => {
    const kappa = new Float64Array(n);
    const lambda = new Float64Array(n);
    const v = new Float64Array(n);
    const dLambda = new Float64Array(n);
    for (let r = 0; r < rows; r++) {
      const gKl = g[r * width + V * K];
      for (let j = 0; j < V; j++) {
        const pBase = r * 2 * M + j * n;
        const xiBase = pBase + M;
        const eBase = r * M + j * n;
        const gBase = r * width + j * K;
        // softmax Jacobian over all K outputs (the extra logit is a constant): dL/da_k = ψ_k (g_k − Σ_i ψ_i g_i).
        let dot = 0;
        for (let k = 0; k < K; k++) dot += z[gBase + k] * g[gBase + k];
        for (let k = 0; k < n; k++) dLambda[k] = (z[gBase + k] * (g[gBase + k] - dot)) / tau;
        if (stickBreaking) {
          for (let k = 0; k < n; k++) kappa[k] = p[pBase + k] + Math.exp(p[xiBase + k]) * e[eBase + k];
          sticks(kappa, lambda, v, n);
        }
        // Stick-breaking: ∂η_j/∂κ_j = η_j (1 − v_j), ∂η_k/∂κ_j = −η_k v_j for k > j.
        let tail = 0;
        for (let k = n - 1; k >= 0; k--) {
          let dKappa = dLambda[k];
          if (stickBreaking) {
            dKappa = dLambda[k] * lambda[k] * (1 - v[k]) - v[k] * tail;
            tail += dLambda[k] * lambda[k];
          }
          const mu = p[pBase + k];
          const ek = e[eBase + k];
          const sigma = Math.exp(p[xiBase + k]);
          let klMu: number;
          let klXi: number;
          if (closedForm) {
            klMu = (mu - loc[k]) * invVar[k];
            klXi = -1 + sigma * sigma * invVar[k];
          } else {
            // −log p(κ) through κ = μ + σε; log q(κ) = −ξ − ε²/2 − const has no μ path (ε is fixed).
            const prior = (mu + sigma * ek - loc[k]) * invVar[k];
            klMu = prior;
            klXi = prior * sigma * ek - 1;
            if (stickTheLanding) {
              // log N(κ; sg μ, sg σ): only the path through κ, ∂/∂κ = −ε/σ.
              klMu += -ek / sigma;
              klXi += 1 - ek * ek;
            }
          }
          out[pBase + k] = dKappa + gKl * klMu;
          out[xiBase + k] = dKappa * sigma * ek + gKl * klXi;
        }
      }
    }
  })[0];
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
    save([p, eps, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.engine().runKernel(BACKWARD, { dy, params: saved[0], eps: saved[1], value: saved[2] }, attrs) as tf.Tensor,
    };
  });
  return op(params) as tf.Tensor2D;
}
