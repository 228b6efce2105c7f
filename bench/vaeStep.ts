// Benches "vae-step": median ms per training step of the categorical VAE for every latent family
// and both architectures (records vae-step-<arch>-<model>), each in a fresh process after 10 warm-up
// steps, 50 timed; and "vae-sweep": aggregate steps/s of 1 and 2 simultaneous training processes
// (nonlinear IGR-I, 300 timed steps each, released together; records sweep-jobs1, sweep-jobs2),
// which is what `igr sweep --jobs 2` does (one process per core).
import { spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import type { BenchRecord } from "./results";

const CHILD = path.join(__dirname, "vaeStepChild.ts");
const ARCHS = ["nonlinear", "linear"];
const MODELS = ["igr-i", "igr-planar", "igr-sb", "gs"];

interface ChildResult {
  backend: string;
  msPerStep: number;
  steps: number;
  start: number;
  end: number;
  tensorsFlat: boolean;
}

function runChild(args: string[]): ChildResult {
  const result = spawnSync(process.execPath, ["--import", "tsx", CHILD, ...args], { encoding: "utf8", env: { ...process.env, IGR_QUIET: "1" } });
  if (result.status !== 0) throw new Error(`bench child ${args.join(" ")} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!);
}

export async function vaeStep(): Promise<BenchRecord[]> {
  const records: BenchRecord[] = [];
  for (const arch of ARCHS) {
    for (const model of MODELS) {
      const r = runChild([arch, model, "10", "50"]);
      console.error(`  vae-step-${arch}-${model}: ${r.msPerStep.toFixed(1)} ms (${r.backend})`);
      records.push({ name: `vae-step-${arch}-${model}`, backend: r.backend, msPerStep: r.msPerStep, stepsTimed: r.steps, numTensorsFlat: r.tensorsFlat, measuredAt: new Date().toISOString() });
    }
  }
  return records;
}

function runConcurrent(jobs: number, steps: number): Promise<ChildResult[]> {
  const startAt = Date.now() + 15000; // every child has started and warmed up by then
  return Promise.all(
    Array.from({ length: jobs }, () =>
      new Promise<ChildResult>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", CHILD, "nonlinear", "igr-i", "10", String(steps), String(startAt)], { env: { ...process.env, IGR_QUIET: "1" } });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (err += d));
        child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`sweep child failed: ${err}`))));
      }),
    ),
  );
}

export async function vaeSweep(): Promise<BenchRecord[]> {
  const records: BenchRecord[] = [];
  let single = 0;
  for (const jobs of [1, 2]) {
    const results = await runConcurrent(jobs, 300);
    const wall = (Math.max(...results.map((r) => r.end)) - Math.min(...results.map((r) => r.start))) / 1000;
    const stepsPerS = results.reduce((s, r) => s + r.steps, 0) / wall;
    if (jobs === 1) single = stepsPerS;
    console.error(`  sweep-jobs${jobs}: ${stepsPerS.toFixed(1)} steps/s`);
    records.push({
      name: `sweep-jobs${jobs}`,
      backend: results[0].backend,
      stepsPerS,
      jobs,
      msPerStep: results.map((r) => r.msPerStep).reduce((a, b) => a + b, 0) / jobs,
      ...(jobs === 2 ? { speedupVsOneJob: stepsPerS / single } : {}),
      workload: "nonlinear igr-i, 300 timed steps per process",
      measuredAt: new Date().toISOString(),
    });
  }
  return records;
}
