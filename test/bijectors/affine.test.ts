import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { Affine } from "../../lib/bijectors/affine";
import { autodiffJacobian, logAbsDet } from "../helpers/autodiff";

before(async () => {
  await initBackend();
});

describe("Affine", () => {
  test("value, log-det against autodiff, inverse, and log-det broadcast over sample axes", () => {
    const loc = tf.tensor([[0.5, -1, 2], [0, 0, 1]]);
    const scale = tf.tensor([[0.1, 2, 3], [1, 0.5, 4]]);
    const bij = new Affine({ loc, scale });
    const x = tf.tensor([[[1, 2, 3], [4, 5, 6]], [[-1, 0, 1], [0.5, 0.5, 0.5]]]); // [2 samples, 2 batch, 3]
    const { value, logDet } = bij.forwardAndLogDet(x);
    assert.deepEqual(logDet.shape, [2, 2]);
    const v = value.arraySync() as number[][][];
    assert.ok(Math.abs(v[0][0][1] - (-1 + 2 * 2)) < 1e-6 && Math.abs(v[1][1][2] - (1 + 4 * 0.5)) < 1e-6); // exact small numbers
    const ld = logDet.dataSync();
    const j = autodiffJacobian((t) => bij.forward(t), x, 3);
    j.forEach((m, i) => assert.ok(Math.abs(ld[i] - logAbsDet(m)) < 1e-6)); // sums of 3 float32 logs
    const back = bij.inverse(value).dataSync();
    x.dataSync().forEach((a, i) => assert.ok(Math.abs(a - back[i]) < 1e-5)); // (loc + σx − loc)/σ with σ ≥ 0.1
    tf.dispose([loc, scale, x, value, logDet]);
  });

  test("bad parameters", () => {
    assert.throws(() => new Affine({ loc: tf.zeros([3]), scale: tf.ones([4]) }), /shape mismatch: loc \[3\] and scale \[4\]/);
    assert.throws(() => new Affine({ loc: tf.zeros([2]), scale: tf.tensor([1, 0]) }), /scale must be nonzero.*got 0/);
    assert.throws(() => new Affine({ loc: tf.tensor([NaN, 0]), scale: tf.ones([2]) }), /loc\[0\] must be finite; got NaN/);
  });
});
