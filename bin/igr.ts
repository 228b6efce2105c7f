// `igr`: the command line of igr-ts (`npx igr ...` or `npm run igr -- ...`; `igr --help` lists everything).
// Exit codes: 0 done, 1 failure, 2 bad usage or refused (nothing was done), 3 training diverged,
// 130 / 143 / 138 stopped by SIGINT / SIGTERM / SIGUSR1 with a checkpoint written.
import * as fs from "node:fs";
import * as path from "node:path";
import { collectRuns, danfo, estimatorTrainConfig, evaluateModel, initBackend, loadDataset, loadRun, markdownTable, projectPath, train, trainConfig, trainWithEstimator, TrainingDivergedError, writeJsonAtomic, type ProgressMode, RunRecord } from "../lib/index";
import { exitCodeFor, ExperimentDivergedError, CheckpointWriteError, ResumeRefusedError, RunLock, RunLockedError, readJson } from "../lib/train/index";
import { COMMANDS, commandUsage, ESTIMATOR_FLAGS, EVAL_FLAGS, MIXTURE_FLAGS, SOP_FLAGS, parseFlags, ParsedFlags, TABLE_FLAGS, TRAIN_FLAGS, trainConfigFromFlags, usage, UsageError } from "./cli/args";
import { commandSweep } from "./cli/sweep";
import { runSopOrMixture } from "./cli/experiments";
import { commandApprox, commandPriorFit } from "./cli/approx";

function runsDirOf(flags: ParsedFlags): string {
  return typeof flags["runs-dir"] === "string" ? path.resolve(flags["runs-dir"] as string) : projectPath("data", "runs");
}

/** Refuses a runs folder this process cannot write, naming the folder (mkdir would say ENOENT or EROFS). */
function checkWritable(dir: string): void {
  let existing = path.resolve(dir);
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  try {
    fs.accessSync(existing, fs.constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write run records under ${dir}: ${existing} is ${code === "EROFS" ? "on a read-only file system" : "not writable by this user"} (${code}); choose another --runs-dir`);
  }
}

/** A run given as an id under runsDir or as a folder path (a copied run is worked on in its own folder). */
function runFolder(run: string, runsDir: string): { runsDir: string; runId: string } {
  const dir = run.includes("/") || run.includes(path.sep) ? path.resolve(run) : path.join(runsDir, run);
  return { runsDir: path.dirname(dir), runId: path.basename(dir) };
}

async function commandTrain(argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, TRAIN_FLAGS, "train");
  if (positional.length > 0) throw new UsageError(`igr train: unexpected argument "${positional[0]}" (flags start with --)`);
  let config;
  const resume = typeof flags.resume === "string";
  const restart = typeof flags.restart === "string";
  let learningRate: number | undefined;
  if (resume && restart) throw new UsageError("igr train: give --resume or --restart, not both");
  if (resume || restart) {
    const what = resume ? "--resume" : "--restart";
    const allowed = ["resume", "restart", "epochs", "runs-dir", "progress", ...(resume ? ["lr", "learning-rate"] : [])];
    const others = Object.keys(flags).filter((f) => !allowed.includes(f));
    if (others.length > 0) throw new UsageError(`igr train ${what} takes the run's settings from its config.json; only --epochs${resume ? " (and --lr after a divergence)" : ""} may change (got ${others.map((f) => "--" + f).join(", ")})`);
    const where = runFolder((flags.resume ?? flags.restart) as string, runsDirOf(flags));
    const record = new RunRecord(where.runsDir, where.runId);
    if (!record.exists()) throw new UsageError(`igr train ${what}: no run "${flags.resume ?? flags.restart}" (${record.configFile} does not exist)`);
    const saved = record.readConfig().config;
    learningRate = (flags.lr ?? flags["learning-rate"]) as number | undefined;
    try {
      // The folder is the run: a copy of run A in folder B is run B.
      config = trainConfig({ ...saved, ...where, ...(flags.epochs !== undefined ? { epochs: flags.epochs as number } : {}) });
    } catch (err) {
      throw new UsageError(`igr train ${what}: ${(err as Error).message}`);
    }
  } else {
    config = trainConfigFromFlags(flags, runsDirOf(flags));
  }
  checkWritable(config.runsDir);
  await initBackend();
  try {
    const result = await train(config, { resume, restart, ...(learningRate !== undefined ? { learningRate } : {}), progress: (flags.progress as ProgressMode) ?? "auto" });
    console.log(`${result.status}${result.stoppedBy ? ` (${result.stoppedBy})` : ""}: run ${result.runId} at step ${result.step} -> ${result.dir}`);
    return exitCodeFor(result);
  } catch (err) {
    return trainingFailure(err, "train");
  }
}

/** Exit codes for what a training loop throws (README "Exit codes"). */
function trainingFailure(err: unknown, command: string): number {
  if (err instanceof ResumeRefusedError || err instanceof RunLockedError) {
    console.error(`igr ${command}: ${err.message}`);
    return 2;
  }
  if (err instanceof TrainingDivergedError || err instanceof ExperimentDivergedError) {
    console.error(err.message);
    return 3;
  }
  if (err instanceof CheckpointWriteError) {
    console.error(`igr ${command}: ${err.message}`);
    return 1;
  }
  throw err;
}

async function commandEval(argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, EVAL_FLAGS, "eval");
  if (positional.length !== 1) throw new UsageError(`igr eval: give exactly one run id or run folder; got ${positional.length}`);
  const runsDir = runsDirOf(flags);
  await initBackend();
  const loaded = loadRun(positional[0], runsDir);
  // eval writes eval.json and summary.json: it is a writer of the run like a trainer.
  let lock: RunLock;
  try {
    lock = RunLock.acquire(loaded.record.dir);
  } catch (err) {
    loaded.model.dispose();
    if (err instanceof RunLockedError) throw new UsageError(`igr eval: ${err.message}`);
    throw err;
  }
  try {
    return await evaluateRun(loaded, flags);
  } finally {
    lock.release();
  }
}

