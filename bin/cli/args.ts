// Command-line flags of `igr`: parsing and validation, before any work is done.
import { ARCHITECTURES, ESTIMATOR_NAMES, ESTIMATOR_TRAIN_DEFAULTS, DATASET_NAMES, KL_ESTIMATORS, LATENT_MODELS, LIKELIHOODS, TAU_GRID, trainConfig, TRAIN_DEFAULTS, type TrainConfig } from "../../lib/index";
import { APPROX_FAMILIES, APPROX_LOSSES, SOP_RELAXATIONS, STICK_FAMILIES } from "../../lib/models/index";

/**
 * τ when --tau is not given. The paper picks τ per model by validation from TAU_GRID and does not
 * report the choice (docs/paper.md §3); 0.1 is a mid-grid value for quick runs, not a recommendation.
 */
export const DEFAULT_TAU = 0.1;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type Kind = "string" | "number" | "integer" | "boolean";

export interface FlagSpec {
  kind: Kind;
  /** TrainConfig field it sets (train flags). */
  field?: keyof TrainConfig;
  help: string;
  valid?: readonly string[];
}

export const TRAIN_FLAGS: Record<string, FlagSpec> = {
  model: { kind: "string", field: "model", help: "latent family", valid: LATENT_MODELS },
  dataset: { kind: "string", field: "dataset", help: "data set", valid: DATASET_NAMES },
  arch: { kind: "string", field: "arch", help: "encoder/decoder architecture", valid: ARCHITECTURES },
  tau: { kind: "number", field: "tau", help: `temperature > 0 (default ${DEFAULT_TAU}; the paper picks it by validation from ${TAU_GRID.join(", ")})` },
  seed: { kind: "integer", field: "seed", help: `seed of initialisation, data order and noise (default ${TRAIN_DEFAULTS.seed})` },
  epochs: { kind: "integer", field: "epochs", help: `epochs (default ${TRAIN_DEFAULTS.epochs})` },
  "batch-size": { kind: "integer", field: "batchSize", help: `batch size (default ${TRAIN_DEFAULTS.batchSize})` },
  lr: { kind: "number", field: "learningRate", help: `Adam learning rate (default ${TRAIN_DEFAULTS.learningRate})` },
  "learning-rate": { kind: "number", field: "learningRate", help: "same as --lr" },
  likelihood: { kind: "string", field: "likelihood", help: "decoder likelihood (default: gaussian for fashion-mnist, else bernoulli)", valid: LIKELIHOODS },
  binarize: { kind: "string", field: "binarize", help: "binarisation (default: the paper's)", valid: ["static", "dynamic", "none"] },
  kl: { kind: "string", field: "kl", help: "KL estimator (default closed-form where it exists)", valid: KL_ESTIMATORS },
  stl: { kind: "boolean", field: "stickTheLanding", help: "sticking-the-landing gradient (implies --kl monte-carlo)" },
  "stick-the-landing": { kind: "boolean", field: "stickTheLanding", help: "same as --stl" },
  samples: { kind: "integer", field: "samples", help: "relaxed samples per example S (default 1)" },
  limit: { kind: "integer", field: "limit", help: "use only the first N training examples" },
  "eval-limit": { kind: "integer", field: "evalLimit", help: `validation/test examples per epoch evaluation (default ${TRAIN_DEFAULTS.evalLimit})` },
  "train-eval-limit": { kind: "integer", field: "trainEvalLimit", help: `training examples for the per-epoch discretized train ELBO (default ${TRAIN_DEFAULTS.trainEvalLimit})` },
  "eval-every": { kind: "integer", field: "evalEvery", help: "evaluate every N epochs (default 1; the last epoch always)" },
  "frequency-samples": { kind: "integer", field: "frequencySamples", help: `draws for the IGR-Planar/SB discrete-q estimate per epoch (default ${TRAIN_DEFAULTS.frequencySamples})` },
  "validation-size": { kind: "integer", field: "validationSize", help: "images held out of the training pool for validation (default a sixth; 0 = none)" },
  "checkpoint-every": { kind: "integer", field: "checkpointEvery", help: `checkpoint every N steps, besides each epoch end (default ${TRAIN_DEFAULTS.checkpointEvery}; 0 = epoch ends only)` },
  "run-id": { kind: "string", field: "runId", help: "run folder name (default: made from the settings)" },
  "runs-dir": { kind: "string", field: "runsDir", help: "where run folders go (default data/runs)" },
  resume: { kind: "string", help: "continue the run with this id or folder from its checkpoint (settings from its config.json; only --epochs may change, and --lr after a divergence)" },
  restart: { kind: "string", help: "start the run with this id or folder over from step 0 with its own settings (its metrics.csv is kept under another name)" },
  progress: { kind: "string", help: "progress display", valid: ["auto", "terminal", "lines", "none"] },
};

