// The VAE's relaxed latent layer for each family: encoder output + noise → (ψ, KL) per row.
//
//   IGR-I, IGR-SB   fast: one fused op (igrMiddleBlock.ts); reference: the library's distributions
//                   composed with tfjs autodiff (used by the tests, and by `fast: false`).
//   IGR-Planar      the library's IGRPlanar chain (2 planar layers, invertible û), MC KL with the
//                   prior N(μ₀, σ₀²) on the flow output y (docs/paper.md §2.2).
//   GS              ExpConcrete sample y = log ψ; MC KL log q_τ(y | α) − log p_τp(y | uniform), τp = 0.5
//                   (docs/paper.md §3, trap 10).
// Layouts: IGR params [rows, 2·V·(K−1)] = [μ | log σ], coordinate v·(K−1) + k; GS logits [rows, V·K],
// index v·K + k; ψ [rows, V·K] with index v·K + k (categories last, as wasm likes it).
import * as tf from "@tensorflow/tfjs";
import { normalLogDensity, stopGradient } from "../core/special";
import { ExpConcrete } from "../distributions/expConcrete";
import { IGRBase } from "../distributions/igr";
import { IGRPlanar, PlanarLayerParameters } from "../distributions/igrPlanar";
import { IGRStickBreaking } from "../distributions/igrStickBreaking";
import { InvertibleGaussian } from "../distributions/invertibleGaussian";
import { kl as klDivergence } from "../distributions/kl";
import { softmaxPlusPlus } from "../bijectors/softmaxPlusPlus";
import { boundedParameters } from "../discrete/boundedParameters";
import { igrMiddleBlock } from "../kernels/igrMiddleBlock";
import type { GaussianPrior } from "./priors";
import type { VaeModelConfig } from "./vaeConfig";

export interface RelaxedLatent {
  /** ψ, [rows, V·K]. */
  z: tf.Tensor2D;
  /** KL estimate (or exact value) per row, summed over the V variables, [rows]. */
  kl: tf.Tensor1D;
}

/** Splits IGR params into μ and σ, each [rows, V, K−1]: σ = exp(log σ), or eq. (15) when igrScale is "bounded". */
export function igrLocScale(params: tf.Tensor2D, config: VaeModelConfig): { loc: tf.Tensor3D; scale: tf.Tensor3D } {
  const rows = params.shape[0];
  const V = config.numVariables;
  const n = config.numCategories - 1;
  return tf.tidy(() => {
    const [mu, sigmaRaw] = tf.split(params, 2, 1).map((half) => tf.reshape(half, [rows, V, n]));
    if (config.igrScale === "bounded") return boundedParameters(mu, sigmaRaw) as { loc: tf.Tensor3D; scale: tf.Tensor3D };
    return { loc: mu as tf.Tensor3D, scale: tf.exp(sigmaRaw) as tf.Tensor3D };
  });
}

/**
 * THE fast path of the IGR-I / IGR-SB latent: one fused op (lib/kernels/igrMiddleBlock.ts) in place
 * of the library route `igrReferenceLatent`; test/kernels/igrMiddleBlock.test.ts holds the two to the
 * same loss and gradients.
 */
export function igrFastLatent(params: tf.Tensor2D, eps: tf.Tensor2D, config: VaeModelConfig, prior: GaussianPrior): RelaxedLatent {
  const V = config.numVariables;
  const K = config.numCategories;
  const block = igrMiddleBlock(params, eps, {
    numVariables: V,
    numCategories: K,
    temperature: config.temperature,
    map: config.model === "igr-sb" ? "stick-breaking" : "identity",
    kl: config.kl,
    stickTheLanding: config.stickTheLanding,
    priorLoc: prior.loc,
    priorScale: prior.scale,
  });
  const [z, kl] = tf.split(block, [V * K, 1], 1);
  return { z: z as tf.Tensor2D, kl: tf.reshape(kl, [-1]) as tf.Tensor1D };
}

function igrDistribution(config: VaeModelConfig, loc: tf.Tensor, scale: tf.Tensor): IGRBase {
  const options = { loc, scale, temperature: config.temperature, validateArgs: false };
  if (config.model === "igr-i") return new InvertibleGaussian(options);
  if (config.model === "igr-sb") return new IGRStickBreaking(options);
  throw new Error(`igrDistribution: model must be igr-i or igr-sb; got ${config.model}`);
}

/**
 * Reference IGR-I / IGR-SB latent: the library's distributions and KL, tfjs autodiff. Slow (many
 * small ops); the fast path must match it.
 */
