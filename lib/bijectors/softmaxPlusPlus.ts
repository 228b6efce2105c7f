// softmax++ (docs/paper.md §1, appendix eq. (6)): y ∈ R^{K−1} ↦ ψ in the open K-simplex,
//   ψ_k = e^{y_k/τ} / (Σ_j e^{y_j/τ} + δ),  ψ_K = δ / (Σ_j e^{y_j/τ} + δ).
// Computed as a log-softmax of [y/τ, log δ], so ψ_K and every log ψ_k come straight from log space
// (never 1 − Σ ψ_k, which cancels near a vertex and overflows the authors' e^{−max} shift).
import * as tf from "@tensorflow/tfjs";
import { logSoftmaxWithExtraLogit, maskOf } from "../core/special";
import { checkScalarParameter, ScalarParameter } from "../core/validate";
import { Bijector, ImageRestriction, ValueAndLogDet } from "./bijector";

export interface SoftmaxPlusPlusOptions {
  /** τ > 0: a number or a tensor broadcasting against the batch shape. */
  temperature: ScalarParameter;
  /** δ > 0 (default 1, as in all NeurIPS-era code): the weight of the extra category. */
  delta?: ScalarParameter;
  /** Read tensor parameters once to check them (default true). */
  validateArgs?: boolean;
}

/** Expands a per-event scalar parameter so it divides [..., n] events. */
function perEvent(value: ScalarParameter): number | tf.Tensor {
  return typeof value === "number" ? value : tf.expandDims(value, -1);
}

function logOf(value: ScalarParameter): number | tf.Tensor {
  return typeof value === "number" ? Math.log(value) : tf.log(value);
}

/** log ψ for y: [..., K−1] → [..., K]. */
export function logSoftmaxPlusPlus(y: tf.Tensor, { temperature, delta = 1 }: { temperature: ScalarParameter; delta?: ScalarParameter }): tf.Tensor {
  return tf.tidy(() => logSoftmaxWithExtraLogit(tf.div(y, perEvent(temperature)), logOf(delta)));
}

/** ψ = softmax++(y/τ) for y: [..., K−1] → [..., K]. */
export function softmaxPlusPlus(y: tf.Tensor, options: { temperature: ScalarParameter; delta?: ScalarParameter }): tf.Tensor {
  return tf.tidy(() => tf.exp(logSoftmaxPlusPlus(y, options)));
}

/**
 * [y, 0], [..., K−1] → [..., K]: the logits of softmax++ with δ = 1 (log δ = 0) before the division
 * by τ. Their argmax is the category of ψ = softmax++(y/τ) at every τ, and so the τ → 0 category
 * (docs/paper.md §1.5; ties aside, where zeroTemperatureLimit gives the extra category K): the one
 * definition of "the category of an IGR draw" for the estimators and the evaluation.
 */
export function withExtraCategory(y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.concat([y, tf.zeros([...y.shape.slice(0, -1), 1])], -1));
}

/**
 * softmax++(y/τ) with δ = 1 as one softmax of [y/τ, 0]: the form the estimators' inner loops use
 * (one op instead of log-softmax then exp; τ may be a learnable scalar tensor). Equal to
 * `softmaxPlusPlus` within float32 rounding (test/bijectors/softmaxPlusPlus.test.ts), but without its
 * log-space last coordinate: use `softmaxPlusPlus` where ψ_K may underflow.
 */
export function softmaxPlusPlusUnitDelta(y: tf.Tensor, temperature: number | tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.softmax(withExtraCategory(tf.div(y, temperature)), -1));
}

/**
 * softmax++ as a bijector from R^{K−1} onto the open K-simplex (first K−1 coordinates). Its
 * log-det is that of the square map y ↦ (ψ_1..ψ_{K−1}): J = (1/τ)(diag g − g gᵀ), so by the matrix
 * determinant lemma log det J = −(K−1) log τ + Σ_{k=1}^{K} log ψ_k (docs/paper.md §1.3; appendix
 * eqs. (1), (3), (4) as printed are wrong).
 */
