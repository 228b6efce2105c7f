// The bijector contract (distrax style): one core method returns the value and the log-det
// together, so the two can never disagree; everything else derives from it.
import * as tf from "@tensorflow/tfjs";

/** The value of a map and log|det J| of the map at the input, reduced over the event. */
export type ValueAndLogDet = {
  value: tf.Tensor;
  logDet: tf.Tensor;
};

/**
 * Where a point lies relative to a map's image: `inside` is boolean with the point's batch shape (null
 * when the image is the whole space), and `value` is the point with every outside event replaced by a
 * fixed interior one, so that an inverse evaluated on it stays finite and so do its gradients (the
 * caller masks those events afterwards; a where on a NaN branch would still leak NaN gradients).
 */
export type ImageRestriction = {
  inside: tf.Tensor | null;
  value: tf.Tensor;
};

/**
 * An invertible map acting on events of `eventDimsIn` trailing axes, returning events of
 * `eventDimsOut` trailing axes. Log-dets have the input's batch shape (broadcast with the
 * parameters' batch shape). Subclasses must make the map bijective onto its declared image and
 * implement `forwardAndLogDetImpl` and `inverseAndLogDetImpl`; the public methods wrap them in
 * tf.tidy and check the event size.
 */
export abstract class Bijector {
  abstract readonly name: string;
  /** Trailing axes that form one input event (1 for every bijector here: vectors). */
  readonly eventDimsIn: number = 1;
  /** Trailing axes that form one output event. */
  readonly eventDimsOut: number = 1;
  /** The input event shape if the parameters fix it (Affine, Planar), else undefined (any size). */
  readonly eventShapeIn?: number[];

  /** Output event shape for an input event shape; throws if the input does not fit. */
  abstract forwardEventShape(shapeIn: number[]): number[];
  /** Input event shape for an output event shape; throws if the output does not fit. */
  abstract inverseEventShape(shapeOut: number[]): number[];

  protected abstract forwardAndLogDetImpl(x: tf.Tensor): ValueAndLogDet;
  protected abstract inverseAndLogDetImpl(y: tf.Tensor): ValueAndLogDet;

  /** y = f(x) and log|det ∂f/∂x| (of shape x's batch shape). The core method. */
  forwardAndLogDet(x: tf.Tensor): ValueAndLogDet {
    this.forwardEventShape(eventShapeOf(x, this.eventDimsIn, `${this.name}.forward input`));
    return tf.tidy(() => this.forwardAndLogDetImpl(x));
  }

  /** x = f⁻¹(y) and log|det ∂f⁻¹/∂y| (= −forward log-det at x). */
  inverseAndLogDet(y: tf.Tensor): ValueAndLogDet {
    this.inverseEventShape(eventShapeOf(y, this.eventDimsOut, `${this.name}.inverse input`));
    return tf.tidy(() => this.inverseAndLogDetImpl(y));
  }

  /**
   * Which events of y lie in the image of the map, and y with the others replaced by an interior
   * point. The default is for maps onto the whole space: everything is inside.
   */
  restrictToImage(y: tf.Tensor): ImageRestriction {
    return { inside: null, value: y };
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.forwardAndLogDet(x).value);
  }

  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.inverseAndLogDet(y).value);
  }

  forwardLogDetJacobian(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.forwardAndLogDet(x).logDet);
  }

  inverseLogDetJacobian(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.inverseAndLogDet(y).logDet);
  }
}

/** The trailing `eventDims` axes of x; throws if x has too few axes. */
export function eventShapeOf(x: tf.Tensor, eventDims: number, what: string): number[] {
  if (x.rank < eventDims) {
    throw new Error(`${what} must have at least ${eventDims} axis(es) for the event; got shape [${x.shape.join(", ")}]`);
  }
  return x.shape.slice(x.rank - eventDims);
}

/** Throws unless a vector event has exactly `size` entries. */
export function requireEventSize(what: string, shape: number[], size: number): void {
  if (shape.length !== 1 || shape[0] !== size) {
    throw new Error(`${what}: event shape must be [${size}]; got [${shape.join(", ")}]`);
  }
}
