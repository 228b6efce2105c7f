// IGR-Planar: y = planar flows applied to κ = μ + σ ε, then softmax++(y/τ) (docs/paper.md §2.2; the
// authors use 2 layers).
import * as tf from "@tensorflow/tfjs";
import { Planar } from "../bijectors/planar";
import { sameTensorValues } from "../core/validate";
import { IGRBase, IGROptions } from "./igr";

export interface PlanarLayerParameters {
  w: tf.Tensor;
  u: tf.Tensor;
  b: tf.Tensor;
}

export interface IGRPlanarOptions extends IGROptions {
  /** Planar layers in the order they are applied (the first acts on κ). */
  flows: PlanarLayerParameters[];
  /** Use the authors' non-invertible û normalisation (÷‖W‖); default false. */
  authorsNormW?: boolean;
}

export class IGRPlanar extends IGRBase {
  readonly flows: readonly Planar[];

  constructor(options: IGRPlanarOptions) {
    if (!Array.isArray(options.flows)) throw new Error(`IGRPlanar: flows must be an array of { w, u, b }; got ${String(options.flows)}`);
    const layers = options.flows.map(
      ({ w, u, b }) => new Planar({ w, u, b, authorsNormW: options.authorsNormW ?? false, validateArgs: options.validateArgs ?? true }),
    );
    super(
      options,
      layers.slice().reverse(),
      layers.map((layer, i) => [`flows[${i}] (batch part)`, layer.batchShape] as [string, number[]]),
    );
    this.flows = layers;
  }

  protected sameMiddle(other: IGRPlanar): boolean {
    return (
      other.flows.length === this.flows.length &&
      this.flows.every(
        (layer, i) =>
          layer.authorsNormW === other.flows[i].authorsNormW &&
          sameTensorValues(layer.w, other.flows[i].w) &&
          sameTensorValues(layer.u, other.flows[i].u) &&
          sameTensorValues(layer.b, other.flows[i].b),
      )
    );
  }
}
