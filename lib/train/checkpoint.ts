// Checkpoint files: everything a run needs to continue exactly where it stopped.
//
// Format (version 1), one file, little-endian:
//   bytes 0..7    magic "IGRCKPT\n"
//   bytes 8..11   uint32 H, the length of the header
//   next H bytes  UTF-8 JSON header:
//                   { format: "igr-ts checkpoint", version: 1, configHash, createdAt,
//                     state: { step, epoch, batchInEpoch, completedEpochs, seed, adamStep, ... },
//                     tensors: [{ name, shape, offset, size }],   offset/size in float32 elements
//                     payloadBytes, payloadChecksum }               FNV-1a 32-bit of the payload, hex
//   payload       the tensors' float32 values, concatenated
// Tensors: every model variable by name, and "adam/m/<name>", "adam/v/<name>".
// Written to a temporary file in the same folder with every byte count checked, fsync'ed, read back
// and verified (header, length, checksum), and only then renamed over the target: a crash or a full
// disk leaves the previous checkpoint, never half of a new one, and no temporary file.
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";

export const CHECKPOINT_VERSION = 1;
const MAGIC = Buffer.from("IGRCKPT\n", "latin1");

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckpointError";
  }
}

export interface CheckpointTensor {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

export interface CheckpointHeader<S> {
  format: "igr-ts checkpoint";
  version: number;
  configHash: string;
  createdAt: string;
  state: S;
  tensors: CheckpointTensor[];
  payloadBytes: number;
  payloadChecksum: string;
}

/** FNV-1a over bytes, as 8 hex digits. Detects truncation and bit flips (not an authenticity check). */
export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** The file operations a checkpoint write uses; tests inject short writes and ENOSPC through it. */
export interface CheckpointFs {
  openSync(file: string, flags: string): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
}

export const nodeCheckpointFs: CheckpointFs = {
  openSync: (file, flags) => fs.openSync(file, flags),
  writeSync: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (from, to) => fs.renameSync(from, to),
};

/** A checkpoint that could not be written; the previous checkpoint (if any) is intact. */
export class CheckpointWriteError extends CheckpointError {
  constructor(readonly file: string, readonly bytesNeeded: number, readonly bytesFree: number | null, readonly code: string | undefined, cause: string) {
    super(
      `cannot write checkpoint ${file}: ${cause}; it needs ${bytesNeeded} bytes, ${bytesFree === null ? "an unknown number of" : bytesFree} bytes are free on that file system. ` +
        `The previous checkpoint and the run's records are unchanged; free space (or use another --runs-dir) and resume.`,
    );
    this.name = "CheckpointWriteError";
  }
}

function bytesFree(dir: string): number | null {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/**
 * Writes a checkpoint so that it cannot be half-written (see the file header). Tensor values are
 * read synchronously. Throws CheckpointWriteError (file, bytes needed, bytes free) when the file
 * system refuses or shortens a write.
 */
export function writeCheckpoint<S>(file: string, configHash: string, state: S, tensors: Array<{ name: string; tensor: tf.Tensor }>, io: CheckpointFs = nodeCheckpointFs): void {
  const entries: CheckpointTensor[] = [];
  let offset = 0;
  for (const { name, tensor } of tensors) {
    if (tensor.dtype !== "float32") throw new CheckpointError(`checkpoint: tensor ${name} must be float32; got ${tensor.dtype}`);
    entries.push({ name, shape: tensor.shape.slice(), offset, size: tensor.size });
    offset += tensor.size;
  }
  const payload = new Float32Array(offset);
  tensors.forEach(({ tensor }, i) => payload.set(tensor.dataSync() as Float32Array, entries[i].offset));
  const payloadBytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
  const header: CheckpointHeader<S> = {
    format: "igr-ts checkpoint",
    version: CHECKPOINT_VERSION,
    configHash,
    createdAt: new Date().toISOString(),
    state,
    tensors: entries,
    payloadBytes: payloadBytes.length,
    payloadChecksum: fnv1a(payloadBytes),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length, 0);
  const parts = [MAGIC, length, headerBytes, payloadBytes];
  const total = parts.reduce((n, p) => n + p.length, 0);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  const fail = (cause: string, code?: string): never => {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      /* the failure below names the file */
    }
    throw new CheckpointWriteError(file, total, bytesFree(path.dirname(file)), code, cause);
  };
  let fd: number | null = null;
  try {
    fd = io.openSync(temp, "w");
    let written = 0;
    for (const part of parts) {
      let done = 0;
      while (done < part.length) {
        const n = io.writeSync(fd, part, done, part.length - done);
        // write(2) returning 0 for a non-empty buffer means the device takes no more.
        if (!(n > 0)) fail(`short write (${written + done} of ${total} bytes written)`, "ENOSPC");
        done += n;
      }
      written += done;
    }
    io.fsyncSync(fd);
    const closing = fd;
    fd = null;
    io.closeSync(closing);
  } catch (err) {
    if (err instanceof CheckpointWriteError) throw err;
    if (fd !== null) {
      try {
        io.closeSync(fd);
      } catch {
        /* reported below */
      }
    }
    const e = err as NodeJS.ErrnoException;
    fail(`${e.code ?? "error"} (${e.message})`, e.code);
  }
  // Read back before replacing the previous checkpoint: length, header and checksum.
  try {
    const size = fs.statSync(temp).size;
    if (size !== total) fail(`the written file has ${size} bytes, ${total} were written`, "EIO");
    readCheckpoint(temp, configHash);
  } catch (err) {
    if (err instanceof CheckpointWriteError) throw err;
    fail(`the written file does not read back (${(err as Error).message})`, "EIO");
  }
  try {
    io.renameSync(temp, file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    fail(`${e.code ?? "error"} on rename (${e.message})`, e.code);
  }
}

export interface LoadedCheckpoint<S> {
  header: CheckpointHeader<S>;
  /** Values by tensor name. */
  values: Map<string, { shape: number[]; data: Float32Array }>;
}

/**
 * Reads and checks a checkpoint: magic, version, header, size, checksum and (when given) the config
 * hash. Every failure is a CheckpointError that names the file and what is wrong.
 */
export function readCheckpoint<S>(file: string, expectedConfigHash?: string): LoadedCheckpoint<S> {
  if (!fs.existsSync(file)) throw new CheckpointError(`checkpoint ${file} does not exist`);
  const bytes = fs.readFileSync(file);
  const refuse = (why: string) => new CheckpointError(`checkpoint ${file} refused: ${why}`);
  if (bytes.length < 12 || !bytes.subarray(0, 8).equals(MAGIC)) throw refuse("not an igr-ts checkpoint (bad magic bytes)");
  const headerLength = bytes.readUInt32LE(8);
  if (12 + headerLength > bytes.length) throw refuse(`truncated header (needs ${headerLength} bytes, file has ${bytes.length - 12})`);
  let header: CheckpointHeader<S>;
  try {
    header = JSON.parse(bytes.subarray(12, 12 + headerLength).toString("utf8"));
  } catch (err) {
    throw refuse(`corrupt header (${(err as Error).message})`);
  }
  if (header.format !== "igr-ts checkpoint") throw refuse(`unknown format ${JSON.stringify(header.format)}`);
  if (header.version !== CHECKPOINT_VERSION) throw refuse(`version ${header.version}, this igr-ts reads version ${CHECKPOINT_VERSION}`);
  if (expectedConfigHash !== undefined && header.configHash !== expectedConfigHash) {
    throw refuse(`it belongs to a different configuration (config hash ${header.configHash}, this run has ${expectedConfigHash}); resume with the run's own config.json, or start a new run`);
  }
  const payloadStart = 12 + headerLength;
  const payloadLength = bytes.length - payloadStart;
  if (payloadLength !== header.payloadBytes) throw refuse(`payload is ${payloadLength} bytes, the header says ${header.payloadBytes} (truncated or padded file)`);
  // Copy into an aligned buffer (the Buffer's offset need not be a multiple of 4).
  const payload = new Uint8Array(payloadLength);
  payload.set(bytes.subarray(payloadStart));
  const checksum = fnv1a(payload);
  if (checksum !== header.payloadChecksum) throw refuse(`payload checksum ${checksum} does not match the header's ${header.payloadChecksum} (corrupt file)`);
  const floats = new Float32Array(payload.buffer);
  const values = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of header.tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.size || t.offset < 0 || t.offset + t.size > floats.length) throw refuse(`tensor ${t.name} has an inconsistent shape/offset`);
    values.set(t.name, { shape: t.shape, data: floats.subarray(t.offset, t.offset + t.size) });
  }
  return { header, values };
}

/** Assigns checkpoint values to variables by name; refuses missing names and shape mismatches. */
export function restoreVariables(file: string, values: LoadedCheckpoint<unknown>["values"], named: Array<{ name: string; variable: tf.Variable }>): void {
  for (const { name, variable } of named) {
    const entry = values.get(name);
    if (!entry) throw new CheckpointError(`checkpoint ${file} refused: it has no tensor "${name}" (a different model?)`);
    if (entry.shape.length !== variable.shape.length || entry.shape.some((d, i) => d !== variable.shape[i])) {
      throw new CheckpointError(`checkpoint ${file} refused: tensor "${name}" has shape [${entry.shape}], the model needs [${variable.shape}]`);
    }
    tf.tidy(() => variable.assign(tf.tensor(entry.data, entry.shape, "float32")));
  }
}