async function evaluateRun(loaded: ReturnType<typeof loadRun>, flags: ParsedFlags): Promise<number> {
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

async function commandTable(argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, TABLE_FLAGS, "table");
  if (positional.length > 0) throw new UsageError(`igr table: unexpected argument "${positional[0]}"`);
  const runsDir = runsDirOf(flags);
  if (!fs.existsSync(runsDir)) throw new UsageError(`igr table: the runs folder ${runsDir} does not exist`);
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
  let config;
  const resume = typeof flags.resume === "string";
  if (resume) {
    const others = Object.keys(flags).filter((f) => !["resume", "epochs", "runs-dir", "progress"].includes(f));
    if (others.length > 0) throw new UsageError(`igr estimator --resume takes the run's settings from its config.json; only --epochs may change (got ${others.map((f) => "--" + f).join(", ")})`);
    const where = runFolder(flags.resume as string, runsDirOf(flags));
    const configFile = path.join(where.runsDir, where.runId, "config.json");
    if (!fs.existsSync(configFile)) throw new UsageError(`igr estimator --resume: no run "${flags.resume}" (${configFile} does not exist)`);
    const saved = readJson<{ config: Parameters<typeof estimatorTrainConfig>[0] }>(configFile).config;
    try {
      config = estimatorTrainConfig({ ...saved, ...where, ...(flags.epochs !== undefined ? { epochs: flags.epochs as number } : {}) });
    } catch (err) {
      throw new UsageError(`igr estimator --resume: ${(err as Error).message}`);
    }
  } else {
    for (const required of ["estimator", "arch"]) {
      const spec = ESTIMATOR_FLAGS[required];
      if (flags[required] === undefined) throw new UsageError(`igr estimator: --${required} is required (${spec.help}: ${spec.valid!.join(", ")})`);
    }
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
  }
  checkWritable(config.runsDir);
  await initBackend();
  try {
    const result = await trainWithEstimator(config, { resume, progress: (flags.progress as ProgressMode) ?? "auto" });
    console.log(`${result.status}${result.stoppedBy ? ` (${result.stoppedBy})` : ""}: run ${config.runId} at step ${result.summary.step} -> ${result.dir}`);
    if (result.status === "completed") console.log(JSON.stringify(result.summary.final));
    return exitCodeFor(result);
  } catch (err) {
    if (err instanceof Error && /^cannot resume run/.test(err.message)) {
      console.error(`igr estimator: ${err.message}`);
      return 2;
    }
    return trainingFailure(err, "estimator");
  }
}

async function commandExperiment(command: "sop" | "mixture", argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, command === "sop" ? SOP_FLAGS : MIXTURE_FLAGS, command);
  if (positional.length > 0) throw new UsageError(`igr ${command}: unexpected argument "${positional[0]}" (flags start with --)`);
  const runsDir = runsDirOf(flags);
  checkWritable(runsDir);
  await initBackend();
  try {
    const { result, runId } = await runSopOrMixture(command, flags, runsDir, (run) => runFolder(run, runsDir));
    console.log(`${result.status}${result.stoppedBy ? ` (${result.stoppedBy})` : ""}: run ${runId} at step ${result.summary.step} -> ${result.dir}`);
    if (result.status === "completed") console.log(JSON.stringify(result.summary.final));
    return exitCodeFor(result);
  } catch (err) {
    if (err instanceof Error && /^cannot resume run/.test(err.message)) {
      console.error(`igr ${command}: ${err.message}`);
      return 2;
    }
    return trainingFailure(err, command);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "-v") {
    console.log(readJson<{ version: string }>(projectPath("package.json")).version);
    return 0;
  }
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    console.log(usage());
    return command === undefined ? 2 : 0;
  }
  if (COMMANDS.includes(command) && (rest.includes("--help") || rest.includes("-h"))) {
    console.log(commandUsage(command));
    return 0;
  }
  try {
    if (command === "train") return await commandTrain(rest);
    if (command === "eval") return await commandEval(rest);
    if (command === "sweep") return await commandSweep(rest, runsDirOf, commandTrain);
    if (command === "table") return await commandTable(rest);
    if (command === "estimator") return await commandEstimator(rest);
    if (command === "sop" || command === "mixture") return await commandExperiment(command, rest);
    if (command === "approx") return await commandApprox(rest);
    if (command === "prior-fit") return await commandPriorFit(rest);
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
