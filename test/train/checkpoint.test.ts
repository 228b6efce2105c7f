// Checkpoint files: exact round trip, and every kind of damage refused with a clear error.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { CheckpointError, readCheckpoint, restoreVariables, writeCheckpoint } from "../../lib/train/checkpoint";

before(async () => {
  process.env.IGR_QUIET ??= "1";
  await initBackend();
});

function setup(): { file: string; a: tf.Tensor; b: tf.Tensor } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-ckpt-"));
  const a = tf.tensor2d([[1.5, -2.25], [Math.PI, 1e-30]]);
  const b = tf.tensor1d([0.1, 0.2, 0.3]);
  const file = path.join(dir, "c.igrckpt");
  writeCheckpoint(file, "abc123", { step: 7, note: "x" }, [{ name: "a", tensor: a }, { name: "b", tensor: b }]);
  return { file, a, b };
}

test("round trip is bit-exact and restores variables by name", () => {
  const { file, a, b } = setup();
  const loaded = readCheckpoint<{ step: number }>(file, "abc123");
  assert.equal(loaded.header.state.step, 7);
  assert.deepEqual(Array.from(loaded.values.get("a")!.data), Array.from(a.dataSync()));
  const va = tf.variable(tf.zeros([2, 2]));
  const vb = tf.variable(tf.zeros([3]));
  restoreVariables(file, loaded.values, [{ name: "a", variable: va }, { name: "b", variable: vb }]);
  assert.deepEqual(Array.from(va.dataSync()), Array.from(a.dataSync()));
  assert.deepEqual(Array.from(vb.dataSync()), Array.from(b.dataSync()));
  assert.equal(fs.readdirSync(path.dirname(file)).length, 1, "no temporary file left behind");
  tf.dispose([a, b, va, vb]);
});

test("corrupt, truncated, foreign and mismatched checkpoints are refused", () => {
  const { file, a, b } = setup();
  const bytes = fs.readFileSync(file);
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 3] ^= 0x40;
  fs.writeFileSync(file + ".flip", flipped);
  assert.throws(() => readCheckpoint(file + ".flip"), (e: Error) => e instanceof CheckpointError && /checksum .* does not match/.test(e.message));
  fs.writeFileSync(file + ".cut", bytes.subarray(0, bytes.length - 4));
  assert.throws(() => readCheckpoint(file + ".cut"), /payload is \d+ bytes, the header says/);
  fs.writeFileSync(file + ".junk", Buffer.from("hello world, not a checkpoint"));
  assert.throws(() => readCheckpoint(file + ".junk"), /not an igr-ts checkpoint/);
  assert.throws(() => readCheckpoint(file, "other-hash"), /different configuration \(config hash abc123, this run has other-hash\)/);
  assert.throws(() => readCheckpoint(file + ".missing"), /does not exist/);
  const loaded = readCheckpoint(file);
  const wrong = tf.variable(tf.zeros([4]));
  assert.throws(() => restoreVariables(file, loaded.values, [{ name: "b", variable: wrong }]), /shape \[3\], the model needs \[4\]/);
  assert.throws(() => restoreVariables(file, loaded.values, [{ name: "c", variable: wrong }]), /no tensor "c"/);
  tf.dispose([a, b, wrong]);
});
