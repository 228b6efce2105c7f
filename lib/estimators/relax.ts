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
import { hardThreshold, relax, sampleLatentNoise } from "./relaxation";
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
    const c = (z: tf.Tensor) => cv.evaluate(relax(family.kind, z, tau), objective);
    const logP = family.logProbs(params);
    const z = sampleLatentNoise(family, params, seed);
    const b = hardThreshold(family.kind, z);
    const logPb = tf.sum(tf.mul(logP, b), [-2, -1]);
    const fb = objective.evaluate(b);
    const kl = klTerm(problem, logP, this.authorsSignError ? -1 : 1);
    if (this.authorsIndependentDraw) {
      const z1 = sampleLatentNoise(family, params, seed);
      return tf.add(tf.add(tf.mul(tf.sub(fb, c(stopGradient(z1))), logPb), c(z1)), kl);
    }
    let zTilde: tf.Tensor;
    if (family.kind === "logits") {
      zTilde = gumbelConditional(logP, b, uniformOpen(logP.shape, seed.next()));
    } else {
      const { loc, scale } = (family as IGRFamily).locScale(params);
      const result = gaussianArgmaxConditional(loc, scale, logP, z, b, random64(seed), { maxTries: this.maxTries });
      zTilde = result.sample;
      this.lastFallbacks = result.fallbacks;
    }
    // The coefficient of log p(b) is a constant in θ but not in φ: c is evaluated at a copy of ỹ cut
    // from θ, so the variance-minimising update can still differentiate it (docs/paper.md §7.1).
    const scoreTerm = tf.mul(tf.sub(fb, c(stopGradient(zTilde))), logPb);
    return tf.add(tf.add(scoreTerm, tf.sub(c(z), c(zTilde))), kl);
  }
}

/** REBAR: RELAX with c = η·f(σ_τ(y)) and no network (learnable η and τ). */
export function rebar(options: Omit<ControlVariateOptions, "hidden"> & Omit<RelaxOptions, "controlVariate">): Relax {
  const { numVariables, numCategories, temperature, eta, seed, ...rest } = options;
  return new Relax({ ...rest, controlVariate: new ControlVariate({ numVariables, numCategories, temperature, eta, seed, hidden: 0 }) });
}
