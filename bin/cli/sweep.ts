// `igr sweep`: runs a grid here (--jobs processes at once), on SLURM (--slurm: one array task per run),
// one run of it in this process (--task i: what a SLURM task runs), or reports on it (`sweep status`).
// Every mode decides per run from the run folder (lib/train/sweepPlan.ts), so sweeps are idempotent.
import { spawn, spawnSync, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expandGrid, projectPath, type TrainConfig } from "../../lib/index";
import { PROJECT_ROOT } from "../../lib/core/index";
import { availableCores } from "../../lib/core/wasmThreads";
import { sweepJobThreads } from "../../lib/train/sweep";
import { measuredStepTimes, runCost, runProgress, sweepAction, SIGNAL_EXIT_CODES, STOP_SIGNALS, type StopSignal } from "../../lib/train/index";
import { parseFlags, ParsedFlags, SWEEP_FLAGS, TRAIN_FLAGS, trainConfigFromFlags, UsageError } from "./args";
import { checkSlurmSettings, sbatchScript } from "./slurm";

/** Grid keys that are not settings of a run (they would change what the command does, not the run). */
const NOT_GRID_KEYS = ["resume", "restart", "progress", "runs-dir", "run-id"];

interface GridRun {
  args: string[];
  config: TrainConfig;
  dir: string;
}

function readGrid(file: string, runsDir: string): GridRun[] {
  let grid: unknown;
  try {
    grid = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`igr sweep: cannot read ${file}: ${(err as Error).message}`);
  }
  let argLists: string[][];
  try {
    argLists = expandGrid(grid);
  } catch (err) {
    throw new UsageError(`igr sweep: ${(err as Error).message}`);
  }
  // Validate every run before starting any.
  const runs = argLists.map((args) => {
    const { flags } = parseFlags(args, TRAIN_FLAGS, "sweep (grid entry)");
    const bad = Object.keys(flags).filter((k) => NOT_GRID_KEYS.includes(k));
    if (bad.length > 0) throw new UsageError(`igr sweep: grid key "${bad[0]}" is not a setting of a run (a sweep resumes, restarts and names runs itself; give --runs-dir on the command line)`);
    const config = trainConfigFromFlags(flags, runsDir);
    return { args, config, dir: path.join(runsDir, config.runId) };
  });
  const seen = new Map<string, number>();
  runs.forEach((r, i) => {
    if (seen.has(r.config.runId)) throw new UsageError(`igr sweep: grid entries ${seen.get(r.config.runId)} and ${i} are the same run (${r.config.runId})`);
    seen.set(r.config.runId, i);
  });
  return runs;
}

/** The `igr train` arguments that carry a run forward from its folder's state, or null to skip it. */
function trainArgsFor(run: GridRun): { args: string[] | null; action: string } {
  const action = sweepAction(runProgress(run.dir));
  if (action === "start") return { args: ["train", ...run.args], action };
  if (action === "resume") return { args: ["train", "--resume", run.dir, "--epochs", String(run.config.epochs)], action };
  if (action === "restart") return { args: ["train", "--restart", run.dir], action };
  return { args: null, action };
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9._+\-\/=]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

function hours(h: number): string {
  return h >= 10 ? h.toFixed(0) : h.toFixed(1);
}

/** The grid's cost from the bench's measured step times (printed by --dry-run). */
function costLines(runs: GridRun[]): string[] {
  const file = projectPath("bench", "results.json");
  if (!fs.existsSync(file)) return [`(no ${file}: run npm run bench for a cost estimate)`];
  const times = measuredStepTimes(file);
  const costs = runs.map((r) => runCost(r.config, times));
  const total = costs.reduce((s, c) => s + c.cpuHours, 0);
  const longest = costs.reduce((a, c) => (c.cpuHours > a.cpuHours ? c : a));
  return [
    `estimated cost: ${hours(total)} CPU-hours for ${runs.length} runs (training steps at the step times of bench/results.json, one core per run; evaluations not counted)`,
    `longest run: ${longest.runId}, ${longest.steps} steps at ${longest.msPerStep.toFixed(1)} ms = ${hours(longest.cpuHours)} h`,
  ];
}

