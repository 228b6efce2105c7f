// ỹ ~ p(y | b): a draw of the continuous noise conditioned on the discrete outcome b = H(y), written
// as a differentiable function of θ with the noise held fixed. RELAX needs exactly this: its term
// −∇_θ c(ỹ) must be an unbiased estimate of −∇_θ E_{p(y|b,θ)}[c(y)] for the fixed b
// (Grathwohl et al. 2018, §3 and appendix B).
import * as tf from "@tensorflow/tfjs";
import { logNdtrWithRatioByTable } from "../core/logNdtrTable64";
import { logNdtrFastWithRatio64 } from "../core/normalFast64";
import { gaussLegendre } from "../core/quadrature";
import { logNormalPdf64 } from "../core/normal";
import { Random64 } from "./rng";

/**
 * GS: y = log p + Gumbel, b = argmax y. With v ~ U(0, 1)^K (Grathwohl et al. 2018, appendix B):
 *   ỹ_b = −log(−log v_b),   ỹ_i = −log(−log v_i / p_i − log v_b)  (i ≠ b),
 * the top-Gumbel / truncated-Gumbel construction; p = softmax(θ) normalized. [..., V, K].
 * ỹ_i is computed as log p_i − log(−log v_i) − softplus(log p_i + log(−log v_b) − log(−log v_i)), the
 * same value: the quotient by p_i has a backward pass through p_i², which underflows in float32 once
 * log p_i < −52 and made a RELAX-GS training run's gradient NaN (an encoder that confident is reached
 * within a few epochs). softplus keeps the op count (and the nested RELAX gradient) small.
 */
export function gumbelConditional(logProbs: tf.Tensor, b: tf.Tensor, uniforms: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const logMinusLogV = tf.log(tf.neg(tf.log(uniforms))); // log(−log v), a constant
    const atB = tf.sum(tf.mul(b, logMinusLogV), -1, true); // log(−log v_b), [..., V, 1]
    const rest = tf.sub(tf.sub(logProbs, logMinusLogV), tf.softplus(tf.add(logProbs, tf.sub(atB, logMinusLogV))));
    return tf.add(tf.mul(b, tf.neg(atB)), tf.mul(tf.sub(1, b), rest));
  });
}

export interface GaussianConditionalResult {
  /** ỹ [..., V, K−1], value an exact draw from p(y | b), gradient the implicit reparameterization. */
  sample: tf.Tensor;
  /** How many (draw, variable) pairs fell back to the forward y after `maxTries` rejections. */
  fallbacks: number;
}


/**
 * IGR: y = μ + σ ε ∈ R^{K−1}, b = argmax [y, 0] (b = K−1, zero-based, is the extra category of
 * softmax++). The law of y given b is the Gaussian restricted to the region {H(y) = b}; there is no
 * closed-form inverse CDF as for the Gumbel, so we (1) draw ỹ exactly by rejection from N(μ, σ²)
 * (up to `maxTries`; otherwise the forward y itself, which is also a draw from p(y | b) and chosen
 * independently of it, so the law stays exact), and (2) give ỹ the implicit reparameterization
 * gradient (Figurnov et al. 2018) of a sequential construction with fixed uniforms:
 *   b = K−1: z_j | b are independent N(μ_j, σ_j²) truncated to (−∞, 0):
 *            v_j = Φ(s_j)/Φ(−μ_j/σ_j), s_j = (z_j − μ_j)/σ_j.
 *   b < K−1: m = z_b has density ∝ g(t) = σ_b⁻¹ φ((t − μ_b)/σ_b) Π_{j≠b} Φ((t − μ_j)/σ_j) on t > 0
 *            (the integrand of Proposition 2, whose total is α_b): v_b = F(m) = ∫_0^m g / α_b;
 *            then z_j | m (j ≠ b) are independent N(μ_j, σ_j²) truncated to (−∞, m).
 * For each noise equation v = G(y, θ), dy/dθ = −(∂G/∂θ)/(∂G/∂y), evaluated in closed form in Float64
 * (`implicitJacobian`) and applied by a custom gradient. ∫_0^m g uses a `nodes`-point Gauss–Legendre
 * rule on [0, m]; α_b is Proposition 2's `logAlpha`, so F(∞) = 1 up to its accuracy.
 *
 * `loc`, `scale` [n, V, K−1] and `logAlpha` [n, V, K] are differentiable in θ; `z` is the forward
 * draw y and `b` the one-hot outcome [n, V, K] (both constants).
 */
