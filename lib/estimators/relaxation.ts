// The continuous variables y behind the discrete b = H(y), for both families:
//   GS:  y = log p + Gumbel noise ∈ R^K,       H(y) = argmax y,          relaxed σ(y) = softmax(y/τ)
//   IGR: y = μ + σ ε ∈ R^{K−1}, ε ~ N(0, I),   H(y) = argmax [y, 0],     relaxed σ(y) = softmax++(y/τ)
// With δ = 1, softmax++(y/τ) = softmax([y/τ, 0]) (docs/paper.md §1.1), and its argmax does not depend on
// τ (§1.5), so H(y) has law α(μ, σ) of Proposition 2 at every temperature.
import * as tf from "@tensorflow/tfjs";
import { softmaxPlusPlusUnitDelta, withExtraCategory } from "../bijectors/softmaxPlusPlus";
import { SeedStream, standardGumbel, standardNormal } from "../core/random";
import { stopGradient } from "../core/special";
import { IGRFamily, ParameterFamily } from "./family";

/** The pre-relaxation noise y (reparameterized in θ) for parameters with a leading draw axis. */
export function sampleLatentNoise(family: ParameterFamily, params: tf.Tensor[], seed: SeedStream): tf.Tensor {
  return tf.tidy(() => {
    if (family.kind === "logits") {
      return gumbelPerturbed(family.logProbs(params), seed);
    }
    const { loc, scale } = (family as IGRFamily).locScale(params);
    return reparameterizedNormal(loc, scale, seed);
  });
}

/** GS's y = log p + Gumbel noise from the next seed of the stream (reparameterized in log p). */
export function gumbelPerturbed(logP: tf.Tensor, seed: SeedStream): tf.Tensor {
  return tf.tidy(() => tf.add(logP, standardGumbel(logP.shape, seed.next())));
}

/** IGR's y = μ + σε, ε ~ N(0, I) from the next seed of the stream (reparameterized in μ and σ). */
export function reparameterizedNormal(loc: tf.Tensor, scale: tf.Tensor, seed: SeedStream): tf.Tensor {
  return tf.tidy(() => tf.add(loc, tf.mul(scale, standardNormal(loc.shape, seed.next()))));
}

/** σ(y) on the simplex, [..., V, K]; `temperature` is a number or a scalar tensor (may be learnable). */
export function relax(kind: ParameterFamily["kind"], z: tf.Tensor, temperature: number | tf.Tensor): tf.Tensor {
  return tf.tidy(() => (kind === "logits" ? tf.softmax(tf.div(z, temperature), -1) : softmaxPlusPlusUnitDelta(z, temperature)));
}

/**
 * b = H(y), one-hot [..., V, K], as a constant: H has no useful gradient, and a b still connected to y
 * on the tape would make every gradient pass also run the backward pass of whatever is computed
 * from b (RELAX's f(b) through the decoder) only to multiply it by argMax's zero gradient.
 */
export function hardThreshold(kind: ParameterFamily["kind"], z: tf.Tensor): tf.Tensor {
  const b = tf.tidy(() => {
    const full = kind === "logits" ? z : withExtraCategory(z);
    return tf.cast(tf.oneHot(tf.argMax(full, -1), full.shape[full.rank - 1]), "float32");
  });
  const constant = stopGradient(b);
  b.dispose();
  return constant;
}
