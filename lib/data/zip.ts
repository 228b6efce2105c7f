// A small ZIP reader (PKWARE APPNOTE 6.3): the central directory gives names, sizes and CRC-32s;
// entries are stored (method 0) or deflated (method 8, raw deflate -> zlib.inflateRawSync).
// Sizes are taken from the central directory because Omniglot's archives set the "data descriptor"
// flag, so their local headers carry zero sizes.
import * as zlib from "zlib";
import { DataFileError } from "./errors";

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export class ZipArchive {
  readonly entries: ZipEntry[];
  private readonly view: DataView;

  /** `file` names the archive in errors; `fix` says what to do about a bad one. */
  constructor(readonly bytes: Uint8Array, readonly file: string, private readonly fix: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.entries = this.readCentralDirectory();
  }

  private fail(problem: string, expected: string, found: string): never {
    throw new DataFileError(this.file, problem, expected, found, this.fix);
  }

  private readCentralDirectory(): ZipEntry[] {
    const v = this.view;
    const n = this.bytes.length;
    let eocd = -1;
    for (let i = n - 22; i >= Math.max(0, n - 22 - 65535); i--) {
      if (v.getUint32(i, true) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) this.fail("is not a complete ZIP archive (truncated or not a zip)", "an end-of-central-directory record", `none in ${n} bytes`);
    const count = v.getUint16(eocd + 10, true);
    const cdSize = v.getUint32(eocd + 12, true);
    const cdOffset = v.getUint32(eocd + 16, true);
    if (cdOffset + cdSize > eocd) this.fail("has a central directory outside the file (truncated?)", `directory ending before byte ${eocd}`, `offset ${cdOffset} + size ${cdSize}`);
    const entries: ZipEntry[] = [];
    let at = cdOffset;
    const decoder = new TextDecoder();
    for (let k = 0; k < count; k++) {
      if (at + 46 > eocd || v.getUint32(at, true) !== CENTRAL) this.fail("has a corrupt central directory", `entry ${k} signature 0x02014b50`, `bytes at offset ${at}`);
      const nameLength = v.getUint16(at + 28, true);
      const extraLength = v.getUint16(at + 30, true);
      const commentLength = v.getUint16(at + 32, true);
      const entry: ZipEntry = {
        method: v.getUint16(at + 10, true),
        crc32: v.getUint32(at + 16, true),
        compressedSize: v.getUint32(at + 20, true),
        size: v.getUint32(at + 24, true),
        localHeaderOffset: v.getUint32(at + 42, true),
        name: decoder.decode(this.bytes.subarray(at + 46, at + 46 + nameLength)),
      };
      if (entry.compressedSize === 0xffffffff || entry.localHeaderOffset === 0xffffffff) {
        this.fail("uses ZIP64, which this reader does not support", "a plain ZIP archive", `ZIP64 entry ${entry.name}`);
      }
      entries.push(entry);
      at += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  }

  /** The entry's bytes, inflated and checked against its CRC-32 and size. */
  read(entry: ZipEntry): Uint8Array {
    const v = this.view;
    const at = entry.localHeaderOffset;
    if (at + 30 > this.bytes.length || v.getUint32(at, true) !== LOCAL) {
      this.fail(`has a corrupt local header for ${entry.name}`, "signature 0x04034b50", `bytes at offset ${at}`);
    }
    const start = at + 30 + v.getUint16(at + 26, true) + v.getUint16(at + 28, true);
    if (start + entry.compressedSize > this.bytes.length) {
      this.fail(`is truncated inside ${entry.name}`, `${start + entry.compressedSize} bytes`, `${this.bytes.length} bytes`);
    }
    const packed = this.bytes.subarray(start, start + entry.compressedSize);
    let out: Uint8Array;
    if (entry.method === 0) out = packed;
    else if (entry.method === 8) {
      try {
        out = zlib.inflateRawSync(packed);
      } catch (err) {
        this.fail(`has corrupt compressed data in ${entry.name}`, "a valid deflate stream", (err as Error).message);
      }
    } else this.fail(`uses an unsupported compression method in ${entry.name}`, "0 (stored) or 8 (deflate)", String(entry.method));
    if (out.length !== entry.size) this.fail(`has a wrong size for ${entry.name}`, `${entry.size} bytes`, `${out.length} bytes`);
    const crc = zlib.crc32(out) >>> 0;
    if (crc !== entry.crc32) {
      this.fail(`has corrupt data in ${entry.name} (CRC-32 mismatch)`, `CRC-32 0x${entry.crc32.toString(16).padStart(8, "0")}`, `0x${crc.toString(16).padStart(8, "0")}`);
    }
    return out;
  }
}
