// IGR-I: ψ = softmax++((μ + σ ε)/τ) (docs/paper.md §2.1).
import * as tf from "@tensorflow/tfjs";
import { discreteProbabilities } from "../discrete/discreteProbabilities";
import { IGRBase, IGROptions } from "./igr";

export class InvertibleGaussian extends IGRBase {
  constructor(options: IGROptions) {
    super(options, []);
  }

  /**
   * P(H = k), the law of the τ → 0 limit (appendix Proposition 2, eq. (7)), [...locScaleBatch, K];
   * differentiable in loc and scale. With δ = 1 it is also the law of argmax ψ at every τ.
   */
  discreteProbs(options?: Parameters<typeof discreteProbabilities>[2]): tf.Tensor {
    return tf.tidy(() => {
      const shape = [...broadcastLead(this.loc, this.scale), this.latentSize];
      return discreteProbabilities(tf.broadcastTo(this.loc, shape), tf.broadcastTo(this.scale, shape), options);
    });
  }
}

function broadcastLead(a: tf.Tensor, b: tf.Tensor): number[] {
  const x = a.shape.slice(0, -1);
  const y = b.shape.slice(0, -1);
  const rank = Math.max(x.length, y.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const p = x[x.length - rank + i] ?? 1;
    const q = y[y.length - rank + i] ?? 1;
    out.push(p === 1 ? q : p);
  }
  return out;
}
