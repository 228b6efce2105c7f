// The tiny wasm writer: LEB128 against the worked examples of the DWARF 5 standard (§7.6, figures
// 22 and 23), and small modules it assembles must validate and compute what plain JS computes.
// Needs no tfjs backend: it runs on the JS engine's own wasmApi.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { assembleModule, op, sleb, uleb, ValueType, wasmApi, WasmMemory } from "../../lib/core/wasmAssembler";

describe("LEB128", () => {
  test("unsigned: DWARF examples", () => {
    assert.deepEqual(uleb(2), [2]);
    assert.deepEqual(uleb(127), [127]);
    assert.deepEqual(uleb(128), [0x80, 1]);
    assert.deepEqual(uleb(129), [0x81, 1]);
    assert.deepEqual(uleb(130), [0x82, 1]);
    assert.deepEqual(uleb(12857), [0xb9, 100]);
    assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
    assert.throws(() => uleb(-1), /uleb: value must be an integer in \[0, 2\^32\); got -1/);
  });
  test("signed: DWARF examples", () => {
    assert.deepEqual(sleb(2), [2]);
    assert.deepEqual(sleb(-2), [0x7e]);
    assert.deepEqual(sleb(127), [0xff, 0]);
    assert.deepEqual(sleb(-127), [0x81, 0x7f]);
    assert.deepEqual(sleb(128), [0x80, 1]);
    assert.deepEqual(sleb(-128), [0x80, 0x7f]);
    assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
  });
});

describe("modules", () => {
  const { i32, f32, v128 } = ValueType;

  function instantiate(bytes: Uint8Array, memory: WasmMemory): Record<string, unknown> {
    assert.ok(wasmApi.validate(bytes), "module does not validate");
    return new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports;
  }

  test("scalar f32 loop: out[i] = sqrt(a[i]) / b[i] - a[i] * s + b[i], with i32 control flow", () => {
    // params: a, b, out (byte offsets), n, s; local 5 = i (bytes), local 6 = end (bytes)
    const at = (p: number) => [op.localGet(p), op.localGet(5), op.i32Add];
    const bytes = assembleModule({ module: "env", field: "memory", minPages: 1 }, [
      {
        name: "run",
        params: [i32, i32, i32, i32, f32],
        results: [],
        locals: [i32, i32],
        body: [
          op.localGet(3), op.i32Const(2), op.i32Shl, op.localSet(6),
          op.block, op.loop,
          op.localGet(5), op.localGet(6), op.i32GeU, op.brIf(1),
          ...at(2),
          ...at(0), op.f32Load, op.f32Sqrt, ...at(1), op.f32Load, op.f32Div,
          ...at(0), op.f32Load, op.localGet(4), op.f32Mul, op.f32Sub,
          ...at(1), op.f32Load, op.f32Add,
          op.f32Store,
          op.localGet(5), op.i32Const(4), op.i32Add, op.localSet(5),
          op.br(0), op.end, op.end,
        ],
      },
    ]);
    const memory = new wasmApi.Memory({ initial: 1 });
    const heap = new Float32Array(memory.buffer);
    const n = 37;
    for (let i = 0; i < n; i++) {
      heap[i] = 0.25 + i * 1.7;
      heap[100 + i] = -3 + i * 0.3;
    }
    (instantiate(bytes, memory).run as CallableFunction)(0, 400, 800, n, 0.5);
    const f = Math.fround;
    for (let i = 0; i < n; i++) {
      const a = heap[i];
      const b = heap[100 + i];
      // Each wasm f32 op is one correctly rounded float32 operation: emulate it with Math.fround.
      const expected = f(f(f(f(Math.sqrt(a)) / b) - f(a * f(0.5))) + b);
      assert.ok(Object.is(heap[200 + i], expected), `out[${i}] = ${heap[200 + i]}, expected ${expected}`);
    }
  });

  test("f32x4 ops: out = (a + b) * a - b / a, sqrt(|b|) lane by lane, locals of three types", () => {
    const load = (offset: number) => [op.i32Const(offset), op.v128Load];
    const bytes = assembleModule({ module: "env", field: "memory", minPages: 1 }, [
      {
        name: "run",
        params: [f32],
        results: [],
        locals: [i32, v128, v128],
        body: [
          ...load(0), op.localSet(2),
          ...load(16), op.localSet(3),
          op.i32Const(32),
          op.localGet(2), op.localGet(3), op.f32x4Add, op.localGet(2), op.f32x4Mul, op.localGet(3), op.localGet(2), op.f32x4Div, op.f32x4Sub,
          op.v128Store,
          op.i32Const(48), op.localGet(3), op.localGet(3), op.f32x4Mul, op.f32x4Sqrt, op.localGet(0), op.f32x4Splat, op.f32x4Mul, op.v128Store,
        ],
      },
    ]);
    const memory = new wasmApi.Memory({ initial: 1 });
    const heap = new Float32Array(memory.buffer);
    heap.set([1.5, -2, 3.25, 0.1], 0);
    heap.set([0.7, 4, -1, 9], 4);
    (instantiate(bytes, memory).run as CallableFunction)(2);
    const f = Math.fround;
    for (let k = 0; k < 4; k++) {
      const a = heap[k];
      const b = heap[4 + k];
      assert.ok(Object.is(heap[8 + k], f(f(f(a + b) * a) - f(b / a))), `lane ${k}`);
      assert.ok(Object.is(heap[12 + k], f(f(Math.sqrt(f(b * b))) * 2)), `sqrt lane ${k}`);
    }
  });

  test("a shared memory (the threaded backend's heap) links only to a module that imports it as shared", () => {
    // out[0] = a[0] + a[1], read and written through the imported memory
    const body = [op.i32Const(8), op.i32Const(0), op.f32Load, op.i32Const(4), op.f32Load, op.f32Add, op.f32Store];
    const fn = { name: "run", params: [], results: [], locals: [], body };
    const sharedBytes = assembleModule({ module: "env", field: "memory", minPages: 1, shared: { maxPages: 65536 } }, [fn]);
    const plainBytes = assembleModule({ module: "env", field: "memory", minPages: 1 }, [fn]);
    // The import's limits: flag 3 (shared, with maximum), min 1, max 65536 = uleb [0x80, 0x80, 0x04].
    const importEntry = [6, ...[..."memory"].map((c) => c.charCodeAt(0)), 0x02, 0x03, 0x01, 0x80, 0x80, 0x04];
    assert.ok(Buffer.from(sharedBytes).includes(Buffer.from(importEntry)), "shared import entry not found");
    const shared = new wasmApi.Memory({ initial: 1, maximum: 65536, shared: true });
    assert.ok(shared.buffer instanceof SharedArrayBuffer);
    const heap = new Float32Array(shared.buffer);
    heap.set([1.25, 2.5], 0);
    (instantiate(sharedBytes, shared).run as CallableFunction)();
    assert.equal(heap[2], 3.75);
    // Why the option exists: the unshared import refuses the threaded heap, and the shared one a plain heap.
    assert.throws(() => instantiate(plainBytes, shared), /shared|memory/i);
    assert.throws(() => instantiate(sharedBytes, new wasmApi.Memory({ initial: 1 })), /shared|memory/i);
    assert.throws(() => assembleModule({ module: "env", field: "memory", minPages: 2, shared: { maxPages: 1 } }, [fn]), /maxPages \(1\) is below minPages \(2\)/);
  });
});
