// Proposition 2 (appendix eq. 7): the law of H = argmax(softmax++(y/τ)) for y ~ N(μ, diag σ²), δ = 1.
// With δ = 1 the argmax does not depend on τ (docs/paper.md §1.5), so this is the discrete law of
// every IGR-I sample at every temperature, and the τ → 0 law of Proposition 1.
import * as tf from "@tensorflow/tfjs";
import { logNdtr } from "../core/normal";
import { discreteLogProbabilitiesByKernel, KERNEL_BACKENDS } from "../kernels/discreteProbabilitiesKernels";
import { FIXED_RULE_BOX, FIXED_RULE_LARGE_K, FIXED_RULE_NODES, NODES_PER_EVENT, nodesForScaleRatio, ruleTables, SPLIT_RATIO } from "../kernels/discreteProbabilitiesRule64";

/** Options of `discreteProbabilities` / `discreteLogProbabilities`. */
export interface DiscreteProbabilitiesOptions {
  /**
   * Half-range Gauss–Hermite size n: 2n nodes for the shifted rule, n nodes for each half of the
   * split rule, so 2n integrand evaluations per category. Default: by the σ ratio max σ / min σ, n = 24
   * up to 2, 32 up to 3, 48 up to 5 (FIXED_RULE_NODES), per event on the kernel path and the largest
   * any event of the call needs on the "ops" path; that is what keeps the 1e−5 bound. A given n is
   * used for every fixed-rule event; smaller n is faster and less accurate.
   */
  nodes?: number;
  /**
   * Read `loc` and `scale` (one synchronous download) and throw if a value is not finite or a scale
   * is ≤ 0 (default true); on the "ops" path also if the parameters are outside the accuracy box,
   * which that path cannot leave accurately. Turn it off inside hot loops: it guards against bad
   * input, not inaccuracy (the kernels are accurate at every finite μ and σ > 0). The same option
   * name as every distribution and bijector.
   */
  validateArgs?: boolean;
  /** @deprecated The former name of `validateArgs` (still honoured when `validateArgs` is not given). */
  validate?: boolean;
  /**
   * Quadrature on the kernel path (default "auto"): "auto" takes the fixed Gauss–Hermite rule for
   * events inside DISCRETE_PROBABILITIES_BOX (fast) and the adaptive rule for the others; "adaptive"
   * takes the adaptive rule for every event (~20x slower, and accurate to ~1e−8 relative in log P
   * also for the tiny probabilities the fixed rule only gets to 1e−5 absolute).
   */
  rule?: "auto" | "adaptive";
  /**
   * How the rule is evaluated (default "auto"): "kernel" runs two custom kernels (a Float64 JS loop,
   * forward and analytic backward; 'wasm' and 'cpu' backends only, else an error), "ops" composes tfjs
   * ops (float32, any backend; 10–35x slower), "auto" takes "kernel" where it exists. Same split and box
   * either way; with a given `nodes` the two agree to float32 rounding (tested); by default the kernels
   * pick n per event and "ops" one n per call (the largest), both within 1e−5 of the exact values.
   */
  implementation?: "auto" | "kernel" | "ops";
}

/**
 * The box documented on `discreteProbabilities`: where the fast fixed rule is used by default (and
 * accurate to 1e−5 absolute); a performance hint on the kernel path, the accuracy limit of the "ops" path.
 */
export const DISCRETE_PROBABILITIES_BOX = Object.freeze({
  /** Largest σ_j / σ_i within one event (one variable's K−1 scales); FIXED_RULE_LARGE_K's when K > 30. */
  maxScaleRatio: FIXED_RULE_NODES[FIXED_RULE_NODES.length - 1].scaleRatio,
  /** Largest number of categories K. */
  maxCategories: 100,
  /** Largest |μ_k / σ_k|. */
  maxAbsRatio: FIXED_RULE_BOX.absRatio,
});

