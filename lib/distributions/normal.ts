// Elementwise Gaussian N(loc, scale²): event shape [], batch shape = broadcast(loc, scale).
import * as tf from "@tensorflow/tfjs";
import { seedSource, standardNormal } from "../core/random";
import { HALF_LOG_TWO_PI } from "../core/constants";
import { normalLogDensity } from "../core/special";
import { assertTensor, broadcastShapes } from "../core/validate";
import { checkSampleCount, Distribution, SampleOptions } from "./distribution";

export interface NormalOptions {
  loc: tf.Tensor;
  /** σ > 0. */
  scale: tf.Tensor;
  validateArgs?: boolean;
}

export class Normal extends Distribution {
  readonly argConstraints = { loc: "real", scale: "positive" } as const;
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;
  readonly batchShape: number[];
  readonly eventShape: number[] = [];

  constructor({ loc, scale, validateArgs = true }: NormalOptions) {
    super();
    assertTensor("loc", loc);
    assertTensor("scale", scale);
    this.batchShape = broadcastShapes([
      ["loc", loc.shape],
      ["scale", scale.shape],
    ]);
    this.checkArgs({ loc, scale }, validateArgs);
    this.loc = loc;
    this.scale = scale;
  }

  /** loc + scale·ε with ε ~ N(0, 1): reparameterized. */
  sample(n: number, { seed }: SampleOptions = {}): tf.Tensor {
    checkSampleCount(n);
    const nextSeed = seedSource(seed);
    return tf.tidy(() => tf.add(this.loc, tf.mul(this.scale, standardNormal([n, ...this.batchShape], nextSeed()))));
  }

  logProb(x: tf.Tensor): tf.Tensor {
    return normalLogDensity(x, this.loc, this.scale);
  }

  entropy(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.add(tf.log(this.scale), 0.5 + HALF_LOG_TWO_PI), this.batchShape));
  }
}

/** Elementwise closed-form KL(N(μq, σq²) ‖ N(μp, σp²)) = log(σp/σq) + (σq² + (μq − μp)²)/(2σp²) − ½. */
export function normalKl(locQ: tf.Tensor, scaleQ: tf.Tensor, locP: tf.Tensor, scaleP: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const ratio = tf.div(scaleQ, scaleP);
    const z = tf.div(tf.sub(locQ, locP), scaleP);
    return tf.sub(tf.mul(0.5, tf.sub(tf.add(tf.square(ratio), tf.square(z)), 1)), tf.log(ratio));
  });
}
