export { Adam, type AdamOptions } from "./adam";
export { writeCheckpoint, readCheckpoint, restoreVariables, CheckpointError, CHECKPOINT_VERSION, type CheckpointHeader } from "./checkpoint";
export { trainConfig, toModelConfig, configHash, defaultRunId, TRAIN_DEFAULTS, TAU_GRID, type TrainConfig } from "./config";
export { ProgressReporter, formatProgress, type ProgressMode } from "./progress";
export { RunRecord, writeJsonAtomic, METRIC_COLUMNS, CHECKPOINT_FILE, type MetricRow, type RunSummary, type RunStatus } from "./runRecord";
export { train, loadTrainData, evaluateEpoch, TrainingDivergedError, type TrainOptions, type TrainResult, type TrainData, type TrainerState } from "./trainer";
export { loadRun, resolveRun, type LoadedRun } from "./loadRun";
export { expandGrid, type GridSpec } from "./sweep";
export { collectRuns, markdownTable, type RunTableRow } from "./table";
