// One writer per run folder: a lock file `lock.json` created with O_EXCL (open "wx") holding the
// writer's pid, host and start time. A second writer is refused, naming the holder. A lock left by a
// writer that died is stale: on the same host when its pid no longer runs, on another host (a shared
// file system on a cluster) when it has not been refreshed for STALE_AFTER_S seconds (writers refresh
// it at every checkpoint and summary).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const LOCK_FILE = "lock.json";
/** A lock from another host not refreshed for this long is taken to be stale. */
export const STALE_AFTER_S = 30 * 60;

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export class RunLockedError extends Error {
  constructor(readonly dir: string, readonly holder: LockHolder) {
    super(
      `run ${dir} is being written by pid ${holder.pid} on ${holder.host} (since ${holder.startedAt}: ${holder.command}); ` +
        `wait for it to finish or stop it (kill -INT ${holder.pid}) before writing this run`,
    );
    this.name = "RunLockedError";
  }
}

/** Lock files this process holds, so a lock with this process's pid is stale only if not among them. */
const held = new Set<string>();

function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as LockHolder;
  } catch {
    return null; // being written this instant, or unreadable: treated as held (see isStale)
  }
}

function isStale(file: string, holder: LockHolder | null): boolean {
  if (holder === null) {
    // An unreadable lock older than a few seconds is debris from a crash mid-create.
    try {
      return Date.now() - fs.statSync(file).mtimeMs > 10_000;
    } catch {
      return true;
    }
  }
  if (holder.host === os.hostname()) {
    if (holder.pid === process.pid) return !held.has(file);
    return !pidRuns(holder.pid);
  }
  try {
    return (Date.now() - fs.statSync(file).mtimeMs) / 1000 > STALE_AFTER_S;
  } catch {
    return true;
  }
}

/** The holder of a run folder's lock, or null when it is free or stale. */
export function lockHolder(dir: string): LockHolder | null {
  const file = path.join(dir, LOCK_FILE);
  if (!fs.existsSync(file)) return null;
  const holder = readHolder(file);
  return isStale(file, holder) ? null : holder ?? { pid: -1, host: "?", startedAt: "?", command: "?" };
}

export class RunLock {
  private constructor(readonly file: string) {}

  /** Takes the lock of `dir` (creating the folder), replacing a stale one; throws RunLockedError if held. */
  static acquire(dir: string): RunLock {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, LOCK_FILE);
    const me: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command: process.argv.slice(1).join(" ") };
    for (let attempt = 0; attempt < 3; attempt++) {
      let fd: number;
      try {
        fd = fs.openSync(file, "wx");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        const holder = readHolder(file);
        if (!isStale(file, holder)) throw new RunLockedError(dir, holder ?? { pid: -1, host: "?", startedAt: "?", command: "(lock being written)" });
        // Stale: move it aside atomically (only one contender wins the rename), then retry.
        try {
          fs.renameSync(file, `${file}.stale-${process.pid}`);
          fs.unlinkSync(`${file}.stale-${process.pid}`);
        } catch {
          /* another writer removed it first */
        }
        continue;
      }
      try {
        fs.writeSync(fd, JSON.stringify(me) + "\n");
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      held.add(file);
      return new RunLock(file);
    }
    throw new Error(`could not take the lock ${file} after removing stale locks three times (another writer keeps taking it)`);
  }

  /** Marks the lock as alive (its mtime), for stale detection across hosts. */
  refresh(): void {
    const now = new Date();
    try {
      fs.utimesSync(this.file, now, now);
    } catch {
      /* a missing lock is reported at release */
    }
  }

  release(): void {
    if (!held.delete(this.file)) return;
    try {
      fs.unlinkSync(this.file);
    } catch {
      /* already gone (folder removed by hand) */
    }
  }
}
