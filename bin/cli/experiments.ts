// `igr sop` and `igr mixture`: the appendix-§5 experiments (structured output prediction, the
// nonparametric mixture VAE) from the command line, on the same loop, run folders and resume as
// `igr train`.
import * as fs from "node:fs";
import * as path from "node:path";
import { mixtureTrainConfig, sopTrainConfig, trainMixture, trainSop, type ProgressMode } from "../../lib/index";
import { SOP_RELAXATIONS, STICK_FAMILIES } from "../../lib/models/index";
import { readJson, type ExperimentResult } from "../../lib/train/index";
import { ParsedFlags, UsageError } from "./args";

function commonSettings(flags: ParsedFlags, runsDir: string): Record<string, unknown> {
  const defined = (entries: Array<[string, unknown]>) => Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  return defined([
    ["seed", flags.seed], ["epochs", flags.epochs], ["learningRate", flags.lr], ["limit", flags.limit], ["evalLimit", flags["eval-limit"]],
    ["finalEvalLimit", flags["final-eval-limit"]], ["runId", flags["run-id"]], ["runsDir", runsDir],
  ]);
}

/** The configuration of `--resume <run>` (from its config.json, in its own folder) or of the flags. */
function settingsFor(command: string, flags: ParsedFlags, runsDir: string, fromFlags: () => Record<string, unknown>, folderOf: (run: string) => { runsDir: string; runId: string }): { settings: Record<string, unknown>; resume: boolean } {
  if (typeof flags.resume !== "string") return { settings: fromFlags(), resume: false };
  const others = Object.keys(flags).filter((f) => !["resume", "epochs", "runs-dir", "progress"].includes(f));
  if (others.length > 0) throw new UsageError(`igr ${command} --resume takes the run's settings from its config.json; only --epochs may change (got ${others.map((f) => "--" + f).join(", ")})`);
  const where = folderOf(flags.resume);
  const configFile = path.join(where.runsDir, where.runId, "config.json");
  if (!fs.existsSync(configFile)) throw new UsageError(`igr ${command} --resume: no run "${flags.resume}" (${configFile} does not exist)`);
  const saved = readJson<{ config: Record<string, unknown> }>(configFile).config;
  return { settings: { ...saved, ...where, ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}) }, resume: true };
}

export async function runSopOrMixture(
  command: "sop" | "mixture",
  flags: ParsedFlags,
  runsDir: string,
  folderOf: (run: string) => { runsDir: string; runId: string },
): Promise<{ result: ExperimentResult<unknown>; runId: string }> {
  const progress = (flags.progress as ProgressMode) ?? "auto";
  if (command === "sop") {
    const { settings, resume } = settingsFor(command, flags, runsDir, () => {
      if (flags.relaxation === undefined) throw new UsageError(`igr sop: --relaxation is required (${SOP_RELAXATIONS.join(", ")})`);
      return { relaxation: flags.relaxation, ...(flags.tau !== undefined ? { temperature: flags.tau } : {}), ...(flags.authors ? { authors: true } : {}), ...commonSettings(flags, runsDir) };
    }, folderOf);
    const config = asUsageError(command, () => sopTrainConfig(settings as Parameters<typeof sopTrainConfig>[0]));
    return { result: (await trainSop(config, { resume, progress })) as ExperimentResult<unknown>, runId: config.runId };
  }
  const { settings, resume } = settingsFor(command, flags, runsDir, () => {
    if (flags.sticks === undefined) throw new UsageError(`igr mixture: --sticks is required (${STICK_FAMILIES.join(", ")})`);
    return { sticks: flags.sticks, ...(flags.truncate !== undefined ? { truncate: flags.truncate } : {}), ...commonSettings(flags, runsDir) };
  }, folderOf);
  const config = asUsageError(command, () => mixtureTrainConfig(settings as Parameters<typeof mixtureTrainConfig>[0]));
  return { result: (await trainMixture(config, { resume, progress })) as ExperimentResult<unknown>, runId: config.runId };
}

/** A configuration the trainer refuses is the user's flags at fault: exit 2 with the command named. */
function asUsageError<T>(command: string, make: () => T): T {
  try {
    return make();
  } catch (err) {
    throw new UsageError(`igr ${command}: ${(err as Error).message}`);
  }
}
