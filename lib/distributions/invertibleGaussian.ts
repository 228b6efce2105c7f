// IGR-I: ψ = softmax++((μ + σ ε)/τ) (docs/paper.md §2.1).
import * as tf from "@tensorflow/tfjs";
import { discreteProbabilities } from "../discrete/discreteProbabilities";
import { broadcastShapes } from "../core/validate";
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
      const shape = [...broadcastShapes([["loc", this.loc.shape.slice(0, -1)], ["scale", this.scale.shape.slice(0, -1)]]), this.latentSize];
      return discreteProbabilities(tf.broadcastTo(this.loc, shape), tf.broadcastTo(this.scale, shape), options);
    });
  }
}
