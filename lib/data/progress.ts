// A progress bar on stderr: carriage-return updates on a terminal, an occasional plain line
// otherwise (logs and notebooks would fill up with one line per update).

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** Where to write; stderr by default. */
  stream?: ProgressStream;
  /** Format counts as bytes (MB) instead of items. */
  bytes?: boolean;
  /** Seconds between plain lines when the stream is not a terminal. */
  lineEverySeconds?: number;
}

export interface Progress {
  update(done: number): void;
  finish(message?: string): void;
}

const WIDTH = 24;

function fmt(n: number, bytes: boolean): string {
  return bytes ? `${(n / 1e6).toFixed(1)} MB` : String(n);
}

/** A progress bar for `total` units (0 or unknown total: counts only). IGR_QUIET=1 silences it. */
export function createProgress(label: string, total: number, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const quiet = options.stream === undefined && !!process.env.IGR_QUIET;
  const bytes = options.bytes ?? false;
  const tty = !!stream.isTTY;
  const every = (options.lineEverySeconds ?? 5) * 1000;
  const start = Date.now();
  let lastDraw = 0;
  let lastDone = 0;

  const text = (done: number): string => {
    const secs = ((Date.now() - start) / 1000).toFixed(1);
    if (total > 0) {
      const frac = Math.min(1, done / total);
      const filled = Math.round(frac * WIDTH);
      const bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
      return `${label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${fmt(done, bytes)}/${fmt(total, bytes)} ${secs}s`;
    }
    return `${label} ${fmt(done, bytes)} ${secs}s`;
  };

  return {
    update(done: number) {
      lastDone = done;
      if (quiet) return;
      const now = Date.now();
      if (tty) {
        if (now - lastDraw < 100) return;
        stream.write(`\r${text(done)}`);
      } else {
        if (lastDraw !== 0 && now - lastDraw < every) return;
        stream.write(`${text(done)}\n`);
      }
      lastDraw = now;
    },
    finish(message?: string) {
      if (quiet) return;
      const line = message ? `${text(lastDone)} ${message}` : text(lastDone);
      stream.write(tty ? `\r${line}\n` : `${line}\n`);
    },
  };
}
