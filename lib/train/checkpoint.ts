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
// Written to a temporary file in the same folder, fsync'ed, then renamed over the target, so a
// crash leaves either the old checkpoint or the new one, never half of one.
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

/** Writes a checkpoint atomically (temp file, fsync, rename). Tensor values are read synchronously. */
export function writeCheckpoint<S>(file: string, configHash: string, state: S, tensors: Array<{ name: string; tensor: tf.Tensor }>): void {
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
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(temp, "w");
  try {
    for (const part of [MAGIC, length, headerBytes, Buffer.from(payloadBytes.buffer, payloadBytes.byteOffset, payloadBytes.byteLength)]) {
      fs.writeSync(fd, part);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
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
