// Sigmoid stick-breaking as in the authors' IGR-SB (docs/paper.md §2.3): κ ∈ R^n ↦ η ∈ R^n with
//   v = sigmoid(κ),  η_k = v_k Π_{j<k} (1 − v_j).
// η has n entries and no remainder term: the extra (K-th) category of IGR-SB is softmax++'s slack,
// added by the next bijector. The image is {η_k > 0, Σ η_k < 1}.
import * as tf from "@tensorflow/tfjs";
import { log1p, logSigmoid, maskOf } from "../core/special";
import { Bijector, ImageRestriction, ValueAndLogDet } from "./bijector";

/** The n sticks η for fractions given as logits κ, [..., n] → [..., n], computed in log space. */
export function stickBreaking(kappa: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.exp(logSticks(kappa)));
}

/** log η_k = log σ(κ_k) + Σ_{j<k} log σ(−κ_j). */
function logSticks(kappa: tf.Tensor): tf.Tensor {
  const axis = kappa.rank - 1;
  return tf.add(logSigmoid(kappa), tf.cumsum(logSigmoid(tf.neg(kappa)), axis, true));
}

/**
 * The Jacobian of κ ↦ η is lower triangular with diagonal v_k(1 − v_k) Π_{j<k}(1 − v_j); the
 * product telescopes to log det = Σ_k log η_k + log(1 − Σ_k η_k) = Σ_k log η_k + Σ_k log σ(−κ_k).
 */
export class StickBreaking extends Bijector {
  readonly name = "StickBreaking";

  forwardEventShape(shapeIn: number[]): number[] {
    if (shapeIn.length !== 1 || shapeIn[0] < 1) {
      throw new Error(`StickBreaking forward: the event must be a vector of n >= 1 stick logits; got event shape [${shapeIn.join(", ")}]`);
    }
    return shapeIn;
  }

  inverseEventShape(shapeOut: number[]): number[] {
    return this.forwardEventShape(shapeOut);
  }

  /**
   * The image is {η_k > 0, Σ η_k < 1}; an event outside it stands in as η_k = 1/(n + 1). NaN entries
   * are left as they are.
   */
  restrictToImage(eta: tf.Tensor): ImageRestriction {
    return tf.tidy(() => {
      const n = eta.shape[eta.rank - 1];
      const inside = maskOf(eta, (v) =>
        tf.logicalNot(tf.logicalOr(tf.any(tf.lessEqual(v, 0), -1), tf.any(tf.greaterEqual(tf.cumsum(v, v.rank - 1), 1), -1))),
      );
      return { inside, value: tf.where(tf.expandDims(inside, -1), eta, tf.fill(eta.shape, 1 / (n + 1))) };
    });
  }

  protected forwardAndLogDetImpl(kappa: tf.Tensor): ValueAndLogDet {
    const logEta = logSticks(kappa);
    const logRemainder = tf.sum(logSigmoid(tf.neg(kappa)), -1);
    return { value: tf.exp(logEta), logDet: tf.add(tf.sum(logEta, -1), logRemainder) };
  }

  /** κ_k = log η_k − log(1 − Σ_{j≤k} η_j). */
  protected inverseAndLogDetImpl(eta: tf.Tensor): ValueAndLogDet {
    const logEta = tf.log(eta);
    const logRemaining = log1p(tf.neg(tf.cumsum(eta, eta.rank - 1)));
    const kappa = tf.sub(logEta, logRemaining);
    const k = eta.shape[eta.rank - 1];
    const logRemainder = tf.slice(logRemaining, [...Array(eta.rank - 1).fill(0), k - 1], [...eta.shape.slice(0, -1), 1]);
    const logDet = tf.neg(tf.add(tf.sum(logEta, -1), tf.squeeze(logRemainder, [eta.rank - 1])));
    return { value: kappa, logDet };
  }
}