export function gaussianArgmaxConditional(
  loc: tf.Tensor,
  scale: tf.Tensor,
  logAlpha: tf.Tensor,
  z: tf.Tensor,
  b: tf.Tensor,
  random: Random64,
  { maxTries = 1000, nodes = 24 }: { maxTries?: number; nodes?: number } = {},
): GaussianConditionalResult {
  const [n, V, M] = loc.shape;
  const K = M + 1;
  const mu = loc.dataSync() as Float32Array;
  const sd = scale.dataSync() as Float32Array;
  const zForward = z.dataSync();
  const categoryTensor = tf.argMax(b, -1);
  const category = categoryTensor.dataSync() as Int32Array;
  categoryTensor.dispose();
  const drawn = new Float32Array(n * V * M);
  let fallbacks = 0;
  const candidate = new Float64Array(M);
  for (let i = 0; i < n * V; i++) {
    if (!rejectionDraw(mu, sd, i * M, M, category[i], maxTries, random, candidate)) {
      fallbacks++;
      for (let j = 0; j < M; j++) drawn[i * M + j] = zForward[i * M + j];
    } else {
      for (let j = 0; j < M; j++) drawn[i * M + j] = candidate[j];
    }
  }

  const jacobian = implicitJacobian(mu, sd, drawn, category, n * V, M, nodes);
  // ỹ has the value of the draw and the gradient dy ↦ (dỹ/dθ)ᵀ dy, written with tf ops that are
  // linear in dy so that RELAX's nested control-variate gradient can differentiate through it.
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[3] as tf.GradSaveFunc;
    const shape3 = [n, V, M] as [number, number, number];
    save([
      tf.tensor3d(jacobian.loc, shape3),
      tf.tensor3d(jacobian.scale, shape3),
      tf.tensor3d(jacobian.viaMax, shape3),
      tf.tensor3d(jacobian.maxLoc, shape3),
      tf.tensor3d(jacobian.maxScale, shape3),
      tf.tensor3d(jacobian.maxLogAlpha, [n, V, K]),
    ]);
    return {
      value: tf.tensor3d(drawn, shape3),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [jLoc, jScale, jViaMax, jMaxLoc, jMaxScale, jMaxLogAlpha] = saved;
        const dMax = tf.sum(tf.mul(dy, jViaMax), -1, true); // total gradient reaching ỹ_b, [n, V, 1]
        return [
          tf.add(tf.mul(dy, jLoc), tf.mul(dMax, jMaxLoc)),
          tf.add(tf.mul(dy, jScale), tf.mul(dMax, jMaxScale)),
          tf.mul(dMax, jMaxLogAlpha),
        ];
      },
    };
  });
  const sample = op(loc, scale, logAlpha);
  return { sample, fallbacks };
}

/**
 * One exact draw of y ~ N(μ, σ²) (row at `offset`, M coordinates) conditioned on argmax [y, 0] =
 * `category`, by rejection into `out`; false after `maxTries` failed tries. A try draws the
 * coordinates one at a time (the winning one first) and stops at the first that settles the
 * outcome, so a rejected try costs fewer normals than M; an accepted try has drawn all M
 * independently, so the accepted vector has the conditional law. Ties (probability 0) are broken
 * towards the lower index, as argmax does.
 */
