// Our Adam against tf.train.adam (the reference implementation): same trajectory on a small
// regression, and its state is exactly what it says (step, moments).
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { Adam } from "../../lib/train/adam";

before(async () => {
  process.env.IGR_QUIET ??= "1";
  await initBackend();
});

test("20 steps match tf.train.adam (β = (0.9, 0.999), ε = 1e-7)", () => {
  const x = tf.tensor2d([[0.5, -1, 2], [1.5, 0.3, -0.7], [-0.2, 0.8, 0.1], [1, 1, 1]]);
  const y = tf.tensor2d([[1], [-1], [0.5], [2]]);
  const init = tf.tensor2d([[0.1], [-0.3], [0.2]]);
  const loss = (w: tf.Variable) => () => tf.mean(tf.square(tf.sub(tf.matMul(x, w), y))) as tf.Scalar;
  const ours = tf.variable(init.clone());
  const theirs = tf.variable(init.clone());
  const adam = new Adam([ours], { learningRate: 0.05 });
  const reference = tf.train.adam(0.05, 0.9, 0.999, 1e-7);
  for (let i = 0; i < 20; i++) {
    const { grads, value } = tf.variableGrads(loss(ours), [ours]);
    adam.apply(grads);
    tf.dispose([value, ...Object.values(grads)]);
    tf.dispose(reference.minimize(loss(theirs), true, [theirs]) as tf.Scalar);
  }
  const a = ours.dataSync();
  const b = theirs.dataSync();
  // tf accumulates β^t as float32 products, we use float64 powers: ~1e-6 relative after 20 steps.
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5 * Math.max(1, Math.abs(b[i])), `w[${i}] ${v} vs tf.train.adam ${b[i]}`));
  // And the weights moved (the comparison is not between two untouched tensors).
  assert.ok(Math.abs(a[0] - 0.1) > 0.1);
  assert.equal(adam.step, 20);
  adam.dispose();
  reference.dispose();
  tf.dispose([x, y, init, ours, theirs]);
});

test("invalid hyper-parameters are refused by name", () => {
  const w = tf.variable(tf.zeros([2]));
  assert.throws(() => new Adam([w], { learningRate: 0 }), /learningRate must be a finite number > 0; got 0/);
  assert.throws(() => new Adam([w], { learningRate: 1e-3, beta1: 1 }), /beta1 must be in \[0, 1\)/);
  w.dispose();
});