export type ParsedFlags = Record<string, string | number | boolean>;

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses `--flag value`, `--flag=value` and boolean `--flag` against `specs`. Unknown flags, missing
 * values and non-numeric numbers are UsageErrors that list what is valid.
 */
export function parseFlags(argv: string[], specs: Record<string, FlagSpec>, command: string): { flags: ParsedFlags; positional: string[] } {
  const flags: ParsedFlags = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const spec = specs[name];
    if (!spec) throw new UsageError(`igr ${command}: unknown flag --${name}; valid flags are ${Object.keys(specs).map((f) => "--" + f).join(", ")}`);
    if (spec.kind === "boolean") {
      if (eq >= 0) {
        const v = arg.slice(eq + 1);
        if (v !== "true" && v !== "false") throw new UsageError(`igr ${command}: --${name} takes no value or =true/=false; got "${v}"`);
        flags[name] = v === "true";
      } else flags[name] = true;
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) throw new UsageError(`igr ${command}: --${name} needs a value (${spec.help})`);
      raw = argv[++i];
    }
    if (spec.kind === "number" || spec.kind === "integer") {
      // Decimal notation only: Number() would also take "0x10", "0b1" and " 16 ".
      const value = DECIMAL.test(raw) ? Number(raw) : NaN;
      if (!Number.isFinite(value)) throw new UsageError(`igr ${command}: --${name} must be a number; got "${raw}" (${spec.help})`);
      if (spec.kind === "integer" && !Number.isInteger(value)) throw new UsageError(`igr ${command}: --${name} must be an integer; got "${raw}" (${spec.help})`);
      flags[name] = value;
    } else {
      if (spec.valid && !spec.valid.includes(raw)) throw new UsageError(`igr ${command}: --${name} must be one of ${spec.valid.join(", ")}; got "${raw}"`);
      flags[name] = raw;
    }
  }
  return { flags, positional };
}

/** The TrainConfig the flags ask for (all validation before any work). */
export function trainConfigFromFlags(flags: ParsedFlags, runsDir: string): TrainConfig {
  const partial: Record<string, unknown> = { runsDir };
  for (const [name, value] of Object.entries(flags)) {
    const field = TRAIN_FLAGS[name]?.field;
    if (field) partial[field] = value;
  }
  partial.tau ??= DEFAULT_TAU;
  for (const required of ["model", "dataset", "arch"]) {
    if (partial[required] === undefined) {
      const spec = TRAIN_FLAGS[required];
      throw new UsageError(`igr train: --${required} is required (${spec.help}${spec.valid ? ": " + spec.valid.join(", ") : ""})`);
    }
  }
  try {
    return trainConfig(partial as Parameters<typeof trainConfig>[0]);
  } catch (err) {
    throw new UsageError(`igr train: ${(err as Error).message}`);
  }
}

