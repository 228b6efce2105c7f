// A fully connected layer, y = activation(x·W + b), written as one tf.customGrad op whose
// gradient needs no transposed matMul operand (docs/performance.md §3.3).
//
// Why: on the wasm backend a matMul with a transpose flag runs a scalar loop about 20x slower
// than XNNPACK. The kernel patch in lib/core/wasmMatMul.ts already removes the flags; this layer
// also avoids transposing the big weight matrix in dX, and skips dX entirely for a data input:
//   dZ = dY ⊙ 1[y > 0] (relu) or dY (linear)
//   dW = xᵀ·dZ            (x [B,in] is small: transpose it explicitly)
//   db = Σ_rows dZ        (as sum(dZᵀ, 1): a reduction over axis 0 transposes internally on wasm)
//   dX = (W·dZᵀ)ᵀ         (W is the left operand, which XNNPACK never packs or transposes)
// The forward pass calls the _FusedMatMul kernel directly so bias and relu are fused even while
// gradients are recorded (tf.fused.matMul refuses to fuse relu then). Nothing here is specific to
// one backend: cpu, wasm and tfjs-node all implement _FusedMatMul.
import * as tf from "@tensorflow/tfjs";

export type DenseActivation = "relu" | "linear";

const ACTIVATIONS: readonly DenseActivation[] = ["relu", "linear"];

export interface DenseOptions {
  /** Activation applied after the affine map. Default "linear". */
  activation?: DenseActivation;
  /** Seed of the Glorot-uniform weight initialisation. Default 0. */
  seed?: number;
}

export interface ApplyOptions {
  /**
   * Whether gradients must flow back into `x`. Set false only when `x` is data (the first layer
   * of an encoder): its dX product is then skipped, and `x` gets no gradient. Default true.
   */
  inputGrad?: boolean;
  /**
   * Whether the weight and bias take part in the gradient. Set false where they are constants of
   * the computation (a decoder inside another model's gradient estimate): the op then has `x` as
   * its only input, its backward pass computes dX alone, and no tape path leads to the variables,
   * even through a second-order gradient. Applies to every layer of an MLP. Default true.
   */
  weightGrad?: boolean;
}

function checkSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got ${value}`);
  }
}

function checkActivation(activation: string): asserts activation is DenseActivation {
  if (!(ACTIVATIONS as readonly string[]).includes(activation)) {
    throw new Error(`activation must be one of ${ACTIVATIONS.join(", ")}, got "${activation}"`);
  }
}

/**
 * Glorot (Xavier) uniform weights U(-l, l) with l = sqrt(6 / (fanIn + fanOut)), and zero biases.
 * Made inside tf.tidy: tf.variable shares the initialiser's buffer, which would otherwise stay
 * alive after the first assign (docs/performance.md §6).
 */
function glorotUniform(fanIn: number, fanOut: number, seed: number): tf.Variable<tf.Rank.R2> {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.tidy(() => tf.variable(tf.randomUniform([fanIn, fanOut], -limit, limit, "float32", seed)));
}

/**
 * Weights from this many entries up take the transposed forward route on wasm. XNNPACK packs the
 * right operand of a product the first time it sees that tensor, and the weights are new tensors
 * after every Adam step; packing a 784×512 weight costs more than transposing it and the small
 * activations (bench/results.json: vae-step; about −2 ms on the nonlinear net, which has two such layers).
 */
export const TRANSPOSED_FORWARD_MIN_WEIGHTS = 300_000;

function usesTransposedForward(inSize: number, outSize: number): boolean {
  return tf.getBackend() === "wasm" && inSize * outSize >= TRANSPOSED_FORWARD_MIN_WEIGHTS;
}

/**
 * The forward product x·W + b, fused with relu when asked, through the _FusedMatMul kernel; for a
 * big weight on wasm, as (Wᵀ·xᵀ)ᵀ + b so that only xᵀ is packed.
 */
function affine(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D, activation: DenseActivation): tf.Tensor2D {
  const [rows, inSize] = x.shape;
  const outSize = weight.shape[1];
  if (usesTransposedForward(inSize, outSize)) {
    const z = tf.add(tf.transpose(tf.matMul(tf.transpose(weight), tf.transpose(x))), bias) as tf.Tensor2D;
    return activation === "relu" ? tf.relu(z) : z;
  }
  const out = tf.engine().runKernel(
    "_FusedMatMul",
    { a: tf.reshape(x, [1, rows, inSize]), b: tf.reshape(weight, [1, inSize, outSize]), bias },
    { transposeA: false, transposeB: false, activation },
  ) as tf.Tensor3D;
  return tf.reshape(out, [rows, outSize]);
}

/** dL/d(pre-activation) from dL/dy and the saved output y. */
function preActivationGrad(dy: tf.Tensor2D, y: tf.Tensor2D, activation: DenseActivation): tf.Tensor2D {
  // relu'(z) = 1[z > 0] = 1[y > 0]; tf.step(0) = 0 matches tf's relu gradient at the kink.
  return activation === "relu" ? tf.mul(dy, tf.step(y)) : dy;
}

/**
 * A tensor on the same buffer as `v` that the gradient tape does not connect to it (no copy, no
 * recorded op): `v` is a constant wherever the view is used. It holds a reference to the buffer,
 * as a reshape kernel's output does; the scope it is made in disposes it.
 */
function constantView<T extends tf.Tensor>(v: T): T {
  const engine = tf.engine();
  engine.backend.incRef(v.dataId);
  return engine.makeTensorFromDataId(v.dataId, v.shape, v.dtype) as T;
}

/** Builds the custom op y = activation(x·W + b) with the transpose-free gradient. */
function denseOp(
  x: tf.Tensor2D,
  weight: tf.Tensor2D,
  bias: tf.Tensor1D,
  activation: DenseActivation,
  inputGrad: boolean,
  weightGrad: boolean,
): tf.Tensor2D {
  // The backward pass must read x and y through `saved`: tensors made inside the forward function
  // are disposed when it returns (docs/performance.md §2, the customGrad pitfall).
  const backward = (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
    const [xs, y] = saved as [tf.Tensor2D, tf.Tensor2D];
    const dz = preActivationGrad(dy, y, activation);
    const dzT = tf.transpose(dz);
    const dWeight = tf.matMul(tf.transpose(xs), dz);
    const dBias = tf.sum(dzT, 1);
    if (!inputGrad) return [dWeight, dBias];
    const dx = tf.transpose(tf.matMul(weight, dzT));
    return [dx, dWeight, dBias];
  };
  // tf.customGrad passes the op's inputs followed by the save function.
  type CustomArgs = Array<tf.Tensor | tf.GradSaveFunc>;
  if (!weightGrad) {
    if (!inputGrad) throw new Error("dense: with neither inputGrad nor weightGrad nothing would be differentiable; call the layer under tf.tidy without a tape instead");
    // The variables enter as tape-free views of their buffers (made inside the forward and backward
    // functions, whose scopes dispose them): the backward pass's W·dZᵀ then has no recorded input
    // that leads back to them, so a gradient of a gradient cannot reach them either.
    const op = tf.customGrad((...args: CustomArgs) => {
      const [xIn, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
      const y = affine(xIn, constantView(weight), constantView(bias), activation);
      save([y]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
          tf.transpose(tf.matMul(constantView(weight), tf.transpose(preActivationGrad(dy, saved[0] as tf.Tensor2D, activation)))),
      };
    });
    return op(x);
  }
  if (inputGrad) {
    const op = tf.customGrad((...args: CustomArgs) => {
      const [xIn, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
      const y = affine(xIn, w, b, activation);
      save([xIn, y]);
      return { value: y, gradFunc: backward };
    });
    return op(x, weight, bias);
  }
  // x is data: leave it out of the op's inputs so no gradient is requested for it.
  const op = tf.customGrad((...args: CustomArgs) => {
    const [w, b, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const y = affine(x, w, b, activation);
    save([x, y]);
    return { value: y, gradFunc: backward };
  });
  return op(weight, bias);
}

/** A dense layer with its own float32 variables: weight [inSize, outSize] and bias [outSize]. */
export class Dense {
  readonly weight: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1>;
  readonly activation: DenseActivation;

  constructor(readonly inSize: number, readonly outSize: number, options: DenseOptions = {}) {
    checkSize("inSize", inSize);
    checkSize("outSize", outSize);
    const activation = options.activation ?? "linear";
    checkActivation(activation);
    this.activation = activation;
    this.weight = glorotUniform(inSize, outSize, options.seed ?? 0);
    this.bias = tf.tidy(() => tf.variable(tf.zeros([outSize], "float32"))) as tf.Variable<tf.Rank.R1>;
  }

  /** y = activation(x·W + b) for x of shape [batch, inSize]. */
  apply(x: tf.Tensor2D, options: ApplyOptions = {}): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inSize) {
      throw new Error(`x must have shape [batch, ${this.inSize}], got [${x.shape.join(", ")}]`);
    }
    if (x.dtype !== "float32") throw new Error(`x must be float32, got ${x.dtype}`);
    return denseOp(x, this.weight, this.bias, this.activation, options.inputGrad ?? true, options.weightGrad ?? true);
  }

  get variables(): tf.Variable[] {
    return [this.weight, this.bias];
  }

  dispose(): void {
    this.weight.dispose();
    this.bias.dispose();
  }
}

export interface MLPOptions {
  /** Seed of the first layer's initialisation; layer i uses seed + i. Default 0. */
  seed?: number;
}

/**
 * A stack of Dense layers. `sizes` lists the widths [in, h1, ..., out]; `activations` gives one
 * activation per layer, or one for the hidden layers (the last layer is then linear).
 */
export class MLP {
  readonly layers: Dense[];

  constructor(readonly sizes: number[], activations: DenseActivation | DenseActivation[] = "relu", options: MLPOptions = {}) {
    if (!Array.isArray(sizes) || sizes.length < 2) {
      throw new Error(`sizes must list at least an input and an output width, got [${sizes}]`);
    }
    sizes.forEach((size, i) => checkSize(`sizes[${i}]`, size));
    const count = sizes.length - 1;
    const perLayer = Array.isArray(activations)
      ? activations
      : Array.from({ length: count }, (_, i): DenseActivation => (i < count - 1 ? activations : "linear"));
    if (perLayer.length !== count) {
      throw new Error(`activations must have one entry per layer (${count}), got ${perLayer.length}`);
    }
    const seed = options.seed ?? 0;
    this.layers = perLayer.map((activation, i) => new Dense(sizes[i], sizes[i + 1], { activation, seed: seed + i }));
  }

  /**
   * Applies every layer in turn; `inputGrad: false` skips dX of the first layer (x is data),
   * `weightGrad: false` holds every layer's weights constant.
   */
  apply(x: tf.Tensor2D, options: ApplyOptions = {}): tf.Tensor2D {
    // tidy: the hidden activations would otherwise outlive a call made outside a tidy (evaluation
    // code encodes outside one); under a gradient tape the tensors backprop needs are kept by tfjs.
    return tf.tidy(() => {
      let h = x;
      this.layers.forEach((layer, i) => {
        h = layer.apply(h, i === 0 ? options : { weightGrad: options.weightGrad });
      });
      return h;
    });
  }

  get variables(): tf.Variable[] {
    return this.layers.flatMap((layer) => layer.variables);
  }

  dispose(): void {
    for (const layer of this.layers) layer.dispose();
  }
}
