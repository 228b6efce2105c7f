// What both training loops (trainer.ts, experimentRun.ts) save and restore: the model's variables and
// Adam's moments under fixed names ("<name>", "adam/m/<name>", "adam/v/<name>"), and the median step time.
import * as tf from "@tensorflow/tfjs";
import type { NamedVariable } from "../models/vae";
import type { Adam } from "./adam";
import { LoadedCheckpoint, restoreVariables } from "./checkpoint";

/** The tensors of a checkpoint: every variable, then Adam's first and second moments. */
export function checkpointTensors(named: NamedVariable[], adam: Adam): Array<{ name: string; tensor: tf.Tensor }> {
  return [
    ...named.map(({ name, variable }) => ({ name, tensor: variable as tf.Tensor })),
    ...named.map(({ name }, i) => ({ name: `adam/m/${name}`, tensor: adam.firstMoments[i] as tf.Tensor })),
    ...named.map(({ name }, i) => ({ name: `adam/v/${name}`, tensor: adam.secondMoments[i] as tf.Tensor })),
  ];
}

/** Puts a checkpoint's variables and Adam moments (and Adam's step count) back. */
export function restoreTraining(file: string, loaded: LoadedCheckpoint<{ adamStep: number }>, named: NamedVariable[], adam: Adam): void {
  restoreVariables(file, loaded.values, named);
  restoreVariables(file, loaded.values, named.map(({ name }, i) => ({ name: `adam/m/${name}`, variable: adam.firstMoments[i] })));
  restoreVariables(file, loaded.values, named.map(({ name }, i) => ({ name: `adam/v/${name}`, variable: adam.secondMoments[i] })));
  adam.step = loaded.header.state.adamStep;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
