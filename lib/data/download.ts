// Downloads that never leave a half file: the body is read fully, verified, written to a temporary
// name in the same folder, then renamed into place (rename is atomic on one file system).
import * as fs from "fs";
import * as path from "path";
import { createProgress, ProgressStream } from "./progress";

export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface DownloadOptions {
  /** Replaces global fetch (tests). */
  fetch?: FetchLike;
  /** Throws if the downloaded bytes are wrong; runs before anything is written. */
  verify?: (bytes: Uint8Array, url: string) => void;
  /** Progress output (stderr by default). */
  progressStream?: ProgressStream;
  /** Abort when no bytes arrive for this many seconds. */
  idleTimeoutSeconds?: number;
}

/** Downloads `url` to `dest` (created atomically). Returns the bytes. */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<Uint8Array> {
  const doFetch: FetchLike = options.fetch ?? ((u, init) => fetch(u, init));
  const controller = new AbortController();
  const idleMs = (options.idleTimeoutSeconds ?? 60) * 1000;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  };
  const label = `downloading ${path.basename(dest)}`;
  try {
    arm();
    let response: Response;
    try {
      response = await doFetch(url, { signal: controller.signal });
    } catch (err) {
      throw new Error(`could not fetch ${url}: ${describe(err)}`);
    }
    if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status} ${response.statusText}`);
    const expected = Number(response.headers.get("content-length") ?? 0);
    const progress = createProgress(label, expected, { bytes: true, stream: options.progressStream });
    const chunks: Uint8Array[] = [];
    let received = 0;
    if (!response.body) throw new Error(`could not fetch ${url}: the response has no body`);
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        arm();
        chunks.push(value);
        received += value.length;
        progress.update(received);
      }
    } catch (err) {
      throw new Error(`download of ${url} was interrupted after ${received} bytes: ${describe(err)}; nothing was written, load again to retry`);
    }
    if (expected > 0 && received !== expected) {
      throw new Error(`download of ${url} was cut short: expected ${expected} bytes, received ${received}; nothing was written, load again to retry`);
    }
    progress.finish("done");
    const bytes = concat(chunks, received);
    options.verify?.(bytes, url);
    writeAtomically(dest, bytes);
    return bytes;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Writes to `<dest>.<pid>.tmp` then renames, so a crash never leaves a partial `dest`. */
export function writeAtomically(dest: string, bytes: Uint8Array): void {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, dest);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.message ? `${err.message} (${cause.code ?? cause.message})` : err.message;
  }
  return String(err);
}
