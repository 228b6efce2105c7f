// `igr approx` and `igr prior-fit`: the appendix-§6 fits (lib/train/approxFit.ts, uniformPriorFit.ts)
// from the command line. A fit is a few hundred in-memory Adam steps on fresh relaxed samples, no data
// and no run folder, so it has no checkpoint or resume; it prints the fitted law against the target
// and, with --out, writes them as JSON.
import * as fs from "node:fs";
import * as path from "node:path";
import { fitDiscreteApproximation, fitUniformPrior, initBackend } from "../../lib/index";
import { binomialTarget, negativeBinomialTarget, paperDiscreteTarget, totalVariation, uniformTarget, type DiscreteTarget } from "../../lib/discrete/index";
import { APPROX_FAMILIES, APPROX_LOSSES } from "../../lib/models/index";
import { APPROX_FLAGS, APPROX_TARGETS, ParsedFlags, parseFlags, PRIOR_FIT_FLAGS, UsageError } from "./args";

function targetOf(flags: ParsedFlags): DiscreteTarget {
  const K = flags.categories as number | undefined;
  switch (flags.target) {
    case "binomial":
      return binomialTarget(12, 0.3, K === undefined ? {} : { numCategories: K });
    case "paper":
      if (K !== undefined && K !== 10) throw new UsageError(`igr approx: the paper's pmf has 10 categories; got --categories ${K}`);
      return paperDiscreteTarget();
    case "negative-binomial":
      return negativeBinomialTarget(50, 0.6, { numCategories: K ?? 40 });
    case "uniform":
      return uniformTarget(K ?? 10);
    default:
      throw new UsageError(`igr approx: --target is required (${APPROX_TARGETS.join(", ")})`);
  }
}

/** The fit options the common flags set (undefined where the library's default applies). */
function fitOptions(flags: ParsedFlags): { temperature?: number; learningRate?: number; numSamples?: number; maxIterations?: number; seed?: number } {
  return {
    temperature: flags.tau as number | undefined,
    learningRate: flags.lr as number | undefined,
    numSamples: flags.samples as number | undefined,
    maxIterations: flags["max-iterations"] as number | undefined,
    seed: flags.seed as number | undefined,
  };
}

function onStepOf(flags: ParsedFlags): (step: number, loss: number) => void {
  const every = (flags.every as number | undefined) ?? 50;
  return (step, loss) => {
    if (every > 0 && (step + 1) % every === 0) console.error(`step ${step + 1}  loss ${loss.toExponential(4)}`);
  };
}

function writeOut(flags: ParsedFlags, result: object): void {
  if (typeof flags.out !== "string") return;
  const file = path.resolve(flags.out);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  console.log(`wrote ${file}`);
}

const fmt = (values: readonly number[]) => values.map((v) => v.toFixed(4)).join(" ");

/** Refuses settings the library refuses, as a usage error (exit 2, nothing done). */
function asUsage<T>(command: string, make: () => T): T {
  try {
    return make();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`igr ${command}: ${(err as Error).message}`);
  }
}

export async function commandApprox(argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, APPROX_FLAGS, "approx");
  if (positional.length > 0) throw new UsageError(`igr approx: unexpected argument "${positional[0]}" (flags start with --)`);
  if (flags.family === undefined) throw new UsageError(`igr approx: --family is required (${APPROX_FAMILIES.join(", ")})`);
  const target = asUsage("approx", () => targetOf(flags));
  await initBackend();
  const options = {
    ...fitOptions(flags),
    family: flags.family as (typeof APPROX_FAMILIES)[number],
    target,
    loss: flags.loss as (typeof APPROX_LOSSES)[number] | undefined,
    threshold: flags.threshold as number | undefined,
    planarLayers: flags["planar-layers"] as number | undefined,
    onStep: onStepOf(flags),
  };
  // Undefined options fall back to the library's defaults.
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as typeof options;
  const fit = asUsage("approx", () => fitDiscreteApproximation(defined));
  try {
    const exact = fit.exactProbs();
    const probs = exact ? exact.probs : fit.sampledProbs(10000);
    const result = {
      family: fit.settings.family,
      target: target.name,
      targetProbs: target.probs,
      settings: fit.settings,
      steps: fit.iterations,
      stoppedEarly: fit.stoppedEarly,
      finalLoss: fit.losses[fit.losses.length - 1] ?? null,
      msPerStep: fit.msPerStep,
      discreteLaw: exact ? "exact (Proposition 2 / Gumbel-max)" : "frequencies of 10,000 argmax draws",
      probs,
      totalVariation: totalVariation(probs, target.probs),
    };
    console.log(`${result.family} fitted to ${result.target}: ${result.steps} steps${result.stoppedEarly ? " (stopped early)" : ""}, final loss ${result.finalLoss}`);
    console.log(`  target  ${fmt(target.probs)}`);
    console.log(`  fitted  ${fmt(probs)}  (${result.discreteLaw})`);
    console.log(`  total variation ${result.totalVariation.toFixed(4)}`);
    writeOut(flags, result);
  } finally {
    fit.dispose();
  }
  return 0;
}

export async function commandPriorFit(argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, PRIOR_FIT_FLAGS, "prior-fit");
  if (positional.length > 0) throw new UsageError(`igr prior-fit: unexpected argument "${positional[0]}" (flags start with --)`);
  const K = (flags.categories as number | undefined) ?? 10;
  asUsage("prior-fit", () => uniformTarget(K));
  await initBackend();
  const options = Object.fromEntries(Object.entries({ ...fitOptions(flags), onStep: onStepOf(flags) }).filter(([, v]) => v !== undefined));
  const prior = asUsage("prior-fit", () => fitUniformPrior(K, options));
  try {
    const { fit, ...numbers } = prior;
    const result = { numCategories: K, steps: fit.iterations, stoppedEarly: fit.stoppedEarly, ...numbers };
    console.log(`IGR-I prior fitted to Uniform(${K}): ${result.steps} steps`);
    console.log(`  averaged μ₀/σ₀ ${result.ratio.toFixed(6)}   analytic ${result.analyticRatio.toFixed(6)}`);
    console.log(`  total variation to uniform: fitted ${result.fittedTv.toFixed(4)}, averaged ${result.averagedTv.toFixed(4)}`);
    writeOut(flags, result);
  } finally {
    prior.fit.dispose();
  }
  return 0;
}