export class SoftmaxPlusPlus extends Bijector {
  readonly name = "SoftmaxPlusPlus";
  readonly temperature: ScalarParameter;
  readonly delta: ScalarParameter;

  constructor({ temperature, delta = 1, validateArgs = true }: SoftmaxPlusPlusOptions) {
    super();
    this.temperature = checkScalarParameter("temperature", temperature, validateArgs);
    this.delta = checkScalarParameter("delta", delta, validateArgs);
  }

  forwardEventShape(shapeIn: number[]): number[] {
    if (shapeIn.length !== 1 || shapeIn[0] < 1) {
      throw new Error(`SoftmaxPlusPlus forward: the event must be a vector of K−1 >= 1 numbers; got event shape [${shapeIn.join(", ")}]`);
    }
    return [shapeIn[0] + 1];
  }

  inverseEventShape(shapeOut: number[]): number[] {
    if (shapeOut.length !== 1 || shapeOut[0] < 2) {
      throw new Error(`SoftmaxPlusPlus inverse: the event must be a point of the K-simplex with K >= 2 coordinates; got event shape [${shapeOut.join(", ")}]`);
    }
    return [shapeOut[0] - 1];
  }

  /**
   * The image is the open simplex: an event with a coordinate ≤ 0 (e.g. one that underflowed to 0 in
   * float32) is outside and stands in as the centre 1/K. NaN coordinates are left as they are.
   */
  restrictToImage(psi: tf.Tensor): ImageRestriction {
    return tf.tidy(() => {
      const k = psi.shape[psi.rank - 1];
      const inside = maskOf(psi, (v) => tf.logicalNot(tf.any(tf.lessEqual(v, 0), -1)));
      return { inside, value: tf.where(tf.expandDims(inside, -1), psi, tf.fill(psi.shape, 1 / k)) };
    });
  }

  /** The same test in log space: an event with a log-coordinate of −∞ is outside (centre log 1/K). */
  restrictLogToImage(logPsi: tf.Tensor): ImageRestriction {
    return tf.tidy(() => {
      const k = logPsi.shape[logPsi.rank - 1];
      const inside = maskOf(logPsi, (v) => tf.logicalNot(tf.any(tf.equal(v, -Infinity), -1)));
      return { inside, value: tf.where(tf.expandDims(inside, -1), logPsi, tf.fill(logPsi.shape, -Math.log(k))) };
    });
  }

  /** log ψ, [..., K]. */
  logForward(y: tf.Tensor): tf.Tensor {
    return logSoftmaxPlusPlus(y, { temperature: this.temperature, delta: this.delta });
  }

  protected forwardAndLogDetImpl(y: tf.Tensor): ValueAndLogDet {
    const logPsi = this.logForward(y);
    return { value: tf.exp(logPsi), logDet: this.logDetFromLogPsi(logPsi) };
  }

  /** y_k = τ (log ψ_k − log ψ_K + log δ) (docs/paper.md §1.2), using the given K-th coordinate. */
  protected inverseAndLogDetImpl(psi: tf.Tensor): ValueAndLogDet {
    const logPsi = tf.log(psi);
    return { value: this.inverseFromLog(logPsi), logDet: tf.neg(this.logDetFromLogPsi(logPsi)) };
  }

  /** The inverse from log ψ directly (exact where ψ itself would underflow). */
  inverseFromLog(logPsi: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = logPsi.shape[logPsi.rank - 1];
      const first = tf.slice(logPsi, Array(logPsi.rank).fill(0), [...logPsi.shape.slice(0, -1), k - 1]);
      const last = tf.slice(logPsi, [...Array(logPsi.rank - 1).fill(0), k - 1], [...logPsi.shape.slice(0, -1), 1]);
      return tf.mul(tf.add(tf.sub(first, last), perEvent(logOf(this.delta))), perEvent(this.temperature));
    });
  }

  /** log det J = −(K−1) log τ + Σ_{k=1}^{K} log ψ_k. */
  logDetFromLogPsi(logPsi: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = logPsi.shape[logPsi.rank - 1];
      return tf.sub(tf.sum(logPsi, -1), tf.mul(k - 1, logOf(this.temperature)));
    });
  }
}