/**
 * P(H = k) for k = 1..K (appendix eq. 7), `[..., K−1] -> [..., K]`, float32, differentiable in
 * `loc` and `scale` through tfjs autodiff. `loc` and `scale` broadcast against each other; `scale` is
 * the standard deviation σ (the appendix writes N(μ, σ) but means std σ).
 *
 *   P(H = k) = ∫_0^∞ (1/σ_k) φ((t − μ_k)/σ_k) Π_{j≠k} Φ((t − μ_j)/σ_j) dt,   k < K
 *   P(H = K) = Π_j Φ(−μ_j/σ_j)   (closed form, computed in log space, never as 1 − Σ)
 *
 * (The printed eq. (7) drops the 1/σ_k; its proof, eq. (11), has it.)
 *
 * Method. Write s = (t − μ_k)/σ_k, so P(H = k) = ∫_{−r}^∞ φ(s) G_k(s) ds with r = μ_k/σ_k and
 * G_k(s) = Π_{j≠k} Φ((μ_k − μ_j + σ_k s)/σ_j). Everything is summed in log space (logsumexp of
 * log-weights plus Σ log Φ), so nothing underflows.
 * - r < 5.5: shifted half-range Gauss–Hermite, s = −r + √2·x with the 2n-point rule for e^{−x²} on
 *   [0, ∞). At r = 0 this is the authors' rule (docs/paper.md §5); for r > 0 the factor e^{√2 r x}
 *   grows, which is why their 15-point rule fails beyond r ≈ 5.
 * - r ≥ 5.5: split at the mode, ∫_{−r}^∞ = ∫_0^∞ φ(s)[G(s) + G(−s)] ds − ∫_r^∞ φ(s) G(−s) ds, each
 *   half by the n-point rule with no exponential factor; the last term is ≤ Φ(−r) ≤ 1.9e−8 (and
 *   ≤ 4e−8 relative to P(H = k)) and is dropped.
 *
 * Accuracy. The node count n follows the event's σ ratio max σ / min σ: n = 24 up to 2, 32 up to 3,
 * 48 up to 5 (up to 4 when K > 30; FIXED_RULE_NODES), each chosen so that every probability is within
 * 1e−5 absolute of the adaptive rule also for the worst layouts found (one wide category among narrow
 * ones; docs/paper.md §5 has the table: n = 24 alone is off by up to 4.4e−5 in the eq. (15) box and
 * 2.2e−3 at ratio 8; test/kernels/discreteProbabilitiesNodes.test.ts); a tiny probability is then
 * right in absolute terms only (its log can be off by 1e−3 relative at P ≈ e^{−5}, more further
 * down). On the kernel path every other event (σ ratio beyond the tiers, or some |μ_k/σ_k| > 50)
 * takes an adaptive rule (discreteProbabilitiesAdaptive64.ts: the integrand is log-concave, so the
 * rule finds its mode and integrates around it by adaptive Gauss–Kronrod, in log space): log P and
 * its gradient to ~1e−8 relative for any finite μ and σ > 0 (measured to 1e−6 against an independent
 * Float64 reference for |μ/σ| up to 1e3, σ ratios up to 1e3 and K up to 100:
 * test/discrete/discreteProbabilitiesAccuracy.test.ts), so the box is a performance hint there, not a
 * correctness limit. `rule: "adaptive"` takes the adaptive rule for every event. Rows sum to 1 within
 * the same tolerance (they are not renormalised). A given `nodes` is used for every event with σ ratio
 * ≤ 8 and |μ_k/σ_k| ≤ 50 (FIXED_RULE_BOX), at that n's accuracy. The op-based path has only the fixed
 * rule, one n per call (the largest its events need): with `validateArgs` it refuses parameters
 * outside the box; with `validateArgs: false` its error grows smoothly with the scale ratio.
 *
 * Evaluation (option `implementation`). On the 'wasm' and 'cpu' backends the rule runs as two custom
 * kernels, a Float64 JS loop forward and an analytic backward (discreteProbabilitiesKernels.ts,
 * discreteProbabilitiesRule64.ts): same rule, split and box, float32 only at the output, 10–12x faster
 * than the op-based float32 form below (100 × 20 variables, K = 10: bench/discrete.ts), which remains
 * the path for other backends (tfjs-node). Both are tested against each other and the references.
 * With `validateArgs: false`, an event with a non-finite μ or a σ ≤ 0 gives NaN on the kernel path.
 * For gradients of log-probabilities use `discreteLogProbabilities`: log of `discreteProbabilities`
 * is −∞ with a NaN gradient where a probability underflows float32 (P < 1e−45).
 */
export function discreteProbabilities(
  loc: tf.Tensor,
  scale: tf.Tensor,
  options: DiscreteProbabilitiesOptions = {},
): tf.Tensor {
  return tf.tidy(() => tf.exp(discreteLogProbabilities(loc, scale, options)));
}

/**
 * log P(H = k), `[..., K−1] -> [..., K]`: the log-space form of `discreteProbabilities` (same method,
 * box and options); finite even where the probability underflows float32.
 */