function rejectionDraw(mu: Float32Array, sd: Float32Array, offset: number, M: number, category: number, maxTries: number, random: Random64, out: Float64Array): boolean {
  tries: for (let t = 0; t < maxTries; t++) {
    if (category === M) {
      // The extra category (logit 0) wins when every coordinate is ≤ 0.
      for (let j = 0; j < M; j++) {
        out[j] = mu[offset + j] + sd[offset + j] * random.normal();
        if (out[j] > 0) continue tries;
      }
      return true;
    }
    const top = mu[offset + category] + sd[offset + category] * random.normal();
    if (!(top > 0)) continue;
    out[category] = top;
    for (let j = 0; j < M; j++) {
      if (j === category) continue;
      out[j] = mu[offset + j] + sd[offset + j] * random.normal();
      if (j < category ? out[j] >= top : out[j] > top) continue tries;
    }
    return true;
  }
  return false;
}

interface ImplicitJacobian {
  /** ∂ỹ_j/∂μ_j and ∂ỹ_j/∂σ_j through the coordinate's own equation (0 at the maximum), [rows·M]. */
  loc: Float32Array;
  scale: Float32Array;
  /** ∂ỹ_j/∂ỹ_b: 1 at the maximum b, through the truncation point elsewhere; 0 on extra-category rows. */
  viaMax: Float32Array;
  /** ∂ỹ_b/∂μ_j, ∂ỹ_b/∂σ_j [rows·M] and ∂ỹ_b/∂log α_k (only k = b is non-zero) [rows·K]. */
  maxLoc: Float32Array;
  maxScale: Float32Array;
  maxLogAlpha: Float32Array;
}

/** Gauss–Legendre rules mapped to [0, 1] (nodes and log weights), by size. */
const unitRules = new Map<number, { xs: Float64Array; logWs: Float64Array }>();
function unitRule(nodes: number): { xs: Float64Array; logWs: Float64Array } {
  let rule = unitRules.get(nodes);
  if (!rule) {
    const r = gaussLegendre(nodes);
    rule = { xs: Float64Array.from(r.nodes, (x) => (x + 1) / 2), logWs: Float64Array.from(r.weights, (w) => Math.log(w / 2)) };
    unitRules.set(nodes, rule);
  }
  return rule;
}

/**
 * The implicit-reparameterization Jacobian of the sequential construction documented on
 * `gaussianArgmaxConditional`, in Float64 at the drawn ỹ (stored as float32), with λ(u) = φ(u)/Φ(u):
 *   coordinate j (upper bound c, s = (ỹ_j − μ_j)/σ_j, u = (c − μ_j)/σ_j, r = λ(u)/λ(s)):
 *     ∂ỹ_j/∂μ_j = 1 − r,   ∂ỹ_j/∂σ_j = s − r·u,   ∂ỹ_j/∂c = r;
 *   maximum m = ỹ_b (F(m) = ∫_0^m g / α_b): ∂m/∂θ = −∂log F/∂θ / (g(m)/∫_0^m g), where
 *     ∂ log ∫_0^m g/∂θ = Σ_q π_q ∂ log g(t_q)/∂θ (π_q the Gauss–Legendre terms' shares) and
 *     ∂ log g/∂μ_b = s_b/σ_b, ∂ log g/∂σ_b = (s_b² − 1)/σ_b, ∂ log g/∂μ_j = −λ(u_j)/σ_j,
 *     ∂ log g/∂σ_j = −λ(u_j)·u_j/σ_j (j ≠ b), and ∂m/∂log α_b = ∫_0^m g / g(m).
 * The λ((m − μ_j)/σ_j) of g(m) are the truncation ratios' λ(u) of the other coordinates: computed once.
 * Inside the Gauss–Legendre sums log Φ and λ come from the cubic table (core/logNdtrTable64.ts), twice as
 * fast; its λ error (3.7e−7 absolute) stays below the 24-node rule's own (docs/performance.md §10). The
 * ratios λ(u)/λ(s) need λ's relative accuracy in the upper tail and keep the direct evaluation.
 */
