// KL(q ‖ p) in one place. Closed forms where they exist; otherwise a Monte Carlo estimate that says
// it is one (method: "monte-carlo", with its sample size and standard error).
//
//   Normal ‖ Normal                      closed form, elementwise
//   Categorical ‖ Categorical            closed form Σ π_q (log π_q − log π_p)
//   IGR ‖ IGR, same maps after the       closed form: Σ over the K−1 coordinates of the Gaussian KL
//     Gaussian (class, K, τ, δ, flows)     (a shared bijection leaves KL unchanged; docs/paper.md §2.1)
//   IGR ‖ IGR, otherwise                 Monte Carlo in y-space from q's noise (softmax++'s Jacobians
//                                          differ by a constant; IGR-SB draws are never inverted)
//   GumbelSoftmax ‖ GumbelSoftmax        Monte Carlo on the ExpConcrete twins (exp is a shared bijection)
//   two simplex families (IGR, GS)       Monte Carlo on q's log-coordinates: log q from q's own noise,
//                                          log p by p.logProbFromLog (exact where ψ underflows float32)
//   RelaxedBernoulli ‖ RelaxedBernoulli  Monte Carlo on q's logits (exact where x rounds to 0 or 1)
//   anything else with the same event    Monte Carlo: mean over x ~ q of log q(x) − log p(x)
import * as tf from "@tensorflow/tfjs";
import { Seed } from "../core/random";
import { broadcastShapes } from "../core/validate";
import { Categorical } from "./categorical";
import { Distribution, isLogSimplexDistribution } from "./distribution";
import { GumbelSoftmax } from "./gumbelSoftmax";
import { IGRBase } from "./igr";
import { Normal, normalKl } from "./normal";
import { RelaxedBernoulli } from "./relaxedBernoulli";

export type KLMethod = "closed-form" | "monte-carlo";

export interface KLResult {
  /** KL per batch element, shape = broadcast of the two batch shapes. */
  value: tf.Tensor;
  method: KLMethod;
  /** Monte Carlo only: the number of draws from q. */
  numSamples?: number;
  /** Monte Carlo only: the standard error of `value` (sample std / √numSamples). */
  standardError?: tf.Tensor;
}

export interface KLOptions {
  /** "auto" (default) uses a closed form when there is one; "monte-carlo" always estimates. */
  method?: "auto" | "monte-carlo";
  /** Monte Carlo sample size (default 1000). */
  numSamples?: number;
  seed?: Seed;
}

/** KL(q ‖ p); see the table at the top of this file. The caller owns the returned tensors. */
export function kl(q: Distribution, p: Distribution, { method = "auto", numSamples = 1000, seed }: KLOptions = {}): KLResult {
  if (q.eventShape.length !== p.eventShape.length || q.eventShape.some((d, i) => d !== p.eventShape[i])) {
    throw new Error(`kl: q and p must have the same event shape; got [${q.eventShape.join(", ")}] and [${p.eventShape.join(", ")}]`);
  }
  if (method !== "auto" && method !== "monte-carlo") throw new Error(`kl: method must be "auto" or "monte-carlo"; got ${String(method)}`);
  if (!Number.isInteger(numSamples) || numSamples < 2) throw new Error(`kl: numSamples must be an integer >= 2; got ${numSamples}`);
  if (method === "auto") {
    if (q instanceof Normal && p instanceof Normal) {
      return { value: normalKl(q.loc, q.scale, p.loc, p.scale), method: "closed-form" };
    }
    if (q instanceof Categorical && p instanceof Categorical) {
      return { value: categoricalKl(q, p), method: "closed-form" };
    }
    if (q instanceof IGRBase && p instanceof IGRBase && q.sameTransform(p)) {
      const value = tf.tidy(() => {
        const perCoordinate = tf.sum(normalKl(q.loc, q.scale, p.loc, p.scale), -1);
        return tf.add(perCoordinate, tf.zeros(broadcastShapes([["q's batch", q.batchShape], ["p's batch", p.batchShape]])));
      });
      return { value, method: "closed-form" };
    }
  }
  return monteCarloKl(q, p, numSamples, seed);
}

