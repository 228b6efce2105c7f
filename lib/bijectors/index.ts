export { Bijector, ValueAndLogDet } from "./bijector";
export { Affine, AffineOptions } from "./affine";
export { Planar, PlanarOptions } from "./planar";
export { SoftmaxPlusPlus, SoftmaxPlusPlusOptions, softmaxPlusPlus, logSoftmaxPlusPlus, softmaxPlusPlusUnitDelta, withExtraCategory } from "./softmaxPlusPlus";
export { StickBreaking, stickBreaking } from "./stickBreaking";
export { Chain } from "./chain";
