// ỹ ~ p(y | b): a draw of the continuous noise conditioned on the discrete outcome b = H(y), written
// as a differentiable function of θ with the noise held fixed. RELAX needs exactly this: its term
// −∇_θ c(ỹ) must be an unbiased estimate of −∇_θ E_{p(y|b,θ)}[c(y)] for the fixed b
// (Grathwohl et al. 2018, §3 and appendix B).
import * as tf from "@tensorflow/tfjs";
import { logNdtrFastWithRatio64 } from "../core/normalFast64";
import { gaussLegendre } from "../core/quadrature";
import { logNormalPdf64 } from "../core/normal";
import { Random64 } from "./rng";

/**
 * GS: y = log p + Gumbel, b = argmax y. With v ~ U(0, 1)^K (Grathwohl et al. 2018, appendix B):
 *   ỹ_b = −log(−log v_b),   ỹ_i = −log(−log v_i / p_i − log v_b)  (i ≠ b),
 * the top-Gumbel / truncated-Gumbel construction; p = softmax(θ) normalized. [..., V, K].
 */
export function gumbelConditional(logProbs: tf.Tensor, b: tf.Tensor, uniforms: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const logV = tf.log(uniforms);
    const logVb = tf.sum(tf.mul(b, logV), -1, true); // log v_b, [..., V, 1]
    const top = tf.neg(tf.log(tf.neg(logV)));
    const rest = tf.neg(tf.log(tf.sub(tf.div(tf.neg(logV), tf.exp(logProbs)), logVb)));
    return tf.add(tf.mul(b, top), tf.mul(tf.sub(1, b), rest));
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
  const mu = loc.dataSync();
  const sd = scale.dataSync();
  const zForward = z.dataSync();
  const categoryTensor = tf.argMax(b, -1);
  const category = categoryTensor.dataSync() as Int32Array;
  categoryTensor.dispose();
  const drawn = new Float32Array(n * V * M);
  let fallbacks = 0;
  const candidate = new Float64Array(M);
  for (let i = 0; i < n * V; i++) {
    let accepted = false;
    for (let t = 0; t < maxTries && !accepted; t++) {
      let best = -1;
      let bestValue = 0; // the extra category's logit
      for (let j = 0; j < M; j++) {
        candidate[j] = mu[i * M + j] + sd[i * M + j] * random.normal();
        if (candidate[j] > bestValue) {
          bestValue = candidate[j];
          best = j;
        }
      }
      if ((best === -1 ? M : best) === category[i]) {
        for (let j = 0; j < M; j++) drawn[i * M + j] = candidate[j];
        accepted = true;
      }
    }
    if (!accepted) {
      fallbacks++;
      for (let j = 0; j < M; j++) drawn[i * M + j] = zForward[i * M + j];
    }
  }

  const { loc: dLoc, scale: dScale, viaMax, maxLoc, maxScale, maxLogAlpha } = implicitJacobian(mu, sd, drawn, category, n * V, M, nodes);
  // ỹ has the value of the draw and the gradient dy ↦ (dỹ/dθ)ᵀ dy, written with tf ops that are
  // linear in dy so that RELAX's nested control-variate gradient can differentiate through it.
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[3] as tf.GradSaveFunc;
    const shape3 = [n, V, M] as [number, number, number];
    save([
      tf.tensor3d(Float32Array.from(dLoc), shape3),
      tf.tensor3d(Float32Array.from(dScale), shape3),
      tf.tensor3d(Float32Array.from(viaMax), shape3),
      tf.tensor3d(Float32Array.from(maxLoc), shape3),
      tf.tensor3d(Float32Array.from(maxScale), shape3),
      tf.tensor3d(Float32Array.from(maxLogAlpha), [n, V, K]),
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

interface ImplicitJacobian {
  /** ∂ỹ_j/∂μ_j and ∂ỹ_j/∂σ_j through the coordinate's own equation (0 at the maximum), [rows·M]. */
  loc: Float64Array;
  scale: Float64Array;
  /** ∂ỹ_j/∂ỹ_b: 1 at the maximum b, through the truncation point elsewhere; 0 on extra-category rows. */
  viaMax: Float64Array;
  /** ∂ỹ_b/∂μ_j, ∂ỹ_b/∂σ_j [rows·M] and ∂ỹ_b/∂log α_k (only k = b is non-zero) [rows·K]. */
  maxLoc: Float64Array;
  maxScale: Float64Array;
  maxLogAlpha: Float64Array;
}

/**
 * The implicit-reparameterization Jacobian of the sequential construction documented on
 * `gaussianArgmaxConditional`, in Float64 at the drawn ỹ, with λ(u) = φ(u)/Φ(u):
 *   coordinate j (upper bound c, s = (ỹ_j − μ_j)/σ_j, u = (c − μ_j)/σ_j, r = λ(u)/λ(s)):
 *     ∂ỹ_j/∂μ_j = 1 − r,   ∂ỹ_j/∂σ_j = s − r·u,   ∂ỹ_j/∂c = r;
 *   maximum m = ỹ_b (F(m) = ∫_0^m g / α_b): ∂m/∂θ = −∂log F/∂θ / (g(m)/∫_0^m g), where
 *     ∂ log ∫_0^m g/∂θ = Σ_q π_q ∂ log g(t_q)/∂θ (π_q the Gauss–Legendre terms' shares) and
 *     ∂ log g/∂μ_b = s_b/σ_b, ∂ log g/∂σ_b = (s_b² − 1)/σ_b, ∂ log g/∂μ_j = −λ(u_j)/σ_j,
 *     ∂ log g/∂σ_j = −λ(u_j)·u_j/σ_j (j ≠ b), and ∂m/∂log α_b = ∫_0^m g / g(m).
 */
function implicitJacobian(mu: ArrayLike<number>, sd: ArrayLike<number>, drawn: Float32Array, category: Int32Array, rows: number, M: number, nodes: number): ImplicitJacobian {
  const K = M + 1;
  const out: ImplicitJacobian = {
    loc: new Float64Array(rows * M),
    scale: new Float64Array(rows * M),
    viaMax: new Float64Array(rows * M),
    maxLoc: new Float64Array(rows * M),
    maxScale: new Float64Array(rows * M),
    maxLogAlpha: new Float64Array(rows * K),
  };
  const rule = gaussLegendre(nodes);
  const xs = rule.nodes.map((x) => (x + 1) / 2);
  const logWs = rule.weights.map((w) => Math.log(w / 2));
  const ratio = new Float64Array(1);
  const logG = new Float64Array(nodes);
  const dLogG = new Float64Array(nodes * 2 * M); // per node: ∂/∂μ_j then ∂/∂σ_j
  // log g(t) and (optionally) its gradient in (μ, σ) for row i, maximum b.
  const evalLogG = (i: number, b: number, t: number, grad: Float64Array | null, at: number): number => {
    const sB = (t - mu[i * M + b]) / sd[i * M + b];
    let value = logNormalPdf64(sB) - Math.log(sd[i * M + b]);
    for (let j = 0; j < M; j++) {
      if (j === b) continue;
      const u = (t - mu[i * M + j]) / sd[i * M + j];
      value += logNdtrFastWithRatio64(u, ratio);
      if (grad) {
        grad[at + j] = -ratio[0] / sd[i * M + j];
        grad[at + M + j] = (-ratio[0] * u) / sd[i * M + j];
      }
    }
    if (grad) {
      grad[at + b] = sB / sd[i * M + b];
      grad[at + M + b] = (sB * sB - 1) / sd[i * M + b];
    }
    return value;
  };
  for (let i = 0; i < rows; i++) {
    const b = category[i];
    let upper = 0;
    if (b < M) {
      const m = drawn[i * M + b];
      let top = -Infinity;
      for (let q = 0; q < nodes; q++) {
        logG[q] = evalLogG(i, b, m * xs[q], dLogG, q * 2 * M) + logWs[q];
        top = Math.max(top, logG[q]);
      }
      let total = 0;
      for (let q = 0; q < nodes; q++) total += Math.exp(logG[q] - top);
      const logIntegral = top + Math.log(total) + Math.log(m);
      // dm/dθ = −(∂ log ∫_0^m g/∂θ)·(∫_0^m g / g(m)).
      const inverseSlope = Math.exp(logIntegral - evalLogG(i, b, m, null, 0));
      for (let q = 0; q < nodes; q++) {
        const share = Math.exp(logG[q] - top) / total;
        for (let j = 0; j < M; j++) {
          out.maxLoc[i * M + j] -= share * dLogG[q * 2 * M + j] * inverseSlope;
          out.maxScale[i * M + j] -= share * dLogG[q * 2 * M + M + j] * inverseSlope;
        }
      }
      out.maxLogAlpha[i * K + b] = inverseSlope;
      out.viaMax[i * M + b] = 1;
      upper = m;
    }
    for (let j = 0; j < M; j++) {
      if (j === b) continue;
      const s = (drawn[i * M + j] - mu[i * M + j]) / sd[i * M + j];
      const u = (upper - mu[i * M + j]) / sd[i * M + j];
      logNdtrFastWithRatio64(s, ratio);
      const lambdaS = ratio[0];
      logNdtrFastWithRatio64(u, ratio);
      const r = ratio[0] / lambdaS;
      out.loc[i * M + j] = 1 - r;
      out.scale[i * M + j] = s - r * u;
      if (b < M) out.viaMax[i * M + j] = r;
    }
  }
  return out;
}
