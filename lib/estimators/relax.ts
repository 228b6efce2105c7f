// RELAX (Grathwohl et al. 2018) for categorical latents, with the GS or the IGR relaxation:
//   ĝ = [f(b) − c(ỹ)] ∇_θ log p_θ(b) + ∇_θ c(y) − ∇_θ c(ỹ),   y ~ p_θ(y), b = H(y), ỹ ~ p_θ(y | b).
// Unbiased for every control variate c: E[c(ỹ)∇log p(b)] + E[∇_θ c(ỹ)] = ∇_θ E[c(y)] when ỹ is a
// reparameterized draw from p(y | b). REBAR is the case c = η·f(σ_τ(y)) (`rebar()`).
// GS: p = softmax(logits), ỹ by the truncated-Gumbel construction (`gumbelConditional`).
// IGR: p = α(μ, σ) of Proposition 2 (the only way to give IGR's b a differentiable pmf, appendix §4),
//   ỹ by `gaussianArgmaxConditional`.
import * as tf from "@tensorflow/tfjs";
import { SeedStream, uniformOpen } from "../core/random";
import { stopGradient } from "../core/special";
import { gaussianArgmaxConditional, gumbelConditional } from "./conditional";
import { ControlVariate, ControlVariateOptions } from "./controlVariate";
import { GradientEstimator } from "./estimator";
import { IGRFamily } from "./family";
import { EstimationProblem, klTerm } from "./problem";
import { gumbelPerturbed, hardThreshold, relax, reparameterizedNormal } from "./relaxation";
import { random64 } from "./rng";

export interface RelaxOptions {
  controlVariate: ControlVariate;
  /**
   * IGR only. Reproduce the authors' `OptRELAXIGR` (docs/paper.md §7.2): the control variate is
   * evaluated on an independent second draw y′ ~ p_θ(y) instead of ỹ ~ p_θ(y | b), and there is no
   * −∇c(ỹ) term: ĝ = [f(b) − c(y′)]∇log α_b + ∇c(y′). Biased by ∇_θ E[c(y′)]. Default false.
   */
  authorsIndependentDraw?: boolean;
  /**
   * Reproduce the authors' IGR+RELAX loss sign "recon − KL" (docs/paper.md §7.2, trap 14): the exact KL
   * gradient enters with a minus sign. Only matters when the problem has klWeight ≠ 0. Default false.
   */
  authorsSignError?: boolean;
  /** IGR only: rejection tries for ỹ before falling back to y (default 1000). */
  maxTries?: number;
}

export class Relax implements GradientEstimator {
  readonly controlVariate: ControlVariate;
  readonly authorsIndependentDraw: boolean;
  readonly authorsSignError: boolean;
  readonly maxTries: number;
  readonly evaluationsPerDraw = 1;
  /** Rejection fallbacks in the last IGR call (diagnostic). */
  lastFallbacks = 0;

  constructor({ controlVariate, authorsIndependentDraw = false, authorsSignError = false, maxTries = 1000 }: RelaxOptions) {
    if (!(controlVariate instanceof ControlVariate)) throw new Error("Relax: controlVariate must be a ControlVariate");
    this.controlVariate = controlVariate;
    this.authorsIndependentDraw = authorsIndependentDraw;
    this.authorsSignError = authorsSignError;
    this.maxTries = maxTries;
  }

  get unbiased(): boolean {
    return !this.authorsIndependentDraw && !this.authorsSignError;
  }

  get name(): string {
    const base = this.controlVariate.isRebar ? "REBAR" : "RELAX";
    const flags = [this.authorsIndependentDraw ? "authors' independent draw" : "", this.authorsSignError ? "authors' KL sign" : ""].filter(Boolean);
    return flags.length ? `${base} (${flags.join(", ")})` : base;
  }

  surrogate(problem: EstimationProblem, params: tf.Tensor[], seed: SeedStream): tf.Tensor {
    const { family, objective } = problem;
    const cv = this.controlVariate;
    if (this.authorsIndependentDraw && family.kind !== "igr") {
      throw new Error("Relax: authorsIndependentDraw reproduces the authors' IGR code; use it with an IGRFamily");
    }
    const tau = cv.temperature();
    const logP = family.logProbs(params);
    // The forward draw y (as sampleLatentNoise draws it) from the log p and IGR's (μ, σ) computed once
    // here, which ỹ | b uses as well.
    const igr = family.kind === "igr" ? (family as IGRFamily).locScale(params) : null;
    const z = igr ? reparameterizedNormal(igr.loc, igr.scale, seed) : gumbelPerturbed(logP, seed);
    const b = hardThreshold(family.kind, z);
    const logPb = tf.sum(tf.mul(logP, b), [-2, -1]);
    const fb = objective.evaluate(b);
    const kl = klTerm(problem, logP, this.authorsSignError ? -1 : 1);
    if (this.authorsIndependentDraw) {
      const cPrime = cv.evaluate(relax(family.kind, reparameterizedNormal(igr!.loc, igr!.scale, seed), tau), objective);
      return tf.add(tf.add(scoreTerm(fb, cPrime, logPb), cPrime), kl);
    }
    let zTilde: tf.Tensor;
    if (!igr) {
      zTilde = gumbelConditional(logP, b, uniformOpen(logP.shape, seed.next()));
    } else {
      const result = gaussianArgmaxConditional(igr.loc, igr.scale, logP, z, b, random64(seed), { maxTries: this.maxTries });
      zTilde = result.sample;
      this.lastFallbacks = result.fallbacks;
    }
    // c(y) and c(ỹ) as one evaluation of c on [n, 2, V, K] rows (one pass of f's network for both).
    const [cY, cTilde] = tf.unstack(cv.evaluate(relax(family.kind, tf.stack([z, zTilde], 1), tau), objective), 1);
    return tf.add(tf.add(scoreTerm(fb, cTilde, logPb), tf.sub(cY, cTilde)), kl);
  }
}

/**
 * (f(b) − c)·log p(b) for the control-variate value c = c_φ(ỹ), whose coefficient must be a constant
 * in θ but not in φ (docs/paper.md §7.1), from the single evaluation of c that the −c term uses too:
 *   f(b)·log p(b) − c·(log p(b) − ⊥log p(b)) − ⊥c·⊥log p(b)      (⊥: stop-gradient).
 * log p(b) − ⊥log p(b) is exactly 0 in value with gradient ∇log p(b), so the θ-gradient is
 * [f(b) − c]∇log p(b) with c's own θ-gradient multiplied by an exact 0, while ĝ keeps c's value and
 * with it the dependence on φ that the variance-minimising update differentiates. The last term only
 * restores the value (f(b) − c)·log p(b); it carries no gradient.
 */
function scoreTerm(fb: tf.Tensor, c: tf.Tensor, logPb: tf.Tensor): tf.Tensor {
  const cutLogPb = stopGradient(logPb);
  return tf.sub(tf.mul(fb, logPb), tf.add(tf.mul(c, tf.sub(logPb, cutLogPb)), tf.mul(stopGradient(c), cutLogPb)));
}

/** REBAR: RELAX with c = η·f(σ_τ(y)) and no network (learnable η and τ). */
export function rebar(options: Omit<ControlVariateOptions, "hidden"> & Omit<RelaxOptions, "controlVariate">): Relax {
  const { numVariables, numCategories, temperature, eta, seed, ...rest } = options;
  return new Relax({ ...rest, controlVariate: new ControlVariate({ numVariables, numCategories, temperature, eta, seed, hidden: 0 }) });
}