export function discreteLogProbabilities(
  loc: tf.Tensor,
  scale: tf.Tensor,
  { nodes, validateArgs, validate, implementation = "auto", rule = "auto" }: DiscreteProbabilitiesOptions = {},
): tf.Tensor {
  if (nodes !== undefined && (!Number.isInteger(nodes) || nodes < 2 || nodes > 50)) {
    throw new Error(`discreteProbabilities: nodes must be an integer in [2, 50], got ${nodes}`);
  }
  if (loc.rank < 1 || scale.rank < 1) {
    throw new Error(
      `discreteProbabilities: loc and scale must have a last axis of K−1 categories, got shapes [${loc.shape}] and [${scale.shape}]`,
    );
  }
  let shape: number[];
  try {
    shape = tf.broadcast_util.assertAndGetBroadcastShape(loc.shape, scale.shape);
  } catch {
    throw new Error(`discreteProbabilities: loc shape [${loc.shape}] and scale shape [${scale.shape}] do not broadcast`);
  }
  const m = shape[shape.length - 1];
  if (m < 1) throw new Error(`discreteProbabilities: need K−1 ≥ 1 categories on the last axis, got shape [${shape}]`);
  if (rule !== "auto" && rule !== "adaptive") throw new Error(`discreteProbabilities: rule must be "auto" or "adaptive", got ${String(rule)}`);
  const byKernel = useKernel(implementation);
  if (rule === "adaptive" && !byKernel) {
    throw new Error(`discreteProbabilities: rule "adaptive" needs the kernel path (${KERNEL_BACKENDS.join(" or ")} backend); the active one is ${tf.getBackend()}`);
  }
  if (validateArgs ?? validate ?? true) validateParameters(loc, scale, shape, !byKernel);
  if (byKernel) {
    return tf.tidy(() =>
      discreteLogProbabilitiesByKernel(
        tf.broadcastTo(tf.cast(loc, "float32"), shape),
        tf.broadcastTo(tf.cast(scale, "float32"), shape),
        nodes ?? NODES_PER_EVENT,
        rule === "adaptive",
      ),
    );
  }
  return logProbabilitiesByOps(loc, scale, shape, nodes ?? opsNodes(scale, m + 1));
}

/** The "ops" path's default n: one tensor program, so the n of its widest σ ratio (FIXED_RULE_NODES). */
function opsNodes(scale: tf.Tensor, categories: number): number {
  const ratio = tf.tidy(() => {
    const sigma = tf.cast(scale, "float32");
    return tf.max(tf.div(tf.max(sigma, -1), tf.min(sigma, -1))).dataSync()[0];
  });
  // Beyond the tiers (only reachable with validateArgs: false) the largest n, the best this path has.
  return nodesForScaleRatio(ratio, categories) || FIXED_RULE_NODES[FIXED_RULE_NODES.length - 1].nodes;
}

/** The one place where the evaluation path is chosen, by backend name. */
function useKernel(implementation: "auto" | "kernel" | "ops"): boolean {
  const backend = tf.getBackend();
  const available = KERNEL_BACKENDS.includes(backend);
  if (implementation === "ops") return false;
  if (implementation === "auto") return available;
  if (implementation === "kernel") {
    if (!available) {
      throw new Error(
        `discreteProbabilities: implementation "kernel" needs the ${KERNEL_BACKENDS.join(" or ")} backend, the active one is ${backend}; use "auto" or "ops"`,
      );
    }
    return true;
  }
  throw new Error(`discreteProbabilities: implementation must be "auto", "kernel" or "ops", got ${String(implementation)}`);
}

