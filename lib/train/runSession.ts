// What every training loop (the VAE trainer and runExperiment) does around its steps so that a run is
// never lost: one writer per run folder (runLock.ts), a clean stop on SIGINT/SIGTERM/SIGUSR1 at a step
// boundary (stopSignals.ts), checkpoints that cannot be half-written (checkpoint.ts), and a summary
// that always says where the run stands (status, step of its last checkpoint, what stopped it).
import { RunLock } from "./runLock";
import { SIGNAL_EXIT_CODES, StopListener, StopSignal } from "./stopSignals";

const LOCK_REFRESH_MS = 60_000;

export class RunSession {
  private lastRefresh = Date.now();

  private constructor(readonly dir: string, readonly lock: RunLock, readonly stop: StopListener) {}

  /** Takes the run folder's lock (RunLockedError when another writer holds it) and listens for the stop signals. */
  static open(dir: string, handleSignals: boolean): RunSession {
    const lock = RunLock.acquire(dir);
    return new RunSession(dir, lock, new StopListener(handleSignals));
  }

  /**
   * Call after every step: lets signal handlers run (at most every few tens of ms, so the cost is
   * nil), refreshes the lock now and then, and returns the stop signal received, if any.
   */
  async stepBoundary(): Promise<StopSignal | null> {
    await this.stop.yieldIfDue();
    if (Date.now() - this.lastRefresh > LOCK_REFRESH_MS) {
      this.lock.refresh();
      this.lastRefresh = Date.now();
    }
    return this.stop.signal;
  }

  /** Stops listening and releases the lock; safe to call twice. */
  close(): void {
    this.stop.close();
    this.lock.release();
  }
}

/** The exit code of a training command for how its session ended (README "Exit codes"). */
export function exitCodeFor(end: { status: string; stoppedBy?: StopSignal | null }): number {
  if (end.status === "completed") return 0;
  if (end.status === "interrupted") return end.stoppedBy ? SIGNAL_EXIT_CODES[end.stoppedBy] : 130;
  if (end.status === "diverged") return 3;
  return 1;
}
