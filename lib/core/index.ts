export { fastMatMulActive, initBackend, switchBackend, type BackendName } from "./backend";
export { inKernel } from "./kernel";
export { projectPath, PROJECT_ROOT } from "./paths";
export { isWasmMatMulPatched, patchWasmMatMul, unpatchWasmMatMul } from "./wasmMatMul";
