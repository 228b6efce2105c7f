// A trained model from its run folder: config.json + the checkpoint's weights (hash-checked).
import * as path from "node:path";
import { CategoricalVAE } from "../models/vae";
import { readCheckpoint, restoreVariables } from "./checkpoint";
import { configHash, toModelConfig, TrainConfig, trainConfig } from "./config";
import { RunRecord } from "./runRecord";
import type { TrainerState } from "./trainer";

export interface LoadedRun {
  config: TrainConfig;
  record: RunRecord;
  model: CategoricalVAE;
  state: TrainerState;
}

/** `run` is a run id under runsDir or a path to a run folder. */
export function resolveRun(run: string, runsDir: string): RunRecord {
  const dir = run.includes("/") || run.includes(path.sep) ? path.resolve(run) : path.join(runsDir, run);
  return new RunRecord(path.dirname(dir), path.basename(dir));
}

export function loadRun(run: string, runsDir: string): LoadedRun {
  const record = resolveRun(run, runsDir);
  if (!record.exists()) throw new Error(`no run "${run}": ${record.configFile} does not exist`);
  const saved = record.readConfig();
  if (saved.experiment !== undefined) throw new Error(`run "${run}" is a ${saved.experiment} run; loadRun loads VAE runs of igr train (read other runs with readRun or readExperimentRun)`);
  // Re-validate (and fill fields added since the run was made), keeping the run's own location.
  const config = trainConfig({ ...saved.config, runsDir: path.dirname(record.dir), runId: record.runId });
  const hash = configHash(config);
  if (hash !== saved.configHash) throw new Error(`run "${run}": config.json does not match its recorded hash (${saved.configHash} vs ${hash}); the file was edited`);
  const loaded = readCheckpoint<TrainerState>(record.checkpointFile, hash);
  const model = new CategoricalVAE(toModelConfig(config));
  restoreVariables(record.checkpointFile, loaded.values, model.namedVariables());
  return { config, record, model, state: loaded.header.state };
}

