// A tiny WebAssembly binary writer: enough to emit one module that imports a memory and exports
// functions, with f32 and 128-bit SIMD (f32x4) arithmetic. No toolchain (wabt, emscripten) is
// needed at build or run time: the bytes are produced here at start-up, in microseconds.
//
// Why: the Adam update is a streaming loop over ~1.2 M floats; as tfjs ops it is ~16 kernels per
// variable (7-9 ms per step), as one f32x4 loop on the wasm backend's own heap about 1.4 ms
// (docs/performance.md §3.6). Only the handful of opcodes that loop needs are listed; the encodings
// are those of the WebAssembly core spec 2.0 (binary format, §5) and its fixed-width SIMD
// extension. test/core/wasmAssembler.test.ts checks the encoders and runs small modules.

/** Value types (spec §5.3.1). */
export const ValueType = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;
export type ValueTypeCode = (typeof ValueType)[keyof typeof ValueType];

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`uleb: value must be an integer in [0, 2^32); got ${value}`);
  const out: number[] = [];
  let v = value;
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
export function sleb(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new Error(`sleb: value must be a 32-bit signed integer; got ${value}`);
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)]; // not Buffer: this file also runs in browsers
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

/** Instruction encoders (spec §5.4). Each returns the bytes of one instruction. */
export const op = {
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  i32Const: (v: number) => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32And: [0x71],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  /** block / loop with no result; `end` closes them. */
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  /** f32.load / f32.store with alignment 2^2 and offset 0. */
  f32Load: [0x2a, 2, 0],
  f32Store: [0x38, 2, 0],
  f32Sqrt: [0x91],
  f32Add: [0x92],
  f32Sub: [0x93],
  f32Mul: [0x94],
  f32Div: [0x95],
  /** SIMD (prefix 0xfd, then the LEB128 opcode). The alignment is a hint: unaligned access is legal. */
  v128Load: [0xfd, ...uleb(0x00), 4, 0],
  v128Store: [0xfd, ...uleb(0x0b), 4, 0],
  f32x4Splat: [0xfd, ...uleb(0x13)],
  f32x4Sqrt: [0xfd, ...uleb(0xe3)],
  f32x4Add: [0xfd, ...uleb(0xe4)],
  f32x4Sub: [0xfd, ...uleb(0xe5)],
  f32x4Mul: [0xfd, ...uleb(0xe6)],
  f32x4Div: [0xfd, ...uleb(0xe7)],
};

export interface WasmFunction {
  /** Export name. */
  name: string;
  params: ValueTypeCode[];
  results: ValueTypeCode[];
  /** Extra locals after the parameters, in order. */
  locals: ValueTypeCode[];
  /** The instructions, without the final `end`. */
  body: number[][];
}

export interface MemoryImport {
  module: string;
  field: string;
  /** Minimum size in 64 KiB pages (the imported memory must be at least this big). */
  minPages: number;
  /**
   * Import a shared memory (the threaded wasm backend's heap is one). A module links only to a memory
   * whose sharedness matches its import, and a shared import must state a maximum: the imported
   * memory's maximum may not exceed it (65536 pages, 4 GiB, accepts any).
   */
  shared?: { maxPages: number };
}

/** The memory's limits (spec §5.3.4; flag 3 = shared with a maximum, from the threads extension). */
function memoryLimits(memory: MemoryImport): number[] {
  if (!memory.shared) return [0x00, ...uleb(memory.minPages)];
  if (memory.shared.maxPages < memory.minPages) throw new Error(`assembleModule: shared memory maxPages (${memory.shared.maxPages}) is below minPages (${memory.minPages})`);
  return [0x03, ...uleb(memory.minPages), ...uleb(memory.shared.maxPages)];
}

/**
 * A module that imports one memory and exports `functions` (each with its own type).
 * Locals are grouped as the spec's (count, type) runs.
 */
export function assembleModule(memory: MemoryImport, functions: WasmFunction[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), ...vector(f.results.map((t) => [t]))]);
  const imports = [[...name(memory.module), ...name(memory.field), 0x02, ...memoryLimits(memory)]];
  const funcs = functions.map((_, i) => uleb(i));
  const exports = functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  const codes = functions.map((f) => {
    const runs: number[][] = [];
    for (let i = 0; i < f.locals.length; ) {
      let j = i;
      while (j < f.locals.length && f.locals[j] === f.locals[i]) j++;
      runs.push([...uleb(j - i), f.locals[i]]);
      i = j;
    }
    const code = [...vector(runs), ...f.body.flat(), ...op.end];
    return [...uleb(code.length), ...code];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector(imports)),
    ...section(3, vector(funcs)),
    ...section(7, vector(exports)),
    ...section(10, vector(codes)),
  ]);
}

/** A WebAssembly.Memory, as far as this project uses it. */
export interface WasmMemory {
  /** A SharedArrayBuffer for a shared memory. */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/**
 * The parts of the JS WebAssembly API used here, typed locally: the project compiles without the
 * DOM lib, which is where TypeScript declares them.
 */
export interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  instantiate(bytes: Uint8Array, imports: Record<string, Record<string, unknown>>): Promise<{ module: object; instance: object }>;
  validate(bytes: Uint8Array): boolean;
}

export const wasmApi: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
