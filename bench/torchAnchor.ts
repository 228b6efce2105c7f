// Bench "torch-anchor": the VAE training step (IGR-I, both architectures) timed side by side in our
// engine and in PyTorch on one CPU thread (bench/torch/vae_step.py builds the same network, loss and
// Adam step). The two engines alternate, each run in a fresh process (10 warm-up steps, 50 timed),
// ROUNDS times per architecture; the records keep every round's median, the median over rounds and
// its spread (min–max), the ratio ours/torch of the medians, the load average seen, and a fresh host
// matMul record, so a reader can tell a slow host from a slow engine. The machine may be shared:
// compare the ratio, which drifts much less than either absolute time.
//
// Optional: skipped (no records written, the reason printed) when no python3 with torch is found.
// IGR_TORCH_PYTHON names the interpreter; otherwise `python3` on PATH, then /usr/bin/python3 (where
// Debian's python3-torch installs). Debian's torch needs libopenblas0-pthread, or it falls back to
// the reference BLAS (about 15x slower): the record names the BLAS library the process mapped.
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { benchHost } from "./host";
import { median, type BenchRecord } from "./results";

const OURS = path.join(__dirname, "vaeStepChild.ts");
const TORCH = path.join(__dirname, "torch", "vae_step.py");
const ARCHS = ["nonlinear", "linear"];
const ROUNDS = Number(process.env.IGR_ANCHOR_ROUNDS ?? 3);
const WARMUP = "10";
const TIMED = "50";

/** The first interpreter that imports torch, or the reason none does. */
function findTorchPython(): { python: string } | { skipped: string } {
  const candidates = process.env.IGR_TORCH_PYTHON ? [process.env.IGR_TORCH_PYTHON] : ["python3", "/usr/bin/python3"];
  for (const python of candidates) {
    if (spawnSync(python, ["-c", "import torch"], { encoding: "utf8" }).status === 0) return { python };
  }
  return { skipped: `no python with torch among ${candidates.join(", ")} (apt-get install python3-torch libopenblas0-pthread, or set IGR_TORCH_PYTHON)` };
}

function lastJsonLine(command: string, args: string[], env: NodeJS.ProcessEnv): Record<string, unknown> {
  const result = spawnSync(command, args, { encoding: "utf8", env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`torch-anchor: ${command} ${args.join(" ")} failed (exit ${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!);
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export async function benchTorchAnchor(): Promise<BenchRecord[]> {
  const found = findTorchPython();
  if ("skipped" in found) {
    console.error(`  torch-anchor SKIPPED: ${found.skipped}`);
    return [];
  }
  const host = await benchHost();
  const records: BenchRecord[] = [];
  for (const arch of ARCHS) {
    const ours: number[] = [];
    const torch: number[] = [];
    const loads: number[] = [];
    let torchInfo: Record<string, unknown> = {};
    for (let round = 0; round < ROUNDS; round++) {
      loads.push(os.loadavg()[0]);
      ours.push(lastJsonLine(process.execPath, ["--import", "tsx", OURS, arch, "igr-i", WARMUP, TIMED], { IGR_QUIET: "1" }).msPerStep as number);
      // One thread everywhere: torch's intra-op pool, OpenMP and OpenBLAS's own pthreads.
      torchInfo = lastJsonLine(found.python, [TORCH, arch, WARMUP, TIMED], { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" });
      torch.push(torchInfo.msPerStep as number);
      loads.push(os.loadavg()[0]);
      console.error(`  torch-anchor-${arch} round ${round + 1}: ours ${ours[round].toFixed(1)} ms, torch ${torch[round].toFixed(1)} ms`);
    }
    const oursMedian = median(ours);
    const torchMedian = median(torch);
    records.push({
      name: `torch-anchor-${arch}-igr-i`,
      backend: "wasm",
      msPerStep: oursMedian,
      torchMsPerStep: torchMedian,
      ratio: Math.round((oursMedian / torchMedian) * 100) / 100,
      oursRounds: ours.map(round1),
      torchRounds: torch.map(round1),
      oursSpread: [round1(Math.min(...ours)), round1(Math.max(...ours))],
      torchSpread: [round1(Math.min(...torch)), round1(Math.max(...torch))],
      roundRatios: ours.map((o, i) => Math.round((o / torch[i]) * 100) / 100),
      loadAverageSeen: [Math.min(...loads), Math.max(...loads)].map((l) => Math.round(l * 100) / 100),
      torchVersion: torchInfo.torch,
      torchBlas: torchInfo.blas,
      threads: 1,
      workload: `IGR-I VAE training step, batch 100, 20x10 latent, tau 0.5, Bernoulli, Adam; ${ROUNDS} alternations of ${TIMED} timed steps after ${WARMUP} warm-up`,
      hostMatMul: host.map(({ name, ms, gflops, cpu }) => ({ name, ms: Math.round((ms as number) * 100) / 100, gflops: Math.round((gflops as number) * 10) / 10, cpu })),
      measuredAt: new Date().toISOString(),
    });
    console.error(`  torch-anchor-${arch}: ours ${oursMedian.toFixed(1)} ms / torch ${torchMedian.toFixed(1)} ms = ${(oursMedian / torchMedian).toFixed(2)}x`);
  }
  return records;
}
