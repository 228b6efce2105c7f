// Stopping a run cleanly: SIGINT (Ctrl-C), SIGTERM (kill, SLURM time limit / requeue) and SIGUSR1
// (SLURM's --signal=B:USR1@margin before a time limit or preemption) ask the training loop to stop at
// the next step boundary, write a checkpoint and mark the record "interrupted". The loop yields to the
// event loop every YIELD_EVERY_MS so a handler runs within a step (a synchronous loop never lets one run).
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGUSR1"] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The shell's convention, 128 + signal number, so `$?` and SLURM show which signal stopped the run. */
export const SIGNAL_EXIT_CODES: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143, SIGUSR1: 138 };

const YIELD_EVERY_MS = 50;

/** Listens for the stop signals while a run trains; `signal` is the first one received. */
export class StopListener {
  signal: StopSignal | null = null;
  private lastYield = Date.now();
  private readonly handlers = new Map<StopSignal, () => void>();

  constructor(private readonly enabled: boolean) {
    if (!enabled) return;
    for (const name of STOP_SIGNALS) {
      const handler = () => {
        this.signal ??= name;
      };
      this.handlers.set(name, handler);
      process.on(name, handler);
    }
  }

  get requested(): boolean {
    return this.signal !== null;
  }

  /** Lets pending signal handlers run when YIELD_EVERY_MS has passed since the last yield. */
  async yieldIfDue(): Promise<void> {
    if (!this.enabled || Date.now() - this.lastYield < YIELD_EVERY_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastYield = Date.now();
  }

  /** Removes the handlers (a second Ctrl-C then ends the process the usual way). */
  close(): void {
    for (const [name, handler] of this.handlers) process.removeListener(name, handler);
    this.handlers.clear();
  }
}
