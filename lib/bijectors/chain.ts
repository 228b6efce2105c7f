// Composition of bijectors, listed outermost-first (distrax convention): Chain([f, g, h]) is
// f ∘ g ∘ h, so h is applied first. Log-dets are summed in the same pass as the values.
import * as tf from "@tensorflow/tfjs";
import { Bijector, ImageRestriction, ValueAndLogDet } from "./bijector";

export class Chain extends Bijector {
  readonly name = "Chain";
  /** Outermost first. */
  readonly bijectors: readonly Bijector[];
  declare readonly eventShapeIn?: number[];

  constructor(bijectors: Bijector[]) {
    super();
    if (!Array.isArray(bijectors) || bijectors.length === 0) {
      throw new Error(`Chain needs a non-empty array of bijectors; got ${String(bijectors)}`);
    }
    for (let i = 0; i + 1 < bijectors.length; i++) {
      const outer = bijectors[i];
      const inner = bijectors[i + 1];
      if (outer.eventDimsIn !== inner.eventDimsOut) {
        throw new Error(
          `Chain: ${inner.name} (position ${i + 1}) returns events of ${inner.eventDimsOut} axis(es) but ${outer.name} (position ${i}) takes ${outer.eventDimsIn}`,
        );
      }
    }
    this.bijectors = bijectors.slice();
    // Propagate a fixed event shape from the innermost bijector that declares one, so that a
    // size mismatch (e.g. a planar layer of size 4 after an affine map of size 5) fails here.
    let shape: number[] | undefined;
    for (let i = bijectors.length - 1; i >= 0; i--) {
      const b = bijectors[i];
      if (b.eventShapeIn && shape && (b.eventShapeIn.length !== shape.length || b.eventShapeIn.some((d, j) => d !== shape![j]))) {
        throw new Error(
          `Chain: ${b.name} (position ${i}) takes events of shape [${b.eventShapeIn.join(", ")}] but the bijector inside it returns [${shape.join(", ")}]`,
        );
      }
      if (!shape && b.eventShapeIn) shape = b.eventShapeIn;
      if (shape) shape = b.forwardEventShape(shape);
    }
    if (bijectors[bijectors.length - 1].eventShapeIn) this.eventShapeIn = bijectors[bijectors.length - 1].eventShapeIn;
    (this as { eventDimsIn: number }).eventDimsIn = bijectors[bijectors.length - 1].eventDimsIn;
    (this as { eventDimsOut: number }).eventDimsOut = bijectors[0].eventDimsOut;
  }

  forwardEventShape(shapeIn: number[]): number[] {
    let shape = shapeIn;
    for (let i = this.bijectors.length - 1; i >= 0; i--) shape = this.bijectors[i].forwardEventShape(shape);
    return shape;
  }

  inverseEventShape(shapeOut: number[]): number[] {
    let shape = shapeOut;
    for (const b of this.bijectors) shape = b.inverseEventShape(shape);
    return shape;
  }

  protected forwardAndLogDetImpl(x: tf.Tensor): ValueAndLogDet {
    let value = x;
    let logDet: tf.Tensor | undefined;
    for (let i = this.bijectors.length - 1; i >= 0; i--) {
      const step = this.bijectors[i].forwardAndLogDet(value);
      value = step.value;
      logDet = logDet ? tf.add(logDet, step.logDet) : step.logDet;
    }
    return { value, logDet: logDet! };
  }

  protected inverseAndLogDetImpl(y: tf.Tensor): ValueAndLogDet {
    let value = y;
    let logDet: tf.Tensor | undefined;
    for (const b of this.bijectors) {
      const step = b.inverseAndLogDet(value);
      value = step.value;
      logDet = logDet ? tf.add(logDet, step.logDet) : step.logDet;
    }
    return { value, logDet: logDet! };
  }

  /**
   * The inverse with every event outside the image flagged instead of evaluated: `inside` (boolean,
   * null when every bijector maps onto the whole space) is false where some bijector's inverse met a
   * point outside its image; there `value` and `logDet` are those of a stand-in interior point, finite
   * with finite gradients, for the caller to mask.
   */
  inverseAndLogDetOnImage(y: tf.Tensor): ValueAndLogDet & { inside: tf.Tensor | null } {
    this.inverseEventShape(y.shape.slice(y.rank - this.eventDimsOut));
    const result: { value: tf.Tensor; logDet: tf.Tensor; inside?: tf.Tensor } = tf.tidy(() => {
      let value = y;
      let logDet: tf.Tensor | undefined;
      let inside: tf.Tensor | undefined;
      for (const b of this.bijectors) {
        const restricted: ImageRestriction = b.restrictToImage(value);
        if (restricted.inside) inside = inside ? tf.logicalAnd(inside, restricted.inside) : restricted.inside;
        const step = b.inverseAndLogDet(restricted.value);
        value = step.value;
        logDet = logDet ? tf.add(logDet, step.logDet) : step.logDet;
      }
      return inside ? { value, logDet: logDet!, inside } : { value, logDet: logDet! };
    });
    return { value: result.value, logDet: result.logDet, inside: result.inside ?? null };
  }
}