export const ESTIMATOR_FLAGS: Record<string, FlagSpec> = {
  resume: { kind: "string", help: "continue the estimator run with this id or folder from its checkpoint (settings from its config.json; only --epochs may change)" },
  estimator: { kind: "string", help: "gradient estimator for the discrete latents", valid: ESTIMATOR_NAMES },
  arch: { kind: "string", help: "encoder/decoder architecture", valid: ARCHITECTURES },
  samples: { kind: "integer", help: "estimator and decoder draws per example S (default 1; Table 3: 4)" },
  seed: { kind: "integer", help: `seed of initialisation, data order and noise (default ${ESTIMATOR_TRAIN_DEFAULTS.seed})` },
  epochs: { kind: "integer", help: `epochs (default ${ESTIMATOR_TRAIN_DEFAULTS.epochs})` },
  lr: { kind: "number", help: `Adam learning rate (default ${ESTIMATOR_TRAIN_DEFAULTS.learningRate})` },
  limit: { kind: "integer", help: "use only the first N training examples" },
  "eval-limit": { kind: "integer", help: `validation/test examples per epoch (default ${ESTIMATOR_TRAIN_DEFAULTS.evalLimit})` },
  "final-eval-limit": { kind: "integer", help: `test examples of the final numbers (default ${ESTIMATOR_TRAIN_DEFAULTS.finalEvalLimit})` },
  "final-samples": { kind: "integer", help: `importance samples per test example (default ${ESTIMATOR_TRAIN_DEFAULTS.finalSamples}; 0 skips)` },
  "authors-draw": { kind: "boolean", help: "relax-igr: the authors' independent-draw control variate (biased)" },
  "authors-sign": { kind: "boolean", help: "relax-igr: the authors' KL sign error (recon − KL)" },
  "run-id": { kind: "string", help: "run folder name (default: made from the settings)" },
  "runs-dir": { kind: "string", help: "where run folders go (default data/runs)" },
  progress: { kind: "string", help: "progress display", valid: ["auto", "terminal", "lines", "none"] },
};

const EXPERIMENT_FLAGS: Record<string, FlagSpec> = {
  seed: { kind: "integer", help: "seed of initialisation, data order and noise (default 1)" },
  epochs: { kind: "integer", help: "epochs (the paper: SOP 100, mixture 300)" },
  lr: { kind: "number", help: "Adam learning rate (default: the paper's)" },
  limit: { kind: "integer", help: "use only the first N training images" },
  "eval-limit": { kind: "integer", help: "test images of the per-epoch metrics (default 1000)" },
  "final-eval-limit": { kind: "integer", help: "test images of the final numbers (default all)" },
  "run-id": { kind: "string", help: "run folder name (default: made from the settings)" },
  "runs-dir": { kind: "string", help: "where run folders go (default data/runs)" },
  resume: { kind: "string", help: "continue the run with this id or folder from its checkpoint (settings from its config.json; only --epochs may change)" },
  progress: { kind: "string", help: "progress display", valid: ["auto", "terminal", "lines", "none"] },
};

export const SOP_FLAGS: Record<string, FlagSpec> = {
  relaxation: { kind: "string", help: "relaxation of the binary latents", valid: SOP_RELAXATIONS },
  tau: { kind: "number", help: "temperature > 0 (default 1)" },
  authors: { kind: "boolean", help: "the authors' sample sigmoid(λ), which ignores the temperature" },
  ...EXPERIMENT_FLAGS,
};

export const MIXTURE_FLAGS: Record<string, FlagSpec> = {
  sticks: { kind: "string", help: "stick-breaking family", valid: STICK_FAMILIES },
  truncate: { kind: "boolean", help: "adaptive truncation of the sticks (default: on for igr-sb; --truncate=false turns it off)" },
  ...EXPERIMENT_FLAGS,
};

export const EVAL_FLAGS: Record<string, FlagSpec> = {
  samples: { kind: "integer", help: "importance samples per test example (default 5000; 0 skips)" },
  "authors-samples": { kind: "integer", help: "samples of the authors' estimator (default 100; 0 skips)" },
  limit: { kind: "integer", help: "test examples (default all)" },
  "train-limit": { kind: "integer", help: "training examples for the discretized train ELBO (default all)" },
  "frequency-samples": { kind: "integer", help: "draws for the IGR-Planar/SB discrete-q estimate (default 1000)" },
  seed: { kind: "integer", help: "seed of the evaluation noise (default 0)" },
  "runs-dir": { kind: "string", help: "where run folders are (default data/runs)" },
  progress: { kind: "string", help: "progress display", valid: ["auto", "terminal", "lines", "none"] },
};

