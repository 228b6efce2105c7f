import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { Affine } from "../../lib/bijectors/affine";
import { Chain } from "../../lib/bijectors/chain";
import { Planar } from "../../lib/bijectors/planar";
import { SoftmaxPlusPlus } from "../../lib/bijectors/softmaxPlusPlus";
import { StickBreaking } from "../../lib/bijectors/stickBreaking";
import { autodiffJacobian, logAbsDet, normalStream } from "../helpers/autodiff";

before(async () => {
  await initBackend();
});

function tensorFrom(next: () => number, shape: number[], scale = 1): tf.Tensor {
  return tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * next()), shape);
}

describe("Chain", () => {
  test("outermost-first order, log-det = sum of the parts, and = log|det| of the autodiff Jacobian of the whole", () => {
    const next = normalStream(31);
    const affine = new Affine({ loc: tensorFrom(next, [3]), scale: tf.tensor([0.5, 1.5, 1]) });
    const planar = new Planar({ w: tensorFrom(next, [3]), u: tensorFrom(next, [3]), b: tf.scalar(0.1) });
    const spp = new SoftmaxPlusPlus({ temperature: 0.7, delta: 2 });
    const chain = new Chain([spp, planar, affine]);
    const x = tensorFrom(next, [4, 3]);
    const { value, logDet } = chain.forwardAndLogDet(x);
    assert.deepEqual(value.shape, [4, 4]);
    // order: softmax++(planar(affine(x))) computed by hand
    const byHand = spp.forward(planar.forward(affine.forward(x)));
    const sum = tf.addN([affine.forwardLogDetJacobian(x), planar.forwardLogDetJacobian(affine.forward(x)), spp.forwardLogDetJacobian(planar.forward(affine.forward(x)))]);
    const [v, h, l, s] = [value, byHand, logDet, sum].map((t) => t.dataSync());
    v.forEach((a, i) => assert.equal(a, h[i])); // the same float32 operations in the same order
    l.forEach((a, i) => assert.ok(Math.abs(a - s[i]) < 1e-6 * Math.abs(s[i]))); // same terms, maybe summed in another order
    autodiffJacobian((t) => chain.forward(t), x, 3).forEach((j, i) => {
      assert.ok(Math.abs(l[i] - logAbsDet(j)) < 1e-4, `${l[i]} vs ${logAbsDet(j)}`); // float32 Jacobian of a 3-map composition
    });
    const back = chain.inverseAndLogDet(value);
    x.dataSync().forEach((a, i) => assert.ok(Math.abs(a - back.value.dataSync()[i]) < 1e-4)); // three inverses, each ~1e-6
    back.logDet.dataSync().forEach((a, i) => assert.ok(Math.abs(a + l[i]) < 1e-4 * Math.abs(l[i])));
  });

  test("construction checks neighbours' event shapes", () => {
    const affine = new Affine({ loc: tf.zeros([5]), scale: tf.ones([5]) });
    const planar4 = new Planar({ w: tf.ones([4]), u: tf.ones([4]), b: tf.scalar(0) });
    assert.throws(() => new Chain([planar4, affine]), /Planar \(position 0\) takes events of shape \[4\] but the bijector inside it returns \[5\]/);
    // softmax++ turns 5 into 6 coordinates: an affine map of size 5 cannot follow it
    assert.throws(() => new Chain([affine, new SoftmaxPlusPlus({ temperature: 1 }), affine]), /Affine.*\[5\].*\[6\]/);
    assert.throws(() => new Chain([]), /non-empty/);
    const ok = new Chain([new SoftmaxPlusPlus({ temperature: 1 }), new StickBreaking(), affine]);
    assert.deepEqual(ok.forwardEventShape([5]), [6]);
    assert.throws(() => ok.forward(tf.zeros([2, 4])), /event shape must be \[5\]/);
  });
});
