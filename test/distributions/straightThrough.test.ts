import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { straightThrough } from "../../lib/distributions/straightThrough";

before(async () => {
  await initBackend();
});

describe("straightThrough", () => {
  test("forward value is exactly one-hot at the argmax; the gradient is the identity", () => {
    const soft = tf.tensor([[0.2, 0.5, 0.3], [0.7, 0.1, 0.2]]);
    assert.deepEqual(straightThrough(soft).arraySync(), [[0, 1, 0], [1, 0, 0]]);
    const w = tf.tensor([[1, 2, 3], [4, 5, 6]]);
    const g = tf.grad((s: tf.Tensor) => tf.sum(tf.mul(straightThrough(s), w)))(soft);
    assert.deepEqual(g.arraySync(), w.arraySync());
  });
});
