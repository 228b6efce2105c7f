// z̃ ~ p(z | b): a draw of the continuous noise conditioned on the discrete outcome b = H(z), written
// as a differentiable function of θ with the noise held fixed. RELAX needs exactly this: its term
// −∇_θ c(z̃) must be an unbiased estimate of −∇_θ E_{p(z|b,θ)}[c(z)] for the fixed b
// (Grathwohl et al. 2018, §3 and appendix B).
import * as tf from "@tensorflow/tfjs";
import { logNdtr } from "../core/normal";
import { gaussLegendre } from "../core/quadrature";
import { HALF_LOG_TWO_PI, stopGradient } from "../core/special";
import { Random64 } from "./rng";

/**
 * GS: z = log p + Gumbel, b = argmax z. With v ~ U(0, 1)^K (Grathwohl et al. 2018, appendix B):
 *   z̃_b = −log(−log v_b),   z̃_i = −log(−log v_i / p_i − log v_b)  (i ≠ b),
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
  /** z̃ [..., V, K−1], value an exact draw from p(z | b), gradient the implicit reparameterization. */
  sample: tf.Tensor;
  /** How many (draw, variable) pairs fell back to the forward z after `maxTries` rejections. */
  fallbacks: number;
}


/**
 * IGR: z = μ + σ ε ∈ R^{K−1}, b = argmax [z, 0] (b = K−1, zero-based, is the extra category of
 * softmax++). The law of z given b is the Gaussian restricted to the region {H(z) = b}; there is no
 * closed-form inverse CDF as for the Gumbel, so we (1) draw z̃ exactly by rejection from N(μ, σ²)
 * (up to `maxTries`; otherwise the forward z itself, which is also a draw from p(z | b) and chosen
 * independently of it, so the law stays exact), and (2) give z̃ the implicit reparameterization
 * gradient (Figurnov et al. 2018) of a sequential construction with fixed uniforms:
 *   b = K−1: z_j | b are independent N(μ_j, σ_j²) truncated to (−∞, 0):
 *            v_j = Φ(s_j)/Φ(−μ_j/σ_j), s_j = (z_j − μ_j)/σ_j.
 *   b < K−1: m = z_b has density ∝ g(t) = σ_b⁻¹ φ((t − μ_b)/σ_b) Π_{j≠b} Φ((t − μ_j)/σ_j) on t > 0
 *            (the integrand of Proposition 2, whose total is α_b): v_b = F(m) = ∫_0^m g / α_b;
 *            then z_j | m (j ≠ b) are independent N(μ_j, σ_j²) truncated to (−∞, m).
 * For each noise equation v = G(z, θ), dz/dθ = −(∂G/∂θ)/(∂G/∂z); we get it from autodiff by writing
 * z̃ = z − (G(z, θ) − stop(G))/stop(∂G/∂z), whose value is z. ∫_0^m g uses a `nodes`-point
 * Gauss–Legendre rule on [0, m]; α_b is Proposition 2's `logAlpha`, so F(∞) = 1 up to its accuracy.
 *
 * `loc`, `scale` [n, V, K−1] and `logAlpha` [n, V, K] are differentiable in θ; `z` is the forward
 * noise and `b` the one-hot outcome [n, V, K] (both constants).
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

  const sample = tf.tidy(() => {
    const zt = tf.tensor3d(drawn, [n, V, M]);
    const catT = tf.tensor2d(category, [n, V], "int32");
    const isExtra = tf.cast(tf.equal(catT, M), "float32"); // [n, V]
    const clamped = tf.minimum(catT, tf.scalar(M - 1, "int32"));
    const pick = tf.cast(tf.oneHot(clamped, M), "float32"); // [n, V, M]
    const muB = tf.sum(tf.mul(pick, loc), -1); // [n, V]
    const sdB = tf.sum(tf.mul(pick, scale), -1);
    const zB = tf.sum(tf.mul(pick, zt), -1);
    // m, the maximum; a dummy 1 on extra rows keeps every intermediate finite (those rows are masked).
    const m = tf.add(tf.mul(tf.sub(1, isExtra), zB), isExtra);
    const others = tf.sub(1, pick); // mask j ≠ b, [n, V, M]
    const rule = gaussLegendre(nodes);
    const x = tf.tensor1d(rule.nodes.map((xq) => (xq + 1) / 2));
    const logW = tf.tensor1d(rule.weights.map((w) => Math.log(w / 2)));
    // log g(t) at t [n, V, Q]: the b-coordinate's log density plus Σ_{j≠b} log Φ((t − μ_j)/σ_j).
    const logG = (t: tf.Tensor) => {
      const sB = tf.div(tf.sub(t, tf.expandDims(muB, -1)), tf.expandDims(sdB, -1));
      const logDensity = tf.sub(tf.sub(tf.mul(tf.square(sB), -0.5), HALF_LOG_TWO_PI), tf.log(tf.expandDims(sdB, -1)));
      const sAll = tf.div(tf.sub(tf.expandDims(t, -1), tf.expandDims(loc, 2)), tf.expandDims(scale, 2)); // [n, V, Q, M]
      const logPhi = tf.sum(tf.mul(logNdtr(sAll), tf.expandDims(others, 2)), -1);
      return tf.add(logDensity, logPhi);
    };
    const mConst = stopGradient(m);
    const nodesT = tf.mul(tf.expandDims(mConst, -1), x); // [n, V, Q]
    const logIntegral = tf.add(tf.logSumExp(tf.add(logG(nodesT), logW), -1), tf.log(mConst)); // log ∫_0^m g
    const logAlphaB = tf.sum(tf.mul(tf.cast(tf.oneHot(clamped, K), "float32"), logAlpha), -1);
    const logF = tf.sub(logIntegral, logAlphaB);
    const dLogFdm = stopGradient(tf.exp(tf.sub(tf.squeeze(logG(tf.expandDims(mConst, -1)), [-1]), logIntegral)));
    const maxCoordinate = tf.sub(mConst, tf.div(tf.sub(logF, stopGradient(logF)), dLogFdm)); // value m
    // The truncation point of the other coordinates: 0 for the extra category, else z̃_b (differentiable).
    const upper = tf.expandDims(tf.mul(tf.sub(1, isExtra), maxCoordinate), -1); // [n, V, 1]
    const s = tf.div(tf.sub(zt, loc), scale);
    const logCdf = logNdtr(s);
    const G = tf.sub(logCdf, logNdtr(tf.div(tf.sub(upper, loc), scale)));
    // ∂G/∂z = φ(s)/(σ Φ(s)): the inverse Mills ratio, from log values so the tails stay finite.
    const dGdz = stopGradient(tf.div(tf.exp(tf.sub(tf.sub(tf.mul(tf.square(s), -0.5), HALF_LOG_TWO_PI), logCdf)), scale));
    const rest = tf.sub(zt, tf.div(tf.sub(G, stopGradient(G)), dGdz));
    const isMax = tf.mul(pick, tf.expandDims(tf.sub(1, isExtra), -1));
    return tf.add(tf.mul(isMax, tf.expandDims(maxCoordinate, -1)), tf.mul(tf.sub(1, isMax), rest));
  });
  return { sample, fallbacks };
}