type Launch = (args: string[], log: string, threads: number) => { child: ChildProcess; done: Promise<number> };

/** This igr again, as a child process (node with the same loader flags, so signals reach it directly). */
const launchIgr: Launch = (args, log, threads) => {
  const fd = fs.openSync(log, "a");
  const env = { ...process.env, IGR_QUIET: "1", IGR_WASM_THREADS: String(threads) };
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args, "--progress", "lines"], { stdio: ["ignore", fd, fd], env });
  const done = new Promise<number>((resolve) => {
    child.on("exit", (c, signal) => {
      fs.closeSync(fd);
      resolve(c ?? (signal ? 128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 9) : 1));
    });
  });
  return { child, done };
};

async function runLocally(runs: GridRun[], runsDir: string, jobs: number): Promise<number> {
  const { threads, warning } = sweepJobThreads(process.env, Math.min(jobs, runs.length), availableCores());
  if (warning) console.error(warning);
  const logDir = path.join(runsDir, "sweep-logs");
  fs.mkdirSync(logDir, { recursive: true });
  const children = new Set<ChildProcess>();
  let stoppedBy: StopSignal | null = null;
  // A signal to the sweep stops launching and is passed to the running trainers (they checkpoint).
  const handlers = STOP_SIGNALS.map((name) => {
    const handler = () => {
      stoppedBy ??= name;
      for (const child of children) child.kill(name);
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  let next = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (next < runs.length && stoppedBy === null) {
      const run = runs[next++];
      const { args, action } = trainArgsFor(run);
      if (args === null) {
        console.log(`skip ${run.config.runId} (${action.slice(5)})`);
        continue;
      }
      const log = path.join(logDir, `${run.config.runId}.log`);
      console.log(`${action} ${run.config.runId}, log ${log}`);
      const { child, done } = launchIgr([...args, "--runs-dir", runsDir], log, threads);
      children.add(child);
      const code = await done;
      children.delete(child);
      if (code !== 0 && stoppedBy === null) failures++;
      console.log(`${code === 0 ? "done" : `exit ${code}`} ${run.config.runId}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, runs.length) }, worker));
  for (const [name, handler] of handlers) process.removeListener(name, handler);
  console.log(`sweep: ${runs.length} runs, ${failures} failed${stoppedBy ? `; stopped by ${stoppedBy} (run the sweep again to continue)` : ""}`);
  if (stoppedBy) return SIGNAL_EXIT_CODES[stoppedBy];
  return failures > 0 ? 1 : 0;
}

function submitToSlurm(runs: GridRun[], gridFile: string, runsDir: string, flags: ParsedFlags): number {
  const gridName = path.basename(gridFile).replace(/\.json$/, "").replace(/[^A-Za-z0-9._-]/g, "_");
  const folder = path.join(runsDir, "sweep-logs", `slurm-${gridName}`);
  const settings = {
    jobName: `igr-${gridName}`,
    tasks: runs.length,
    partition: flags.partition as string | undefined,
    time: flags.time as string | undefined,
    mem: flags.mem as string | undefined,
    cpusPerTask: (flags["cpus-per-task"] as number) ?? 1,
    signalMargin: (flags["signal-margin"] as number) ?? 120,
    logDir: folder,
    workDir: PROJECT_ROOT,
    command: [process.execPath, path.join(PROJECT_ROOT, "bin", "igr.js"), "sweep", path.resolve(gridFile), "--task", '"$SLURM_ARRAY_TASK_ID"', "--runs-dir", runsDir],
  };
  checkSlurmSettings(settings);
  const script = sbatchScript(settings);
  if (flags["dry-run"]) {
    process.stdout.write(script);
    for (const line of costLines(runs)) console.log(`# ${line}`);
    return 0;
  }
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, "job.sbatch");
  fs.writeFileSync(file, script);
  const result = spawnSync("sbatch", ["--parsable", file], { encoding: "utf8" });
  if (result.error || result.status !== 0) {
    console.error(`igr sweep: sbatch ${file} failed: ${(result.stderr || result.error?.message || "").trim()} (is SLURM installed here and SLURM_CONF set?)`);
    return 1;
  }
  const jobId = result.stdout.trim().split(";")[0];
  console.log(`submitted job ${jobId}: ${runs.length} tasks (script ${file}, logs ${folder}/task-<i>.log)`);
  console.log(`follow it with: igr sweep status ${gridFile}${flags["runs-dir"] ? ` --runs-dir ${runsDir}` : ""}`);
  return 0;
}

/** `igr sweep status <grid>`: one line per run and the totals, from the run records. */
function status(runs: GridRun[]): number {
  const counts = new Map<string, number>();
  let remainingMs = 0;
  let unknown = 0;
  const rows = runs.map((r) => {
    const p = runProgress(r.dir);
    const label = p.state === "completed" ? "done" : p.state;
    counts.set(label, (counts.get(label) ?? 0) + 1);
    if (p.state !== "completed") {
      if (p.msPerStep !== null && p.totalSteps !== null) remainingMs += (p.totalSteps - p.step) * p.msPerStep;
      else unknown++;
    }
    const where = p.holder ? ` (pid ${p.holder.pid} on ${p.holder.host})` : "";
    return `${label.padEnd(12)} ${`${p.step}/${p.totalSteps ?? "?"}`.padStart(14)}  ${r.config.runId}${where}`;
  });
  for (const row of rows) console.log(row);
  const order = ["done", "running", "interrupted", "killed", "failed", "diverged", "missing"];
  console.log(`${runs.length} runs: ${order.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`).join(", ")}`);
  if (remainingMs > 0 || unknown > 0) console.log(`remaining: ${hours(remainingMs / 3.6e6)} CPU-hours at the measured step times${unknown > 0 ? ` (+ ${unknown} run${unknown === 1 ? "" : "s"} not started, no step time yet)` : ""}`);
  return 0;
}

export async function commandSweep(argv: string[], runsDirOf: (flags: ParsedFlags) => string, runTrain: (argv: string[]) => Promise<number>): Promise<number> {
  const { flags, positional } = parseFlags(argv, SWEEP_FLAGS, "sweep");
  const isStatus = positional[0] === "status";
  const files = isStatus ? positional.slice(1) : positional;
  if (files.length !== 1) throw new UsageError(`igr sweep${isStatus ? " status" : ""}: give exactly one grid.json; got ${files.length}`);
  const runsDir = runsDirOf(flags);
  const runs = readGrid(files[0], runsDir);
  if (isStatus) return status(runs);
  if (flags["print-commands"]) {
    for (const { args } of runs) console.log(["npx igr train", ...args.map(shellQuote), ...(flags["runs-dir"] ? ["--runs-dir", shellQuote(runsDir)] : [])].join(" "));
    return 0;
  }
  if (flags.task !== undefined) {
    const index = flags.task as number;
    if (!(index >= 0 && index < runs.length)) throw new UsageError(`igr sweep --task: the grid has runs 0..${runs.length - 1}; got ${index}`);
    const { args, action } = trainArgsFor(runs[index]);
    console.log(`task ${index}: ${action} ${runs[index].config.runId}`);
    return args === null ? 0 : runTrain([...args.slice(1), "--runs-dir", runsDir, "--progress", (flags.progress as string) ?? "lines"]);
  }
  if (flags.slurm) return submitToSlurm(runs, files[0], runsDir, flags);
  if (flags["dry-run"]) {
    for (const run of runs) console.log(`${trainArgsFor(run).action.padEnd(14)} ${run.config.runId}`);
    for (const line of costLines(runs)) console.log(line);
    return 0;
  }
  const jobs = (flags.jobs as number) ?? 2;
  if (jobs < 1) throw new UsageError(`igr sweep: --jobs must be >= 1; got ${jobs}`);
  return runLocally(runs, runsDir, jobs);
}
