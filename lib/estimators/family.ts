// How the parameters θ define the law of the discrete latents b (V independent categoricals, K
// categories each): directly by logits (the GS / Concrete parameterisation, appendix eq. 16), or
// through IGR's Gaussian by Proposition 2, α(μ, σ) with μ, σ bounded by eq. (15) (appendix eq. 17).
import * as tf from "@tensorflow/tfjs";
import { boundedParameters, BoundedParametersOptions } from "../discrete/boundedParameters";
import { discreteLogProbabilities } from "../discrete/discreteProbabilities";

export type FamilyKind = "logits" | "igr";

export interface ParameterFamily {
  readonly kind: FamilyKind;
  readonly numVariables: number;
  readonly numCategories: number;
  /** Shapes of the parameter tensors, without any leading (draw) axes. */
  readonly parameterShapes: number[][];
  /** log p(b_v = k), [..., V, K], from parameter tensors with any common leading axes. */
  logProbs(params: tf.Tensor[]): tf.Tensor;
}

function checkSizes(where: string, numVariables: number, numCategories: number): void {
  if (!Number.isInteger(numVariables) || numVariables < 1) {
    throw new Error(`${where}: numVariables must be a positive integer, got ${numVariables}`);
  }
  if (!Number.isInteger(numCategories) || numCategories < 2) {
    throw new Error(`${where}: numCategories must be an integer >= 2, got ${numCategories}`);
  }
}

function checkParams(where: string, params: tf.Tensor[], shapes: number[][]): void {
  if (params.length !== shapes.length) throw new Error(`${where}: expected ${shapes.length} parameter tensor(s), got ${params.length}`);
  params.forEach((p, i) => {
    const tail = p.shape.slice(p.rank - shapes[i].length);
    if (p.rank < shapes[i].length || tail.some((s, j) => s !== shapes[i][j])) {
      throw new Error(`${where}: parameter ${i} must end in [${shapes[i]}], got [${p.shape}]`);
    }
  });
}

/** θ = logits [V, K]; p = softmax(θ) per variable. */
export class LogitsFamily implements ParameterFamily {
  readonly kind = "logits" as const;
  readonly parameterShapes: number[][];

  constructor(readonly numVariables: number, readonly numCategories: number) {
    checkSizes("LogitsFamily", numVariables, numCategories);
    this.parameterShapes = [[numVariables, numCategories]];
  }

  logProbs(params: tf.Tensor[]): tf.Tensor {
    checkParams("LogitsFamily.logProbs", params, this.parameterShapes);
    return tf.logSoftmax(params[0], -1);
  }
}

/**
 * θ = (μ′, σ′), each [V, K−1]; μ = maxAbsLoc·tanh μ′, σ = minScale + (maxScale − minScale)·sigmoid σ′
 * (eq. 15, `boundedParameters`), and p = α(μ, σ) of Proposition 2 (`discreteLogProbabilities`).
 * Why bounded: the quadrature is only accurate on a box (docs/paper.md §5, trap 4), and RELAX's
 * score-function term differentiates log α, so the optimiser must never leave that box.
 */
export class IGRFamily implements ParameterFamily {
  readonly kind = "igr" as const;
  readonly parameterShapes: number[][];

  constructor(readonly numVariables: number, readonly numCategories: number, readonly bounds: BoundedParametersOptions = {}) {
    checkSizes("IGRFamily", numVariables, numCategories);
    this.parameterShapes = [
      [numVariables, numCategories - 1],
      [numVariables, numCategories - 1],
    ];
  }

  /** μ and σ of the Gaussian, [..., V, K−1]. */
  locScale(params: tf.Tensor[]): { loc: tf.Tensor; scale: tf.Tensor } {
    checkParams("IGRFamily.locScale", params, this.parameterShapes);
    return boundedParameters(params[0], params[1], this.bounds);
  }

  logProbs(params: tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const { loc, scale } = this.locScale(params);
      // The bounds keep (μ, σ) inside the accuracy box, so the per-call validation is skipped.
      return discreteLogProbabilities(loc, scale, { validateArgs: false });
    });
  }
}
