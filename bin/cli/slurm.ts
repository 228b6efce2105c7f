// The sbatch array script of `igr sweep --slurm`: one task per run of the grid. Each task runs
// `igr sweep <grid> --task <i>` in one node process, which starts, resumes or skips its run from the
// run folder (sweepPlan.ts). SLURM sends USR1 to the batch shell `margin` seconds before the time
// limit (--signal=B:USR1@margin) or at preemption; the shell forwards it to node, which checkpoints
// and exits 138, and the shell then requeues the task, which resumes from the checkpoint when it runs again.
import { UsageError } from "./args";

export interface SlurmSettings {
  jobName: string;
  tasks: number;
  partition?: string;
  /** Time limit per task, as sbatch takes it (minutes, H:MM:SS, D-HH:MM:SS). */
  time?: string;
  cpusPerTask: number;
  mem?: string;
  /** Seconds before the time limit at which the task is told to checkpoint. */
  signalMargin: number;
  /** Folder for the per-task logs (task-<i>.log). */
  logDir: string;
  workDir: string;
  /** The command of one task; "$SLURM_ARRAY_TASK_ID" is left for the shell. */
  command: string[];
}

export function checkSlurmSettings(s: Pick<SlurmSettings, "partition" | "time" | "mem" | "cpusPerTask" | "signalMargin">): void {
  if (s.partition !== undefined && !/^[A-Za-z0-9_.,-]+$/.test(s.partition)) throw new UsageError(`igr sweep: --partition must be a SLURM partition name; got "${s.partition}"`);
  if (s.time !== undefined && !/^(\d+-)?\d+(:\d{2}){0,2}$/.test(s.time)) throw new UsageError(`igr sweep: --time must be minutes, H:MM:SS or D-HH:MM:SS; got "${s.time}"`);
  if (s.mem !== undefined && !/^\d+[KMGT]?$/.test(s.mem)) throw new UsageError(`igr sweep: --mem must be a size such as 4G or 4000M; got "${s.mem}"`);
  if (!(s.cpusPerTask >= 1)) throw new UsageError(`igr sweep: --cpus-per-task must be >= 1; got ${s.cpusPerTask}`);
  if (!(s.signalMargin >= 10)) throw new UsageError(`igr sweep: --signal-margin must be >= 10 seconds (SLURM may signal up to a minute early or late); got ${s.signalMargin}`);
}

function quote(s: string): string {
  return s === '"$SLURM_ARRAY_TASK_ID"' || /^[A-Za-z0-9._+\-\/=:,@]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

export function sbatchScript(s: SlurmSettings): string {
  const directives = [
    `--job-name=${s.jobName}`,
    `--array=0-${s.tasks - 1}`,
    `--output=${s.logDir}/task-%a.log`,
    "--open-mode=append",
    "--ntasks=1",
    `--cpus-per-task=${s.cpusPerTask}`,
    "--requeue",
    `--signal=B:USR1@${s.signalMargin}`,
    ...(s.partition ? [`--partition=${s.partition}`] : []),
    ...(s.time ? [`--time=${s.time}`] : []),
    ...(s.mem ? [`--mem=${s.mem}`] : []),
  ];
  return `#!/bin/bash
${directives.map((d) => `#SBATCH ${d}`).join("\n")}
# Written by igr sweep --slurm. One task per run; a task stopped by USR1 (time limit near, or
# preemption) checkpoints, requeues itself and resumes from its checkpoint when it runs again.
set -u
cd ${quote(s.workDir)}
echo "task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID on $(hostname), restart \${SLURM_RESTART_COUNT:-0}, $(date -u +%FT%TZ)"
# No data-loading progress bars in the logs.
export IGR_QUIET=1
# node runs in the background so this shell can forward signals at once (bash runs a trap only
# after a foreground command ends, but it interrupts \`wait\`).
${s.command.map(quote).join(" ")} &
child=$!
trap 'kill -USR1 "$child" 2>/dev/null' USR1
trap 'kill -TERM "$child" 2>/dev/null' TERM
trap 'kill -INT "$child" 2>/dev/null' INT
code=""
while [ -z "$code" ]; do
  wait "$child"
  c=$?
  kill -0 "$child" 2>/dev/null || code=$c
done
echo "igr exited with $code"
# 138: stopped by USR1 with a checkpoint written; run again later.
if [ "$code" -eq 138 ]; then
  scontrol requeue "\${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID}" || echo "scontrol requeue failed: resubmit the grid to finish this run"
fi
exit "$code"
`;
}