export const SWEEP_FLAGS: Record<string, FlagSpec> = {
  jobs: { kind: "integer", help: "runs at once, one process each (default 2: one per core)" },
  "print-commands": { kind: "boolean", help: "print one `igr train` line per run and exit" },
  "dry-run": { kind: "boolean", help: "print what each run would do (or, with --slurm, the job script) and the estimated CPU-hours; start nothing" },
  slurm: { kind: "boolean", help: "submit one SLURM array job, one task per run (sbatch must be on the PATH)" },
  partition: { kind: "string", help: "--slurm: the partition" },
  time: { kind: "string", help: "--slurm: time limit per task (H:MM:SS); a task near it checkpoints and requeues itself" },
  "cpus-per-task": { kind: "integer", help: "--slurm: CPUs per task (default 1)" },
  mem: { kind: "string", help: "--slurm: memory per task (e.g. 4G)" },
  "signal-margin": { kind: "integer", help: "--slurm: seconds before the time limit at which a task checkpoints (default 120)" },
  task: { kind: "integer", help: "run (start, resume or skip) only run <i> of the grid, in this process (what each SLURM task does)" },
  progress: { kind: "string", help: "progress display of --task", valid: ["auto", "terminal", "lines", "none"] },
  "runs-dir": { kind: "string", help: "where run folders go (default data/runs)" },
};

export const TABLE_FLAGS: Record<string, FlagSpec> = {
  "runs-dir": { kind: "string", help: "where run folders are (default data/runs)" },
  out: { kind: "string", help: "output path prefix: writes <out>.csv and <out>.md (default <runs-dir>/table)" },
};

export const APPROX_TARGETS = ["binomial", "paper", "negative-binomial", "uniform"] as const;

const COMMON_FIT_FLAGS: Record<string, FlagSpec> = {
  tau: { kind: "number", help: "temperature > 0 (default: 0.01 for IGR, 0.1 for GS, the authors')" },
  lr: { kind: "number", help: "Adam learning rate (default 0.01)" },
  samples: { kind: "integer", help: "relaxed samples per step S (default 10000)" },
  "max-iterations": { kind: "integer", help: "step cap (default 200; prior-fit: 1000)" },
  seed: { kind: "integer", help: "seed of the initialisation and of the steps' noise (default 0)" },
  every: { kind: "integer", help: "print the loss every N steps (default 50; 0: never)" },
  out: { kind: "string", help: "also write the result as JSON to this file" },
};

export const APPROX_FLAGS: Record<string, FlagSpec> = {
  family: { kind: "string", help: "relaxed family fitted", valid: APPROX_FAMILIES },
  target: { kind: "string", help: "target pmf: Binomial(12, 0.3) (Figs 1-2), the 10-point pmf (Figs 3-4), NegBin(50, 0.6) (Figs 5-6), Uniform(K)", valid: APPROX_TARGETS },
  categories: { kind: "integer", help: "K of the target (default: binomial 13, negative-binomial 40, uniform 10; the paper pmf has 10)" },
  loss: { kind: "string", help: "loss (default: squared-error for IGR, empirical-kl for GS)", valid: APPROX_LOSSES },
  threshold: { kind: "number", help: "igr-sb: keep the sticks whose cumulative mass stays ≤ this (default 0.9)" },
  "planar-layers": { kind: "integer", help: "igr-planar: planar layers (default 2)" },
  ...COMMON_FIT_FLAGS,
};

export const PRIOR_FIT_FLAGS: Record<string, FlagSpec> = {
  categories: { kind: "integer", help: "K of the VAE's uniform prior (default 10)" },
  ...COMMON_FIT_FLAGS,
};

function flagHelp(specs: Record<string, FlagSpec>): string {
  const rows = Object.entries(specs).map(([name, s]) => [
    `    --${name}${s.kind === "boolean" ? "" : " <" + s.kind + ">"}`,
    s.help + (s.valid ? ` [${s.valid.join(", ")}]` : ""),
  ]);
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return rows.map(([flag, help]) => flag.padEnd(width) + help).join("\n");
}