function categoricalKl(q: Categorical, p: Categorical): tf.Tensor {
  return tf.tidy(() => {
    const logQ = q.logProbs();
    const logP = p.logProbs();
    const probQ = tf.exp(logQ);
    const terms = tf.mul(probQ, tf.sub(logQ, logP));
    // 0·log 0 = 0: categories q never picks contribute nothing, even where p is 0 too.
    return tf.sum(tf.where(tf.greater(probQ, 0), terms, tf.zerosLike(terms)), -1);
  });
}

function monteCarloKl(q: Distribution, p: Distribution, numSamples: number, seed: Seed | undefined): KLResult {
  const differences = tf.tidy(() => {
    if (q instanceof IGRBase && p instanceof IGRBase) return igrDifferences(q, p, numSamples, seed);
    if (q instanceof GumbelSoftmax && p instanceof GumbelSoftmax) {
      const y = q.expConcrete.sample(numSamples, { seed });
      return tf.sub(q.expConcrete.logProb(y), p.expConcrete.logProb(y));
    }
    if (isLogSimplexDistribution(q) && isLogSimplexDistribution(p)) {
      const { logSample, logProb } = q.sampleAndLogProb(numSamples, { seed });
      return tf.sub(logProb, p.logProbFromLog(logSample));
    }
    if (q instanceof RelaxedBernoulli && p instanceof RelaxedBernoulli) {
      const { logit, logProb } = q.sampleAndLogProb(numSamples, { seed });
      return tf.sub(logProb, p.logProbFromLogit(logit));
    }
    if (q instanceof IGRBase) {
      const { sample, logProb } = q.sampleAndLogProb(numSamples, { seed });
      return tf.sub(logProb, p.logProb(sample));
    }
    const x = q.sample(numSamples, { seed });
    return tf.sub(q.logProb(x), p.logProb(x));
  });
  const [value, standardError] = tf.tidy(() => {
    const { mean, variance } = tf.moments(differences, 0);
    const unbiased = tf.mul(variance, numSamples / (numSamples - 1));
    // A draw of q outside p's support (e.g. IGR-I ‖ IGR-SB) makes a difference +∞: the KL is +∞, and
    // so is its standard error (moments would give ∞ − ∞ = NaN).
    const se = tf.sqrt(tf.div(unbiased, numSamples));
    const infinite = tf.any(tf.equal(differences, Infinity), 0);
    return [tf.where(infinite, tf.fill(mean.shape, Infinity), mean), tf.where(infinite, tf.fill(se.shape, Infinity), se)];
  });
  differences.dispose();
  return { value, method: "monte-carlo", numSamples, standardError };
}

/**
 * log q − log p on draws of q for two IGR distributions with the same K, never through ψ (which
 * underflows) nor through an inverse of q's own float32 draw (IGR-SB sticks whose sum rounds to 1 look
 * off the support: −∞ − (−∞) = NaN). The same maps after the Gaussian: the Gaussians' log-ratio on κ.
 * Otherwise y and log q from q's noise, and p's y' = (τ_p/τ_q) y + τ_p (log δ_p − log δ_q), the point
 * p's softmax++ inverts q's ψ to; the ψ-Jacobians differ only by (K−1) log(τ_p/τ_q).
 */
function igrDifferences(q: IGRBase, p: IGRBase, numSamples: number, seed: Seed | undefined): tf.Tensor {
  if (q.sameTransform(p)) {
    const kappa = tf.add(q.gaussian().sample(numSamples, { seed }), tf.zeros([...q.batchShape, q.latentSize]));
    return tf.sum(tf.sub(q.gaussian().logProb(kappa), p.gaussian().logProb(kappa)), -1);
  }
  const { value: lambda, logProb } = q.samplePreSimplexAndLogProb(numSamples, { seed });
  const ratio = tf.div(toTensor(p.temperature), toTensor(q.temperature));
  const shift = tf.mul(toTensor(p.temperature), tf.sub(tf.log(toTensor(p.delta)), tf.log(toTensor(q.delta))));
  const lambdaP = tf.add(tf.mul(lambda, tf.expandDims(ratio, -1)), tf.expandDims(shift, -1));
  return tf.sub(tf.sub(logProb, p.logProbPreSimplex(lambdaP)), tf.mul(q.latentSize, tf.log(ratio)));
}

function toTensor(value: number | tf.Tensor): tf.Tensor {
  return typeof value === "number" ? tf.scalar(value) : value;
}