function implicitJacobian(mu: Float32Array, sd: Float32Array, drawn: Float32Array, category: Int32Array, rows: number, M: number, nodes: number): ImplicitJacobian {
  const K = M + 1;
  const out: ImplicitJacobian = {
    loc: new Float32Array(rows * M),
    scale: new Float32Array(rows * M),
    viaMax: new Float32Array(rows * M),
    maxLoc: new Float32Array(rows * M),
    maxScale: new Float32Array(rows * M),
    maxLogAlpha: new Float32Array(rows * K),
  };
  const { xs, logWs } = unitRule(nodes);
  const ratio = new Float64Array(1);
  const logG = new Float64Array(nodes);
  const dLogGdMu = new Float64Array(nodes * M); // per node q: ∂ log g(t_q)/∂μ_j at q·M + j
  const dLogGdSd = new Float64Array(nodes * M);
  const loc = new Float64Array(M); // the row's μ, 1/σ and λ(u_j)
  const invSd = new Float64Array(M);
  const lambdaU = new Float64Array(M);
  for (let i = 0; i < rows; i++) {
    const base = i * M;
    for (let j = 0; j < M; j++) {
      loc[j] = mu[base + j];
      invSd[j] = 1 / sd[base + j];
    }
    const b = category[i];
    let upper = 0;
    if (b < M) {
      const m = drawn[base + b];
      const logSdB = Math.log(sd[base + b]);
      let top = -Infinity;
      for (let q = 0; q < nodes; q++) {
        const t = m * xs[q];
        const at = q * M;
        const sB = (t - loc[b]) * invSd[b];
        let value = logNormalPdf64(sB) - logSdB;
        for (let j = 0; j < M; j++) {
          if (j === b) continue;
          const u = (t - loc[j]) * invSd[j];
          value += logNdtrWithRatioByTable(u, ratio);
          dLogGdMu[at + j] = -ratio[0] * invSd[j];
          dLogGdSd[at + j] = -ratio[0] * u * invSd[j];
        }
        dLogGdMu[at + b] = sB * invSd[b];
        dLogGdSd[at + b] = (sB * sB - 1) * invSd[b];
        logG[q] = value + logWs[q];
        if (logG[q] > top) top = logG[q];
      }
      let total = 0;
      for (let q = 0; q < nodes; q++) {
        logG[q] = Math.exp(logG[q] - top); // from here on: the unnormalised share of node q
        total += logG[q];
      }
      // log g(m), keeping λ(u_j) at the maximum for the other coordinates' truncation below.
      const sM = (m - loc[b]) * invSd[b];
      let logGm = logNormalPdf64(sM) - logSdB;
      for (let j = 0; j < M; j++) {
        if (j === b) continue;
        logGm += logNdtrFastWithRatio64((m - loc[j]) * invSd[j], ratio);
        lambdaU[j] = ratio[0];
      }
      // dm/dθ = −(∂ log ∫_0^m g/∂θ)·(∫_0^m g / g(m)).
      const inverseSlope = Math.exp(top + Math.log(total) + Math.log(m) - logGm);
      const weight = inverseSlope / total;
      for (let j = 0; j < M; j++) {
        let sumMu = 0;
        let sumSd = 0;
        for (let q = 0; q < nodes; q++) {
          sumMu += logG[q] * dLogGdMu[q * M + j];
          sumSd += logG[q] * dLogGdSd[q * M + j];
        }
        out.maxLoc[base + j] = -weight * sumMu;
        out.maxScale[base + j] = -weight * sumSd;
      }
      out.maxLogAlpha[i * K + b] = inverseSlope;
      out.viaMax[base + b] = 1;
      upper = m;
    } else {
      for (let j = 0; j < M; j++) {
        logNdtrFastWithRatio64(-loc[j] * invSd[j], ratio);
        lambdaU[j] = ratio[0];
      }
    }
    for (let j = 0; j < M; j++) {
      if (j === b) continue;
      const s = (drawn[base + j] - loc[j]) * invSd[j];
      const u = (upper - loc[j]) * invSd[j];
      logNdtrFastWithRatio64(s, ratio);
      const r = lambdaU[j] / ratio[0];
      out.loc[base + j] = 1 - r;
      out.scale[base + j] = s - r * u;
      if (b < M) out.viaMax[base + j] = r;
    }
  }
  return out;
}
