// `igr`: the command line of igr-ts (run with `npx tsx bin/igr.ts ...`; `igr --help` lists everything).
// Exit codes: 0 done, 1 failure, 2 bad usage (nothing was done), 3 training diverged, 130 interrupted.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  collectRuns,
  danfo,
  estimatorTrainConfig,
  evaluateModel,
  expandGrid,
  initBackend,
  loadDataset,
  loadRun,
  markdownTable,
  projectPath,
  train,
  trainConfig,
  trainWithEstimator,
  TrainingDivergedError,
  writeJsonAtomic,
  type ProgressMode,
  RunRecord,
} from "../lib/index";
import { ESTIMATOR_FLAGS, EVAL_FLAGS, parseFlags, ParsedFlags, SWEEP_FLAGS, TABLE_FLAGS, TRAIN_FLAGS, trainConfigFromFlags, usage, UsageError } from "./cli/args";

const COMMANDS = ["train", "eval", "sweep", "table", "estimator"];

function runsDirOf(flags: ParsedFlags): string {
  return typeof flags["runs-dir"] === "string" ? path.resolve(flags["runs-dir"] as string) : projectPath("data", "runs");
}

async function commandTrain(argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, TRAIN_FLAGS, "train");
  if (positional.length > 0) throw new UsageError(`igr train: unexpected argument "${positional[0]}" (flags start with --)`);
  const runsDir = runsDirOf(flags);
  let config;
  const resume = typeof flags.resume === "string";
  if (resume) {
    const others = Object.keys(flags).filter((f) => !["resume", "epochs", "runs-dir", "progress"].includes(f));
    if (others.length > 0) throw new UsageError(`igr train --resume takes the run's settings from its config.json; only --epochs may change (got ${others.map((f) => "--" + f).join(", ")})`);
    const record = new RunRecord(runsDir, flags.resume as string);
    if (!record.exists()) throw new UsageError(`igr train --resume: no run "${flags.resume}" in ${runsDir}`);
    const saved = record.readConfig().config;
    try {
      config = trainConfig({ ...saved, runsDir, ...(flags.epochs !== undefined ? { epochs: flags.epochs as number } : {}) });
    } catch (err) {
      throw new UsageError(`igr train --resume: ${(err as Error).message}`);
    }
  } else {
    config = trainConfigFromFlags(flags, runsDir);
  }
  await initBackend();
  try {
    const result = await train(config, { resume, progress: (flags.progress as ProgressMode) ?? "auto" });
    console.log(`${result.status}: run ${result.runId} at step ${result.step} -> ${result.dir}`);
    return result.status === "interrupted" ? 130 : 0;
  } catch (err) {
    if (err instanceof TrainingDivergedError) {
      console.error(err.message);
      return 3;
    }
    throw err;
  }
}