const COMMAND_HELP: Record<string, { synopsis: string[]; about: string; flags: Record<string, FlagSpec> }> = {
  train: {
    synopsis: ["igr train --model <m> --dataset <d> --arch <a> [--tau <t>] [flags]", "igr train --resume <run-id | run-folder> [--epochs N] [--lr L]", "igr train --restart <run-id | run-folder>"],
    about: "train the categorical VAE; a stop signal (Ctrl-C, SIGTERM, SIGUSR1) writes a checkpoint and exits 130/143/138; continue with --resume",
    flags: TRAIN_FLAGS,
  },
  eval: { synopsis: ["igr eval <run-id | run-folder> [flags]"], about: "evaluate a trained run; writes eval.json in the run folder and adds it to summary.json", flags: EVAL_FLAGS },
  sweep: {
    synopsis: ["igr sweep <grid.json> [--jobs 2] [--dry-run] [--print-commands]", "igr sweep <grid.json> --slurm [--partition P] [--time H:MM:SS] [--cpus-per-task N] [--mem M] [--dry-run]", "igr sweep status <grid.json>"],
    about: 'run every run of a grid ({"model": ["igr-i", "gs"], "tau": [0.1, 0.5], "seed": [1, 2], "dataset": "mnist", "arch": "linear"}); completed and running runs are skipped, interrupted ones resumed, so a sweep can be run again',
    flags: SWEEP_FLAGS,
  },
  table: { synopsis: ["igr table [--runs-dir dir] [--out prefix]"], about: "one row per VAE run record, as CSV and Markdown", flags: TABLE_FLAGS },
  sop: { synopsis: ["igr sop --relaxation <r> [--tau t] [flags]", "igr sop --resume <run-id | run-folder> [--epochs N]"], about: "structured output prediction on MNIST halves (appendix §5)", flags: SOP_FLAGS },
  mixture: { synopsis: ["igr mixture --sticks <s> [flags]", "igr mixture --resume <run-id | run-folder> [--epochs N]"], about: "the nonparametric mixture VAE on MNIST (appendix §5)", flags: MIXTURE_FLAGS },
  estimator: { synopsis: ["igr estimator --estimator <e> --arch <a> [flags]", "igr estimator --resume <run-id | run-folder> [--epochs N]"], about: "MNIST VAE trained with RELAX or the unordered-set estimator (appendix Tables 2-3)", flags: ESTIMATOR_FLAGS },
  approx: {
    synopsis: ["igr approx --family <f> --target <t> [--categories K] [flags]"],
    about: "fit one relaxed distribution to a discrete target (appendix §6, Figs 1-6): the fitted discrete law beside the target and their total variation",
    flags: APPROX_FLAGS,
  },
  "prior-fit": {
    synopsis: ["igr prior-fit [--categories K] [flags]"],
    about: "the authors' set_prior: IGR-I fitted to Uniform(K), the averaged μ₀/σ₀ against its analytic value (appendix §6)",
    flags: PRIOR_FIT_FLAGS,
  },
};

export const COMMANDS = Object.keys(COMMAND_HELP);

/** The help of one command. */
export function commandUsage(command: string): string {
  const h = COMMAND_HELP[command];
  return `usage:\n${h.synopsis.map((l) => "  " + l).join("\n")}\n\n${h.about}\n\nflags:\n${flagHelp(h.flags)}\n`;
}

export function usage(): string {
  return `igr: train and evaluate the categorical VAE of the IGR paper (igr-ts)

usage:
${Object.values(COMMAND_HELP).flatMap((h) => h.synopsis).map((l) => "  " + l).join("\n")}
  igr <command> --help
  igr --version

example:
  igr train --model igr-i --dataset mnist --arch nonlinear --epochs 300 --tau 0.1 --seed 1

exit codes: 0 done, 1 failed (e.g. a checkpoint that could not be written), 2 bad usage or refused
(nothing was done), 3 training diverged, 130/143/138 stopped by SIGINT/SIGTERM/SIGUSR1 with a checkpoint.

Ctrl-C during training writes a checkpoint and exits; continue with igr train --resume <run-id>.
Run igr <command> --help for that command's flags.
`;
}
