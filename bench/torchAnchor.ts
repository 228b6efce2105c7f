// Bench "torch-anchor": the VAE training step (IGR-I, both architectures) timed side by side in our
// engine and in PyTorch (bench/torch/vae_step.py builds the same network, loss and Adam step), each
// with 1 thread and, where the process may use 2 cores, with 2 threads (ours: IGR_WASM_THREADS=2;
// PyTorch: torch.set_num_threads(2) and OPENBLAS_NUM_THREADS=2). The four variants alternate, each run
// in a fresh process (10 warm-up steps, 50 timed), ROUNDS times per architecture.
// Records per architecture:
//  - torch-anchor-<arch>-igr-i: ours and PyTorch on 1 thread each (as before threads existed);
//  - torch-anchor-<arch>-igr-i-2threads: ours on 2 threads against PyTorch on 1 and on 2 threads, with
//    the 1-thread ratio of the same rounds beside them.
// Each keeps every round's median, the median over rounds and its spread (min–max), the ratios of
// the medians, the load average seen and a fresh host matMul record, so a reader can tell a slow host
// from a slow engine. The machine may be shared: compare the ratios, which drift much less than
// either absolute time, and read 2-thread numbers with the load beside them (a busy core slows every
// thread of a pool).
//
// Optional: skipped (no records written, the reason printed) when no python3 with torch is found.
// IGR_TORCH_PYTHON names the interpreter; otherwise `python3` on PATH, then /usr/bin/python3 (where
// Debian's python3-torch installs). Debian's torch needs libopenblas0-pthread, or it falls back to
// the reference BLAS (about 15x slower): the record names the BLAS library the process mapped.
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { availableCores, wasmThreadStatus } from "../lib/core/wasmThreads";
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

/** A child that has not finished by then is stuck (a timed run takes seconds), not slow. */
const CHILD_TIMEOUT_MS = 600_000;

