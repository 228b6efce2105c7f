// Benches "host": how fast this machine multiplies matrices on the active backend, so step times
// measured on different hosts can be compared. The VAE step is about 80% matMul time, so a host
// whose 512³ product is slower runs every step slower by about that factor (docs/performance.md
// §7: 8.7 ms for 512³ and 2.77 ms for 100×784×512 on the Zen 4 host, wasm, one thread).
import * as fs from "node:fs";
import * as os from "node:os";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/core/backend";
import { median, type BenchRecord } from "./results";

const WARMUP = 10;
const TIMED = 50;

/** Median ms of a product with both operands fixed (XNNPACK's packed weights stay cached). The
 * tidy returns nothing: given a typed array it would walk every element looking for tensors. */
function timeProduct(m: number, k: number, n: number): number {
  const [a, b] = tf.tidy(() => [tf.randomUniform([m, k]), tf.randomUniform([k, n])]);
  const times: number[] = [];
  for (let i = 0; i < WARMUP + TIMED; i++) {
    const t0 = performance.now();
    tf.tidy(() => {
      tf.matMul(a, b).dataSync();
    });
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  tf.dispose([a, b]);
  return median(times);
}

/** CPU family/model and whether AVX-512 is present (Linux only; "unknown" elsewhere). */
function cpuDescription(): { cpu: string; avx512: boolean | "unknown" } {
  try {
    const info = fs.readFileSync("/proc/cpuinfo", "utf8");
    const field = (name: string) => info.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, "m"))?.[1] ?? "?";
    return { cpu: `${field("model name")} (family ${field("cpu family")}, model ${field("model")})`, avx512: /\bavx512f\b/.test(info) };
  } catch {
    return { cpu: os.cpus()[0]?.model ?? "unknown", avx512: "unknown" };
  }
}

export async function benchHost(): Promise<BenchRecord[]> {
  await initBackend();
  const host = cpuDescription();
  const shapes: Array<[string, number, number, number]> = [
    ["host-matmul-512x512x512", 512, 512, 512],
    ["host-matmul-100x784x512", 100, 784, 512],
  ];
  return shapes.map(([name, m, k, n]) => {
    const ms = timeProduct(m, k, n);
    return { name, backend: tf.getBackend(), ms, gflops: (2 * m * k * n) / ms / 1e6, ...host, measuredAt: new Date().toISOString() };
  });
}