export function igrReferenceLatent(params: tf.Tensor2D, eps: tf.Tensor2D, config: VaeModelConfig, prior: GaussianPrior): RelaxedLatent {
  return tf.tidy(() => {
    const rows = params.shape[0];
    const V = config.numVariables;
    const n = config.numCategories - 1;
    const { loc, scale } = igrLocScale(params, config);
    const noise = tf.reshape(eps, [rows, V, n]);
    const q = igrDistribution(config, loc, scale);
    const p = igrDistribution(config, tf.broadcastTo(tf.tensor1d(prior.loc), [rows, V, n]), tf.broadcastTo(tf.tensor1d(prior.scale), [rows, V, n]));
    const z = tf.reshape(q.bijector.forward(noise), [rows, V * (n + 1)]) as tf.Tensor2D;
    let perVariable: tf.Tensor;
    if (config.kl === "closed-form") {
      perVariable = klDivergence(q, p).value;
    } else {
      // q and p share every map after the Gaussian (same family and τ), so its Jacobian cancels: the
      // Monte Carlo KL is the Gaussians' log-ratio at κ = μ + σε. Never through the stick-breaking
      // inverse, which fails in float32 where the sticks fill the interval (NaN).
      const kappa = tf.add(loc, tf.mul(scale, noise));
      const logQ = config.stickTheLanding ? normalLogDensity(kappa, stopGradient(loc), stopGradient(scale)) : normalLogDensity(kappa, loc, scale);
      perVariable = tf.sum(tf.sub(logQ, normalLogDensity(kappa, tf.tensor1d(prior.loc), tf.tensor1d(prior.scale))), -1);
    }
    return { z, kl: tf.sum(perVariable, 1) as tf.Tensor1D };
  });
}

/** IGR-Planar latent: y = flows(μ + σ ε); KL = log q(y) − log N(y; μ₀, σ₀²), one sample. */
export function planarLatent(params: tf.Tensor2D, eps: tf.Tensor2D, flows: PlanarLayerParameters[], config: VaeModelConfig, prior: GaussianPrior): RelaxedLatent {
  return tf.tidy(() => {
    const rows = params.shape[0];
    const V = config.numVariables;
    const n = config.numCategories - 1;
    const { loc, scale } = igrLocScale(params, config);
    const noise = tf.reshape(eps, [rows, V, n]);
    const q = new IGRPlanar({ loc, scale, temperature: config.temperature, flows, validateArgs: false });
    const { value: lambda, logDet } = q.preSimplex.forwardAndLogDet(noise);
    let logQ: tf.Tensor;
    if (config.stickTheLanding) {
      // STL: q's parameters (μ, σ and the flows) are constants inside log q; y keeps its path.
      const frozen = flows.map(({ w, u, b }) => ({ w: stopGradient(w), u: stopGradient(u), b: stopGradient(b) }));
      logQ = new IGRPlanar({ loc: stopGradient(loc), scale: stopGradient(scale), temperature: config.temperature, flows: frozen, validateArgs: false }).logProbPreSimplex(lambda);
    } else {
      logQ = tf.sub(tf.sum(normalLogDensity(noise, 0, 1), -1), logDet);
    }
    const logP = tf.sum(normalLogDensity(lambda, tf.tensor1d(prior.loc), tf.tensor1d(prior.scale)), -1);
    const z = tf.reshape(softmaxPlusPlus(lambda, { temperature: config.temperature }), [rows, V * (n + 1)]) as tf.Tensor2D;
    return { z, kl: tf.sum(tf.sub(logQ, logP), 1) as tf.Tensor1D };
  });
}

/** GS latent: y = log softmax((α + G)/τ), ψ = e^y; KL = log ExpConcrete_τ(y | α) − log ExpConcrete_τp(y | uniform). */
export function gumbelLatent(logits: tf.Tensor2D, gumbel: tf.Tensor2D, config: VaeModelConfig): RelaxedLatent {
  return tf.tidy(() => {
    const rows = logits.shape[0];
    const V = config.numVariables;
    const K = config.numCategories;
    const alpha = tf.reshape(logits, [rows, V, K]);
    const y = tf.logSoftmax(tf.div(tf.add(alpha, tf.reshape(gumbel, [rows, V, K])), config.temperature), -1);
    const q = new ExpConcrete({ logits: config.stickTheLanding ? stopGradient(alpha) : alpha, temperature: config.temperature, validateArgs: false });
    const p = new ExpConcrete({ logits: tf.zeros([K]), temperature: config.priorTemperature, validateArgs: false });
    const kl = tf.sum(tf.sub(q.logProb(y), p.logProb(y)), 1) as tf.Tensor1D;
    return { z: tf.reshape(tf.exp(y), [rows, V * K]) as tf.Tensor2D, kl };
  });
}
