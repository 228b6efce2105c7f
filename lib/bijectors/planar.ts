// Planar flow (Rezende & Mohamed 2015) along the category axis, one layer per call:
//   z' = z + û tanh(wᵀz + b),  log|det| = log|1 + tanh'(wᵀz + b) · wᵀû|.
// û is reparameterized so that wᵀû = −1 + softplus(wᵀu) > −1, which makes the map invertible for
// every (w, u, b): û = u + (−1 + softplus(wᵀu) − wᵀu) · w / ‖w‖², with ‖w‖² per variable.
// The authors divide by the Frobenius norm ‖W‖ of the whole w tensor instead (docs/paper.md §2.2,
// trap 8), which does not guarantee wᵀû > −1; `authorsNormW: true` reproduces that.
import * as tf from "@tensorflow/tfjs";
import { stopGradient, tanhDerivative } from "../core/special";
import { assertFinite, assertTensor, broadcastShapes } from "../core/validate";
import { Bijector, requireEventSize, ValueAndLogDet } from "./bijector";

/** Std of the random-normal initialisation of w and u: Keras' default, which the authors' flows use
 *  (docs/paper.md §2.2). Every model and fit that learns planar flows starts from it. */
export const PLANAR_INIT_STD = 0.05;

export interface PlanarOptions {
  /** Direction w, [..., D] (one per variable: leading axes are batch axes). */
  w: tf.Tensor;
  /** Raw u, [..., D]; the layer uses the reparameterized û. */
  u: tf.Tensor;
  /** Offset b, [...] (the batch shape of w without the event axis). */
  b: tf.Tensor;
  /** Reproduce the authors' û = u + a·w/‖W‖ (global norm): not always invertible. Default false. */
  authorsNormW?: boolean;
  validateArgs?: boolean;
}

/** ‖w‖² at or below this is treated as w = 0 (a translation), keeping 0/0 out of û. */
const MIN_W_NORM_SQUARED = 1e-30;

/** Newton iterations of the inverse; bisection safeguards each so 40 always suffice in float32. */
const INVERSE_ITERATIONS = 40;

/**
 * Float64 twin of `Planar.uHatAndSlope`'s û (per-variable ‖w‖², not `authorsNormW`) for plain-JS fast
 * paths: w and u are [V, M] row-major, û is returned in the same layout.
 */
export function planarUHat64(w: ArrayLike<number>, u: ArrayLike<number>, V: number, M: number): Float64Array {
  const uHat = new Float64Array(V * M);
  for (let v = 0; v < V; v++) {
    let wu = 0;
    let wNormSquared = 0;
    for (let k = 0; k < M; k++) {
      wu += w[v * M + k] * u[v * M + k];
      wNormSquared += w[v * M + k] * w[v * M + k];
    }
    const softplus = wu > 0 ? wu + Math.log1p(Math.exp(-wu)) : Math.log1p(Math.exp(wu));
    const factor = (softplus - 1 - wu) / Math.max(wNormSquared, MIN_W_NORM_SQUARED);
    for (let k = 0; k < M; k++) uHat[v * M + k] = u[v * M + k] + factor * w[v * M + k];
  }
  return uHat;
}

export class Planar extends Bijector {
  readonly name = "Planar";
  readonly w: tf.Tensor;
  readonly u: tf.Tensor;
  readonly b: tf.Tensor;
  readonly authorsNormW: boolean;
  declare readonly eventShapeIn: number[];
  readonly batchShape: number[];

  constructor({ w, u, b, authorsNormW = false, validateArgs = true }: PlanarOptions) {
    super();
    assertTensor("w", w, 1);
    assertTensor("u", u, 1);
    assertTensor("b", b, 0);
    const size = w.shape[w.rank - 1];
    if (u.shape[u.rank - 1] !== size) {
      throw new Error(`shape mismatch: w [${w.shape.join(", ")}] and u [${u.shape.join(", ")}] must have the same last (event) axis`);
    }
    this.batchShape = broadcastShapes([
      ["w (batch part)", w.shape.slice(0, -1)],
      ["u (batch part)", u.shape.slice(0, -1)],
      ["b", b.shape],
    ]);
    if (validateArgs) {
      assertFinite("w", w);
      assertFinite("u", u);
      assertFinite("b", b);
    }
    this.w = w;
    this.u = u;
    this.b = b;
    this.authorsNormW = authorsNormW;
    this.eventShapeIn = [size];
  }

  forwardEventShape(shapeIn: number[]): number[] {
    requireEventSize("Planar forward", shapeIn, this.eventShapeIn[0]);
    return shapeIn;
  }

  inverseEventShape(shapeOut: number[]): number[] {
    requireEventSize("Planar inverse", shapeOut, this.eventShapeIn[0]);
    return shapeOut;
  }

