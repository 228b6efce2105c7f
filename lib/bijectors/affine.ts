// κ = loc + scale ⊙ ε: the reparameterization of a diagonal Gaussian (docs/paper.md §2).
import * as tf from "@tensorflow/tfjs";
import { assertFinite, assertTensor, broadcastShapes } from "../core/validate";
import { Bijector, requireEventSize, ValueAndLogDet } from "./bijector";

export interface AffineOptions {
  /** Shift, [..., D]. */
  loc: tf.Tensor;
  /** Elementwise scale, [..., D]; nonzero (a Gaussian needs > 0, which the distributions check). */
  scale: tf.Tensor;
  /** Read the parameters once to check them (default true). Turn off inside hot training loops. */
  validateArgs?: boolean;
}

/** Elementwise affine map on vector events: log|det| = Σ log|scale|. */
export class Affine extends Bijector {
  readonly name = "Affine";
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;
  declare readonly eventShapeIn: number[];
  /** Batch shape of the parameters (their leading axes, broadcast together). */
  readonly batchShape: number[];

  constructor({ loc, scale, validateArgs = true }: AffineOptions) {
    super();
    assertTensor("loc", loc, 1);
    assertTensor("scale", scale, 1);
    const size = loc.shape[loc.rank - 1];
    if (scale.shape[scale.rank - 1] !== size) {
      throw new Error(`shape mismatch: loc [${loc.shape.join(", ")}] and scale [${scale.shape.join(", ")}] must have the same last (event) axis`);
    }
    this.batchShape = broadcastShapes([
      ["loc (batch part)", loc.shape.slice(0, -1)],
      ["scale (batch part)", scale.shape.slice(0, -1)],
    ]);
    if (validateArgs) {
      assertFinite("loc", loc);
      assertFinite("scale", scale);
      const values = scale.dataSync();
      const zero = values.findIndex((v) => v === 0);
      if (zero >= 0) throw new Error(`scale must be nonzero for Affine to be invertible; got 0 at flat index ${zero}`);
    }
    this.loc = loc;
    this.scale = scale;
    this.eventShapeIn = [size];
  }

  forwardEventShape(shapeIn: number[]): number[] {
    requireEventSize("Affine forward", shapeIn, this.eventShapeIn[0]);
    return shapeIn;
  }

  inverseEventShape(shapeOut: number[]): number[] {
    requireEventSize("Affine inverse", shapeOut, this.eventShapeIn[0]);
    return shapeOut;
  }

  protected forwardAndLogDetImpl(x: tf.Tensor): ValueAndLogDet {
    const value = tf.add(this.loc, tf.mul(this.scale, x));
    return { value, logDet: this.logDetFor(value, 1) };
  }

  protected inverseAndLogDetImpl(y: tf.Tensor): ValueAndLogDet {
    const value = tf.div(tf.sub(y, this.loc), this.scale);
    return { value, logDet: this.logDetFor(value, -1) };
  }

  private logDetFor(result: tf.Tensor, sign: number): tf.Tensor {
    const perEvent = tf.mul(sign, tf.sum(tf.log(tf.abs(this.scale)), -1));
    return tf.broadcastTo(perEvent, result.shape.slice(0, -1));
  }
}
