// Adam (Kingma & Ba) with its whole state in plain view: step count and moments m, v per variable,
// so a checkpoint can save and restore it bit for bit.
//
// Why not tf.train.adam: its bias corrections come from accumulated products β^t kept as float32
// variables, and its setWeights rebuilds them as pow(β, t), which differs in the last bits from the
// product an uninterrupted run accumulated, so a resumed run would drift from the original. Here
// the corrections are computed from the integer step in float64 each time. The update is tf's:
//   m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,  w ← w − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
// Each step writes new tensors and assigns them (never mutates a weight in place: XNNPACK caches
// packed weights by tensor id, docs/performance.md §3.6).
//
// On wasm the update of each variable is one SIMD kernel (adamKernel.ts) doing the same float32
// operations in the same order, so it gives the same bits as the op-by-op path used on cpu and
// tfjs-node (test/kernels/adamKernel.test.ts checks this bit for bit).
import * as tf from "@tensorflow/tfjs";
import { adamKernelAvailable, adamKernelUpdate } from "../kernels/adamKernel";

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  /** Added to √v̂ (default 1e−7, tfjs's default). */
  epsilon?: number;
}

export class Adam {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Updates applied so far. */
  step = 0;
  readonly firstMoments: tf.Variable[];
  readonly secondMoments: tf.Variable[];

  constructor(readonly variables: tf.Variable[], { learningRate, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 }: AdamOptions) {
    if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new Error(`Adam: learningRate must be a finite number > 0; got ${learningRate}`);
    for (const [name, b] of [["beta1", beta1], ["beta2", beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw new Error(`Adam: ${name} must be in [0, 1); got ${b}`);
    }
    if (!(epsilon > 0)) throw new Error(`Adam: epsilon must be > 0; got ${epsilon}`);
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.firstMoments = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    this.secondMoments = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  /** One update from gradients in the order of `variables` (or keyed by variable name). */
  apply(grads: tf.Tensor[] | tf.NamedTensorMap): void {
    const list = Array.isArray(grads) ? grads : this.variables.map((v) => grads[v.name]);
    this.step += 1;
    const t = this.step;
    const correction1 = 1 - Math.pow(this.beta1, t);
    const correction2 = 1 - Math.pow(this.beta2, t);
    const kernel = adamKernelAvailable();
    const coefficients = { beta1: this.beta1, beta2: this.beta2, correction1, correction2, epsilon: this.epsilon, learningRate: this.learningRate };
    tf.tidy(() => {
      this.variables.forEach((variable, i) => {
        const g = list[i];
        if (!g) throw new Error(`Adam: no gradient for variable ${variable.name}`);
        if (kernel) {
          const [w, m, v] = adamKernelUpdate(variable, g, this.firstMoments[i], this.secondMoments[i], coefficients);
          variable.assign(w);
          this.firstMoments[i].assign(m);
          this.secondMoments[i].assign(v);
          return;
        }
        const m = tf.add(tf.mul(this.firstMoments[i], this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.secondMoments[i], this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), this.epsilon));
        variable.assign(tf.sub(variable, tf.mul(update, this.learningRate)));
        this.firstMoments[i].assign(m);
        this.secondMoments[i].assign(v);
      });
    });
  }

  dispose(): void {
    for (const v of [...this.firstMoments, ...this.secondMoments]) v.dispose();
  }
}
