// Child process of wasmThreads.test.ts: on the wasm backend (thread count from IGR_WASM_THREADS),
// computes a few products, including the transposed shapes of a dense layer's gradient, and one
// nonlinear IGR-I VAE training step (loss, gradients, our Adam), then writes every result as raw
// float32 into the folder given as argv[2] and prints one JSON line: names, shapes, thread count.
// It does not call process.exit: the test checks that the process ends by itself.
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { fastMatMulActive, initBackend } from "../../lib/core/backend";
import { wasmThreadStatus } from "../../lib/core/wasmThreads";
import { adamKernelAvailable } from "../../lib/kernels/adamKernel";
import { CategoricalVAE } from "../../lib/models/vae";
import { stepSeed } from "../../lib/models/noise";
import { Adam } from "../../lib/train/adam";
import { IMAGE_PIXELS } from "../../lib/data/pool";
import { mulberry32 } from "../helpers/setup";

/** The products: [name, shape of a, shape of b, transposeA, transposeB]. */
export const PRODUCTS: Array<[string, number[], number[], boolean, boolean]> = [
  ["forward 100x784 · 784x512", [100, 784], [784, 512], false, false],
  ["dW = xᵀ·dZ (transposeA)", [100, 784], [100, 512], true, false],
  ["dX = dZ·Wᵀ (transposeB)", [100, 512], [784, 512], false, true],
  ["both flags 256x100ᵀ · 512x256ᵀ", [100, 256], [512, 100], true, true],
  ["batched 3x64x96 · 3x96x80", [3, 64, 96], [3, 96, 80], false, false],
];

async function main(): Promise<void> {
  const outDir = process.argv[2];
  await initBackend();
  if (tf.getBackend() !== "wasm") throw new Error(`expected the wasm backend, got ${tf.getBackend()} (run with IGR_BACKEND=wasm)`);
  const results: Array<{ name: string; shape: number[] }> = [];
  const save = (name: string, t: tf.Tensor) => {
    const file = path.join(outDir, `${results.length}.f32`);
    fs.writeFileSync(file, Buffer.from((t.dataSync() as Float32Array).buffer.slice(0)));
    results.push({ name, shape: t.shape });
  };
  const rand = mulberry32(7);
  const uniform = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((n, d) => n * d, 1) }, () => 2 * rand() - 1), shape);
  for (const [name, aShape, bShape, transposeA, transposeB] of PRODUCTS) {
    const [a, b] = [uniform(aShape), uniform(bShape)];
    const c = tf.matMul(a, b, transposeA, transposeB);
    save(name, c);
    tf.dispose([a, b, c]);
  }

  const vae = new CategoricalVAE({ model: "igr-i", arch: "nonlinear", temperature: 0.5 });
  const adam = new Adam(vae.variables, { learningRate: 1e-4 });
  const data = Float32Array.from({ length: 100 * IMAGE_PIXELS }, () => (rand() < 0.13 ? 1 : 0));
  const x = tf.tensor2d(data, [100, IMAGE_PIXELS]);
  const noise = vae.noise(100, stepSeed(1, 0));
  const { value, grads } = tf.variableGrads(() => vae.loss(x, noise), vae.variables);
  save("VAE step: loss", value);
  for (const [name, g] of Object.entries(grads).sort(([p], [q]) => p.localeCompare(q))) save(`VAE step: gradient of ${name}`, g);
  adam.apply(grads);
  for (const v of [...vae.variables].sort((p, q) => p.name.localeCompare(q.name))) save(`VAE step: ${v.name} after Adam`, v);
  tf.dispose([x, noise, value, ...Object.values(grads)]);

  console.log(JSON.stringify({ threads: wasmThreadStatus()?.threads, fallback: wasmThreadStatus()?.fallback, adamKernel: adamKernelAvailable(), transposeFree: fastMatMulActive(), results }));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