/** The rule composed of tfjs ops (float32): the path for backends without the kernels. */
function logProbabilitiesByOps(loc: tf.Tensor, scale: tf.Tensor, shape: number[], nodes: number): tf.Tensor {
  const m = shape[shape.length - 1];
  // The kernels' tables (one definition of both rules); the split rule is taken positive nodes first.
  const tables = ruleTables(nodes);
  const slots = tables.slots;
  const positiveSplit = Array.from(tables.splitNode.slice(nodes));
  const positiveSplitLogWeight = Array.from(tables.splitLogWeight.slice(nodes));

  return tf.tidy(() => {
    const mu = tf.broadcastTo(tf.cast(loc, "float32"), shape);
    const sigma = tf.broadcastTo(tf.cast(scale, "float32"), shape);
    const ratio = tf.div(mu, sigma); // r_k = μ_k/σ_k, [..., m]
    const r = tf.expandDims(ratio, -1); // [..., m, 1]

    // Shifted rule: s = −r + √2 x; φ(−r + √2x)·√2 = e^{−x²}·e^{−r²/2 + √2 r x}/√π gives the log weight.
    const xDirect = tf.tensor1d(Array.from(tables.shiftedNode));
    const lwDirect = tf.tensor1d(Array.from(tables.shiftedLogWeight));
    const sShifted = tf.add(tf.neg(r), xDirect); // [..., m, slots]
    const lwShifted = tf.add(lwDirect, tf.sub(tf.mul(r, xDirect), tf.mul(tf.square(r), 0.5)));

    // Split rule: nodes ±√2 x at fixed positions, log weight log(w/√π).
    const sSplit = tf.tensor1d([...positiveSplit, ...positiveSplit.map((x) => -x)]);
    const lwSplit = tf.tensor1d([...positiveSplitLogWeight, ...positiveSplitLogWeight]);

    const slotShape = [...shape, slots];
    const useSplit = tf.broadcastTo(tf.greaterEqual(r, SPLIT_RATIO), slotShape);
    const s = tf.where(useSplit, tf.broadcastTo(sSplit, slotShape), sShifted);
    const logWeight = tf.where(useSplit, tf.broadcastTo(lwSplit, slotShape), lwShifted);

    // Arguments of Φ: z[..., k, j, i] = (μ_k − μ_j + σ_k s[..., k, i]) / σ_j.
    const tK = tf.add(tf.expandDims(mu, -1), tf.mul(tf.expandDims(sigma, -1), s)); // t at the nodes, [..., m, slots]
    const z = tf.div(
      tf.sub(tf.expandDims(tK, -2), tf.expandDims(tf.expandDims(mu, -2), -1)), // [..., m, m, slots]
      tf.expandDims(tf.expandDims(sigma, -2), -1),
    );
    const logCdf = logNdtr(z);
    // Drop j = k (a where, not a subtraction of log Φ_k, which is NaN when it is −inf; docs/paper.md §11, trap 4).
    const offDiagonal = tf.expandDims(tf.sub(1, tf.eye(m)), -1).cast("bool"); // [m, m, 1]
    const logG = tf.sum(tf.where(tf.broadcastTo(offDiagonal, z.shape), logCdf, tf.zerosLike(logCdf)), -2);
    const logInner = tf.logSumExp(tf.add(logWeight, logG), -1); // [..., m]

    const logLast = tf.sum(logNdtr(tf.neg(ratio)), -1, true); // log Π_j Φ(−μ_j/σ_j), [..., 1]
    return tf.concat([logInner, logLast], -1);
  });
}

/** Finite μ and σ > 0 always; the box only when `checkBox` (the op-based path). */
function validateParameters(loc: tf.Tensor, scale: tf.Tensor, shape: number[], checkBox: boolean): void {
  const [mu, sigma] = tf.tidy(() => [
    tf.broadcastTo(tf.cast(loc, "float32"), shape).dataSync(),
    tf.broadcastTo(tf.cast(scale, "float32"), shape).dataSync(),
  ]);
  const m = shape[shape.length - 1];
  const box = DISCRETE_PROBABILITIES_BOX;
  if (checkBox && m + 1 > box.maxCategories) {
    throw new Error(
      `discreteProbabilities: K = ${m + 1} categories is outside the accuracy box (K ≤ ${box.maxCategories}); pass { validateArgs: false } to evaluate anyway`,
    );
  }
  const maxScaleRatio = m + 1 > FIXED_RULE_LARGE_K.categories ? FIXED_RULE_LARGE_K.scaleRatio : box.maxScaleRatio;
  for (let e = 0; e < mu.length; e += m) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = e; k < e + m; k++) {
      if (!Number.isFinite(mu[k])) throw new Error(`discreteProbabilities: loc must be finite, got ${mu[k]} at flat index ${k}`);
      if (!(sigma[k] > 0) || !Number.isFinite(sigma[k])) {
        throw new Error(`discreteProbabilities: scale must be finite and > 0, got ${sigma[k]} at flat index ${k}`);
      }
      const ratio = mu[k] / sigma[k];
      if (checkBox && Math.abs(ratio) > box.maxAbsRatio) {
        throw new Error(
          `discreteProbabilities: |loc/scale| = ${Math.abs(ratio)} at flat index ${k} is outside the tested box (≤ ${box.maxAbsRatio}); bound the parameters (boundedParameters) or pass { validateArgs: false }`,
        );
      }
      lo = Math.min(lo, sigma[k]);
      hi = Math.max(hi, sigma[k]);
    }
    if (checkBox && hi / lo > maxScaleRatio) {
      throw new Error(
        `discreteProbabilities: scale ratio max/min = ${hi / lo} within the event at flat index ${e} is outside the accuracy box (≤ ${maxScaleRatio} at K = ${m + 1}); bound the scales (boundedParameters), use the 'wasm' or 'cpu' backend (accurate there), or pass { validateArgs: false, nodes: 50 } and check the accuracy yourself`,
      );
    }
  }
}