async function commandEval(argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, EVAL_FLAGS, "eval");
  if (positional.length !== 1) throw new UsageError(`igr eval: give exactly one run id or run folder; got ${positional.length}`);
  const runsDir = runsDirOf(flags);
  await initBackend();
  const loaded = loadRun(positional[0], runsDir);
  const c = loaded.config;
  const common = { binarize: c.binarize, seed: c.seed, ...(c.validationSize !== null ? { validationSize: c.validationSize } : {}) };
  const trainData = await loadDataset(c.dataset, { ...common, split: "train", ...(c.limit !== null ? { limit: c.limit } : {}) });
  const testData = await loadDataset(c.dataset, { ...common, split: "test" });
  let lastLine = 0;
  const result = evaluateModel(loaded.model, { train: trainData, test: testData }, {
    seed: (flags.seed as number) ?? 0,
    samples: (flags.samples as number) ?? 5000,
    authorsSamples: (flags["authors-samples"] as number) ?? 100,
    testLimit: flags.limit as number | undefined,
    trainLimit: flags["train-limit"] as number | undefined,
    frequencySamples: (flags["frequency-samples"] as number) ?? 1000,
    onProgress: (what, done, total) => {
      if (flags.progress === "none") return;
      const now = Date.now();
      if (done < total && now - lastLine < 2000) return;
      lastLine = now;
      const text = `${what}: ${done}/${total}`;
      if (process.stderr.isTTY && flags.progress !== "lines") process.stderr.write("\r" + text + "\x1b[K" + (done === total ? "\n" : ""));
      else process.stderr.write(text + "\n");
    },
  });
  const record = { run: loaded.record.runId, step: loaded.state.step, evaluatedAt: new Date().toISOString(), ...result };
  writeJsonAtomic(path.join(loaded.record.dir, "eval.json"), record);
  const summary = loaded.record.readSummary();
  if (summary) loaded.record.writeSummary({ ...summary, eval: record });
  loaded.model.dispose();
  const f = (x: number) => x.toFixed(2);
  console.log(`run ${loaded.record.runId} (step ${loaded.state.step})`);
  console.log(`  train discretized ELBO        ${f(result.trainDiscretizedElbo.elbo)}  (n = ${result.trainDiscretizedElbo.n})`);
  console.log(`  test discretized ELBO         ${f(result.testDiscretizedElbo.elbo)}  (n = ${result.testDiscretizedElbo.n})`);
  console.log(`  test relaxed ELBO             ${f(result.testRelaxedElbo.elbo)}`);
  if (result.testLogLikelihood) console.log(`  test log-likelihood (IS)      ${f(result.testLogLikelihood.mean)} ± ${f(result.testLogLikelihood.standardError)}  (S = ${result.testLogLikelihood.samples}, q ${result.testLogLikelihood.posterior})`);
  if (result.authorsEstimator) console.log(`  authors' estimator (INVALID)  ${f(result.authorsEstimator.mean)}  (S = ${result.authorsEstimator.samples}; not a log-likelihood estimate, for comparison with the paper only)`);
  console.log(`  wrote ${path.join(loaded.record.dir, "eval.json")} (${result.seconds.toFixed(0)} s)`);
  return 0;
}