function lastJsonLine(command: string, args: string[], env: NodeJS.ProcessEnv): Record<string, unknown> {
  const result = spawnSync(command, args, { encoding: "utf8", env: { ...process.env, ...env }, timeout: CHILD_TIMEOUT_MS });
  if (result.error) throw new Error(`torch-anchor: ${command} ${args.join(" ")} did not finish within ${CHILD_TIMEOUT_MS / 1000} s (${result.error.message}): ${result.stderr}`);
  if (result.status !== 0) throw new Error(`torch-anchor: ${command} ${args.join(" ")} failed (exit ${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!);
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

type Variant = "ours1" | "torch1" | "ours2" | "torch2";

/** One timed run of a variant in a fresh process; returns ms per step and what the process reported. */
function runVariant(variant: Variant, arch: string, python: string): Record<string, unknown> {
  const threads = variant.endsWith("2") ? "2" : "1";
  if (variant.startsWith("ours")) {
    const report = lastJsonLine(process.execPath, ["--import", "tsx", OURS, arch, "igr-i", WARMUP, TIMED], { IGR_QUIET: "1", IGR_WASM_THREADS: threads });
    // A threaded build that fell back to 1 thread would make the 2-thread record a lie.
    if (String(report.threads) !== threads) throw new Error(`torch-anchor: our step asked for ${threads} wasm thread(s) but ran on ${report.threads} (run the child without IGR_QUIET to see why)`);
    return report;
  }
  // The thread count everywhere: torch's intra-op pool, OpenMP and OpenBLAS's own pthreads.
  return lastJsonLine(python, [TORCH, arch, WARMUP, TIMED, threads], { OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads, MKL_NUM_THREADS: threads });
}

const spread = (xs: number[]) => [round1(Math.min(...xs)), round1(Math.max(...xs))];

export async function benchTorchAnchor(): Promise<BenchRecord[]> {
  const found = findTorchPython();
  if ("skipped" in found) {
    console.error(`  torch-anchor SKIPPED: ${found.skipped}`);
    return [];
  }
  const cores = availableCores();
  const variants: Variant[] = cores >= 2 ? ["ours1", "torch1", "ours2", "torch2"] : ["ours1", "torch1"];
  if (cores < 2) console.error(`  torch-anchor: the 2-thread variants SKIPPED: this process may use ${cores} logical core`);
  const host = await benchHost();
  const hostMatMul = host.map(({ name, ms, gflops, cpu }) => ({ name, ms: round2(ms as number), gflops: round1(gflops as number), cpu, wasmThreads: wasmThreadStatus()?.threads ?? 1 }));
  const records: BenchRecord[] = [];
  for (const arch of ARCHS) {
    const times: Record<Variant, number[]> = { ours1: [], torch1: [], ours2: [], torch2: [] };
    const loads: number[] = [];
    let torchInfo: Record<string, unknown> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of variants) {
        loads.push(os.loadavg()[0]);
        const report = runVariant(variant, arch, found.python);
        if (variant.startsWith("torch")) torchInfo = report;
        times[variant].push(report.msPerStep as number);
      }
      loads.push(os.loadavg()[0]);
      console.error(`  torch-anchor-${arch} round ${round + 1}: ${variants.map((v) => `${v} ${times[v][round].toFixed(1)} ms`).join(", ")}`);
    }
    const med = Object.fromEntries(variants.map((v) => [v, median(times[v])])) as Record<Variant, number>;
    const common = {
      loadAverageSeen: [Math.min(...loads), Math.max(...loads)].map(round2),
      torchVersion: torchInfo.torch,
      torchBlas: torchInfo.blas,
      hostMatMul,
      measuredAt: new Date().toISOString(),
    };
    const workload = (what: string) => `IGR-I VAE training step, batch 100, 20x10 latent, tau 0.5, Bernoulli, Adam; ${what}; ${ROUNDS} alternations of ${TIMED} timed steps after ${WARMUP} warm-up`;
    records.push({
      name: `torch-anchor-${arch}-igr-i`,
      backend: "wasm",
      msPerStep: med.ours1,
      torchMsPerStep: med.torch1,
      ratio: round2(med.ours1 / med.torch1),
      oursRounds: times.ours1.map(round1),
      torchRounds: times.torch1.map(round1),
      oursSpread: spread(times.ours1),
      torchSpread: spread(times.torch1),
      roundRatios: times.ours1.map((o, i) => round2(o / times.torch1[i])),
      threads: 1,
      workload: workload("1 thread each"),
      ...common,
    });
    console.error(`  torch-anchor-${arch}: ours ${med.ours1.toFixed(1)} ms / torch ${med.torch1.toFixed(1)} ms = ${(med.ours1 / med.torch1).toFixed(2)}x (1 thread each)`);
    if (variants.includes("ours2")) {
      records.push({
        name: `torch-anchor-${arch}-igr-i-2threads`,
        backend: "wasm",
        msPerStep: med.ours2,
        threads: 2,
        torch1MsPerStep: med.torch1,
        torch2MsPerStep: med.torch2,
        ours1MsPerStep: med.ours1,
        ratioOurs2VsTorch1: round2(med.ours2 / med.torch1),
        ratioOurs2VsTorch2: round2(med.ours2 / med.torch2),
        ratioOurs1VsTorch1: round2(med.ours1 / med.torch1),
        ours2Rounds: times.ours2.map(round1),
        torch2Rounds: times.torch2.map(round1),
        ours1Rounds: times.ours1.map(round1),
        torch1Rounds: times.torch1.map(round1),
        ours2Spread: spread(times.ours2),
        torch2Spread: spread(times.torch2),
        speedupOurs2VsOurs1: round2(med.ours1 / med.ours2),
        speedupTorch2VsTorch1: round2(med.torch1 / med.torch2),
        workload: workload("ours with IGR_WASM_THREADS=2, PyTorch with 1 and with 2 threads (torch.set_num_threads, OPENBLAS_NUM_THREADS)"),
        ...common,
      });
      console.error(`  torch-anchor-${arch}-2threads: ours ${med.ours2.toFixed(1)} ms; / torch-1 ${(med.ours2 / med.torch1).toFixed(2)}x, / torch-2 ${(med.ours2 / med.torch2).toFixed(2)}x`);
    }
  }
  return records;
}