  /** û and m = wᵀû, the quantities the map and its log-det use. m > −1 unless authorsNormW. */
  uHatAndSlope(): { uHat: tf.Tensor; slope: tf.Tensor } {
    return tf.tidy(() => {
      const wu = tf.sum(tf.mul(this.w, this.u), -1);
      const correction = tf.sub(tf.sub(tf.softplus(wu), 1), wu);
      const wNormSquared = tf.sum(tf.square(this.w), -1);
      if (this.authorsNormW) {
        const globalNorm = tf.sqrt(tf.sum(tf.square(this.w)));
        const uHat = tf.add(this.u, tf.mul(tf.expandDims(correction, -1), tf.div(this.w, globalNorm)));
        return { uHat, slope: tf.add(wu, tf.div(tf.mul(correction, wNormSquared), globalNorm)) };
      }
      // w = 0 makes the layer a translation by û tanh(b); the max() keeps 0/0 out of û.
      const safeNorm = tf.maximum(wNormSquared, MIN_W_NORM_SQUARED);
      const uHat = tf.add(this.u, tf.mul(tf.expandDims(tf.div(correction, safeNorm), -1), this.w));
      // wᵀû = −1 + softplus(wᵀu) exactly; using it (not a recomputed dot product) keeps 1 + h'·m > 0.
      // Where the max() acted (w = 0: slope 0) the slope is what û actually gives.
      const clamped = tf.add(wu, tf.mul(correction, tf.div(wNormSquared, safeNorm)));
      return { uHat, slope: tf.where(tf.lessEqual(stopGradient(wNormSquared), MIN_W_NORM_SQUARED), clamped, tf.sub(tf.softplus(wu), 1)) };
    });
  }

  /**
   * log|1 + tanh'(a)·wᵀû|. For the invertible form 1 + h'm = tanh²(a) + h'·softplus(wᵀu): two positive
   * terms, so no cancellation even where softplus(wᵀu) − 1 rounds to −1 in float32.
   */
  private logDetAt(a: tf.Tensor, slope: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const hPrime = tanhDerivative(a);
      const direct = tf.add(1, tf.mul(hPrime, slope));
      if (this.authorsNormW) return tf.log(tf.abs(direct));
      const wu = tf.sum(tf.mul(this.w, this.u), -1);
      const positive = tf.add(tf.square(tf.tanh(a)), tf.mul(hPrime, tf.softplus(wu)));
      // the positive form holds only where wᵀû = −1 + softplus(wᵀu), i.e. not where w = 0 (see uHatAndSlope)
      const degenerate = tf.lessEqual(stopGradient(tf.sum(tf.square(this.w), -1)), MIN_W_NORM_SQUARED);
      return tf.log(tf.abs(tf.where(degenerate, direct, positive)));
    });
  }

  protected forwardAndLogDetImpl(z: tf.Tensor): ValueAndLogDet {
    const { uHat, slope } = this.uHatAndSlope();
    const a = tf.add(tf.sum(tf.mul(this.w, z), -1), this.b);
    const value = tf.add(z, tf.mul(uHat, tf.expandDims(tf.tanh(a), -1)));
    return { value, logDet: tf.broadcastTo(this.logDetAt(a, slope), value.shape.slice(0, -1)) };
  }

  /**
   * Writing a = wᵀz + b, the output satisfies wᵀz' + b = a + m tanh(a) =: c, strictly increasing in a
   * when m > −1. We solve for a by safeguarded Newton on the bracket [c − |m|, c + |m|], then take one
   * more Newton step from the stop-gradient root so gradients follow the implicit function theorem.
   */
  protected inverseAndLogDetImpl(y: tf.Tensor): ValueAndLogDet {
    const { uHat, slope } = this.uHatAndSlope();
    const c = tf.add(tf.sum(tf.mul(this.w, y), -1), this.b);
    const root = tf.tidy(() => {
      const cs = stopGradient(c);
      const m = tf.broadcastTo(stopGradient(slope), cs.shape);
      let lo = tf.sub(cs, tf.abs(m));
      let hi = tf.add(cs, tf.abs(m));
      let a = tf.clone(cs);
      for (let i = 0; i < INVERSE_ITERATIONS; i++) {
        const next = tf.tidy(() => {
          const f = tf.sub(tf.add(a, tf.mul(m, tf.tanh(a))), cs);
          const newLo = tf.where(tf.less(f, 0), a, lo);
          const newHi = tf.where(tf.less(f, 0), hi, a);
          const fPrime = tf.add(1, tf.mul(m, tanhDerivative(a)));
          const newton = tf.sub(a, tf.div(f, fPrime));
          const inside = tf.logicalAnd(tf.greater(newton, newLo), tf.less(newton, newHi));
          const bisected = tf.where(inside, newton, tf.mul(0.5, tf.add(newLo, newHi)));
          const step = tf.where(tf.equal(f, 0), a, bisected);
          return [newLo, newHi, step];
        });
        lo.dispose();
        hi.dispose();
        a.dispose();
        [lo, hi, a] = next;
      }
      return a;
    });
    const fixed = stopGradient(root);
    const f = tf.sub(tf.add(fixed, tf.mul(slope, tf.tanh(fixed))), c);
    const a = tf.sub(fixed, tf.div(f, tf.add(1, tf.mul(slope, tanhDerivative(fixed)))));
    const value = tf.sub(y, tf.mul(uHat, tf.expandDims(tf.tanh(a), -1)));
    return { value, logDet: tf.broadcastTo(tf.neg(this.logDetAt(a, slope)), value.shape.slice(0, -1)) };
  }
}
