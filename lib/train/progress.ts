// Training progress: a bar with ETA and running loss on a terminal (stderr, carriage returns), a
// periodic plain line when stderr is not a terminal (logs, sweeps), and one live-updating output
// line in a tslab notebook.
import { inKernel } from "../core/tslab";

export interface ProgressLine {
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  /** Mean training loss over the current epoch so far. */
  runningLoss: number;
  /** Seconds since this process started training. */
  elapsed: number;
  /** Steps done in this process (for the rate; a resumed run starts counting again). */
  stepsThisSession: number;
}

export type ProgressMode = "auto" | "terminal" | "lines" | "notebook" | "none";

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}` : `${m}:${String(sec).padStart(2, "0")}`;
}

/** One progress line, e.g. "epoch 3/10 [#####.....] 1200/6000 steps  loss 132.41  14.2 steps/s  ETA 5:38". */
export function formatProgress(p: ProgressLine, width = 24): string {
  const fraction = p.totalSteps > 0 ? Math.min(1, p.step / p.totalSteps) : 1;
  const filled = Math.round(fraction * width);
  const rate = p.elapsed > 0 ? p.stepsThisSession / p.elapsed : NaN;
  const eta = rate > 0 ? (p.totalSteps - p.step) / rate : NaN;
  const loss = Number.isFinite(p.runningLoss) ? p.runningLoss.toFixed(2) : "  -  ";
  return `epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${p.step}/${p.totalSteps} steps  loss ${loss}  ${Number.isFinite(rate) ? rate.toFixed(1) : "-"} steps/s  ETA ${formatDuration(eta)}`;
}

/** One line of a counted task after training, e.g. "final evaluation, test log-likelihood: 3400/10000  ETA 4:10". */
export function formatTask(what: string, done: number, total: number, elapsed: number): string {
  const eta = done >= total ? 0 : done > 0 && elapsed > 0 ? ((total - done) * elapsed) / done : NaN;
  return `${what}: ${done}/${total}  ETA ${formatDuration(eta)}`;
}

export class ProgressReporter {
  private readonly mode: Exclude<ProgressMode, "auto">;
  private lastDraw = 0;
  private lastFraction = -1;
  private display: { text(s: string): void } | null = null;
  private task: { what: string; start: number } | null = null;
  /** Terminal mode: the cursor is on a drawn line that no newline has ended yet. */
  private lineOpen = false;

  constructor(mode: ProgressMode = "auto", private readonly stream: NodeJS.WriteStream = process.stderr) {
    if (mode === "auto") mode = inKernel() ? "notebook" : stream.isTTY ? "terminal" : "lines";
    this.mode = mode;
    if (mode === "notebook") {
      try {
        this.display = (require("tslab") as { newDisplay(): { text(s: string): void } }).newDisplay();
      } catch {
        this.mode = "lines";
      }
    }
  }

  /** Draws when enough time has passed (terminal 0.2 s, notebook 0.5 s, lines every 10% or 60 s), or when forced. */
  update(p: ProgressLine, force = false): void {
    if (this.mode === "none") return;
    const now = Date.now();
    const fraction = p.totalSteps > 0 ? p.step / p.totalSteps : 1;
    if (this.mode === "lines") {
      if (!force && Math.floor(fraction * 10) === Math.floor(this.lastFraction * 10) && now - this.lastDraw < 60000) return;
      this.stream.write(formatProgress(p) + "\n");
    } else if (this.mode === "terminal") {
      if (!force && now - this.lastDraw < 200) return;
      this.stream.write("\r" + formatProgress(p) + "\x1b[K");
      this.lineOpen = true;
    } else {
      if (!force && now - this.lastDraw < 500) return;
      this.display!.text(formatProgress(p));
    }
    this.lastDraw = now;
    this.lastFraction = fraction;
  }

  /**
   * Progress of a counted task after training (the final evaluation), drawn like `update`; a new
   * `what` starts a new ETA clock, and the last count of a task always draws.
   */
  taskProgress(what: string, done: number, total: number): void {
    if (this.mode === "none") return;
    const now = Date.now();
    if (this.task?.what !== what) {
      this.task = { what, start: now };
      this.lastFraction = -1;
    }
    const text = formatTask(what, done, total, (now - this.task.start) / 1000);
    const fraction = total > 0 ? done / total : 1;
    const last = done >= total;
    if (this.mode === "lines") {
      if (!last && Math.floor(fraction * 10) === Math.floor(this.lastFraction * 10) && now - this.lastDraw < 60000) return;
      this.stream.write(text + "\n");
    } else if (this.mode === "terminal") {
      if (!last && now - this.lastDraw < 200) return;
      this.stream.write("\r" + text + "\x1b[K" + (last ? "\n" : ""));
      this.lineOpen = !last;
    } else {
      if (!last && now - this.lastDraw < 500) return;
      this.display!.text(text);
    }
    this.lastDraw = now;
    this.lastFraction = fraction;
  }

  /** Ends the terminal line (so later messages start on a fresh line). */
  finish(): void {
    if (this.mode === "terminal" && this.lineOpen) this.stream.write("\n");
    this.lineOpen = false;
  }

  /** A message on its own line, not mangled by the bar. */
  message(text: string): void {
    if (this.mode === "none") return;
    if (this.mode === "terminal") {
      this.stream.write("\r\x1b[K" + text + "\n");
      this.lineOpen = false;
    } else if (this.mode === "notebook") console.log(text);
    else this.stream.write(text + "\n");
  }
}