async function commandSweep(argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, SWEEP_FLAGS, "sweep");
  if (positional.length !== 1) throw new UsageError(`igr sweep: give exactly one grid.json; got ${positional.length}`);
  let grid: unknown;
  try {
    grid = JSON.parse(fs.readFileSync(positional[0], "utf8"));
  } catch (err) {
    throw new UsageError(`igr sweep: cannot read ${positional[0]}: ${(err as Error).message}`);
  }
  const runsDir = runsDirOf(flags);
  const jobs = (flags.jobs as number) ?? 2;
  if (jobs < 1) throw new UsageError(`igr sweep: --jobs must be >= 1; got ${jobs}`);
  let argLists: string[][];
  try {
    argLists = expandGrid(grid);
  } catch (err) {
    throw new UsageError(`igr sweep: ${(err as Error).message}`);
  }
  // Validate every run before starting any.
  const runs = argLists.map((args) => {
    const { flags: f } = parseFlags(args, TRAIN_FLAGS, "sweep (grid entry)");
    return { args, config: trainConfigFromFlags(f, runsDir) };
  });
  if (flags["print-commands"]) {
    for (const { args } of runs) console.log(["npx tsx bin/igr.ts train", ...args.map(shellQuote)].join(" "));
    return 0;
  }
  const logDir = path.join(runsDir, "sweep-logs");
  fs.mkdirSync(logDir, { recursive: true });
  const script = path.join(__dirname, "igr.ts");
  let next = 0;
  let failures = 0;
  const runOne = async (): Promise<void> => {
    while (next < runs.length) {
      const { args, config } = runs[next++];
      const record = new RunRecord(runsDir, config.runId);
      const status = record.exists() ? record.readSummary()?.status : undefined;
      if (status === "completed") {
        console.log(`skip ${config.runId} (completed)`);
        continue;
      }
      const childArgs = record.exists() ? ["train", "--resume", config.runId, "--epochs", String(config.epochs)] : ["train", ...args];
      const log = path.join(logDir, `${config.runId}.log`);
      const fd = fs.openSync(log, "a");
      console.log(`start ${config.runId}${record.exists() ? " (resume)" : ""}, log ${log}`);
      const code = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", script, ...childArgs, "--runs-dir", runsDir, "--progress", "lines"], { stdio: ["ignore", fd, fd], env: { ...process.env, IGR_QUIET: "1" } });
        child.on("exit", (c, signal) => resolve(c ?? (signal ? 130 : 1)));
      });
      fs.closeSync(fd);
      if (code !== 0) failures++;
      console.log(`${code === 0 ? "done" : `FAILED (exit ${code})`} ${config.runId}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, runs.length) }, runOne));
  console.log(`sweep: ${runs.length} runs, ${failures} failed`);
  return failures > 0 ? 1 : 0;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9._+\-\/=]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

async function commandTable(argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, TABLE_FLAGS, "table");
  if (positional.length > 0) throw new UsageError(`igr table: unexpected argument "${positional[0]}"`);
  const runsDir = runsDirOf(flags);
  const rows = collectRuns(runsDir);
  const out = typeof flags.out === "string" ? path.resolve(flags.out as string) : path.join(runsDir, "table");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  if (rows.length === 0) {
    console.log(`no run records in ${runsDir}`);
    return 0;
  }
  const dfd = danfo();
  const df = new dfd.DataFrame(rows as unknown as Array<Record<string, unknown>>);
  const csv = dfd.toCSV(df, { download: false } as never) as unknown as string;
  fs.writeFileSync(`${out}.csv`, csv.endsWith("\n") ? csv : csv + "\n");
  fs.writeFileSync(`${out}.md`, markdownTable(rows as unknown as Array<Record<string, unknown>>));
  console.log(markdownTable(rows as unknown as Array<Record<string, unknown>>));
  console.log(`wrote ${out}.csv and ${out}.md (${rows.length} runs)`);
  return 0;
}

async function commandEstimator(argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, ESTIMATOR_FLAGS, "estimator");
  if (positional.length > 0) throw new UsageError(`igr estimator: unexpected argument "${positional[0]}" (flags start with --)`);
  for (const required of ["estimator", "arch"]) {
    const spec = ESTIMATOR_FLAGS[required];
    if (flags[required] === undefined) throw new UsageError(`igr estimator: --${required} is required (${spec.help}: ${spec.valid!.join(", ")})`);
  }
  let config;
  try {
    config = estimatorTrainConfig({
      estimator: flags.estimator as never,
      arch: flags.arch as never,
      samples: flags.samples as number | undefined,
      seed: flags.seed as number | undefined,
      epochs: flags.epochs as number | undefined,
      learningRate: flags.lr as number | undefined,
      limit: flags.limit as number | undefined,
      evalLimit: flags["eval-limit"] as number | undefined,
      finalEvalLimit: flags["final-eval-limit"] as number | undefined,
      finalSamples: flags["final-samples"] as number | undefined,
      authorsIndependentDraw: flags["authors-draw"] === true,
      authorsSignError: flags["authors-sign"] === true,
      runId: flags["run-id"] as string | undefined,
      runsDir: runsDirOf(flags),
    });
  } catch (err) {
    throw new UsageError(`igr estimator: ${(err as Error).message}`);
  }
  await initBackend();
  const result = await trainWithEstimator(config, { progress: (flags.progress as ProgressMode) ?? "auto" });
  console.log(`${result.status}: run ${config.runId} -> ${result.dir}`);
  console.log(JSON.stringify(result.summary.final));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help" || rest.includes("--help")) {
    console.log(usage());
    return command === undefined ? 2 : 0;
  }
  try {
    if (command === "train") return await commandTrain(rest);
    if (command === "eval") return await commandEval(rest);
    if (command === "sweep") return await commandSweep(rest);
    if (command === "table") return await commandTable(rest);
    if (command === "estimator") return await commandEstimator(rest);
    throw new UsageError(`igr: unknown command "${command}"; commands are ${COMMANDS.join(", ")} (igr --help)`);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    console.error(`igr ${command}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
