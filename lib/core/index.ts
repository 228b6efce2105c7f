export { fastMatMulActive, initBackend, switchBackend, type BackendName } from "./backend";
export { inKernel } from "./tslab";
export { projectPath, PROJECT_ROOT } from "./paths";
export { isWasmMatMulPatched, patchWasmMatMul, unpatchWasmMatMul } from "./wasmMatMul";
export { halfRangeGaussHermite, STEEN_HALF_RANGE_HERMITE_15, integrateAdaptive64, type QuadratureRule } from "./quadrature";
export { logNdtr64, ndtr64, logNormalPdf64, ndtri64 } from "./normal";
