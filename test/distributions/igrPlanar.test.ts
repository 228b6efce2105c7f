import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { IGRPlanar } from "../../lib/distributions/igrPlanar";
import { finiteDifferenceJacobian, logAbsDet } from "../helpers/autodiff";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function planar(z: number[], w: number[], u: number[], b: number): number[] {
  const dot = (a: number[], c: number[]) => a.reduce((s, v, i) => s + v * c[i], 0);
  const wu = dot(w, u);
  const m = -1 + Math.log1p(Math.exp(wu));
  const uHat = u.map((v, i) => v + ((m - wu) * w[i]) / dot(w, w));
  const h = Math.tanh(dot(w, z) + b);
  return z.map((v, i) => v + uHat[i] * h);
}

before(async () => {
  await initBackend();
});

describe("IGRPlanar", () => {
  const loc = [0.2, -0.3];
  const scale = [0.9, 0.6];
  const flows = [
    { w: [0.7, -0.4], u: [0.5, 1.2], b: 0.1 },
    { w: [-0.3, 0.9], u: [-1.5, 0.4], b: -0.2 },
  ];
  const tau = 0.6;
  const make = () =>
    new IGRPlanar({
      loc: tf.tensor(loc),
      scale: tf.tensor(scale),
      temperature: tau,
      flows: flows.map((f) => ({ w: tf.tensor(f.w), u: tf.tensor(f.u), b: tf.scalar(f.b) })),
    });
  /** ε ↦ ψ_1..ψ_{K−1} in Float64: affine, the two layers in order, softmax++. */
  const referenceMap = (eps: number[]) => {
    let z = eps.map((e, k) => loc[k] + scale[k] * e);
    for (const f of flows) z = planar(z, f.w, f.u, f.b);
    const e = z.map((v) => Math.exp(v / tau));
    const s = e.reduce((a, c) => a + c, 0) + 1;
    return e.map((v) => v / s);
  };

  test("logProb of a sample = N(ε) / |det| of a Float64 numeric Jacobian, ε solved in Float64", () => {
    const d = make();
    const x = d.sample(10, { seed: 6 });
    const logProb = d.logProb(x).dataSync();
    const psi = x.dataSync();
    for (let i = 0; i < 10; i++) {
      const target = [psi[3 * i], psi[3 * i + 1]];
      // Newton in Float64 on ε ↦ ψ_{1,2}, started at 0, with the numeric Jacobian
      let eps = [0, 0];
      for (let it = 0; it < 50; it++) {
        const f = referenceMap(eps).map((v, k) => v - target[k]);
        const j = finiteDifferenceJacobian(referenceMap, eps, 2, 1e-7);
        const det = j[0][0] * j[1][1] - j[0][1] * j[1][0];
        eps = [eps[0] - (j[1][1] * f[0] - j[0][1] * f[1]) / det, eps[1] - (-j[1][0] * f[0] + j[0][0] * f[1]) / det];
      }
      const expected = eps.reduce((a, e) => a - 0.5 * e * e - LOG_SQRT_2PI, 0) - logAbsDet(finiteDifferenceJacobian(referenceMap, eps, 2, 1e-6));
      // float32 ψ and two float32 planar inverses: 1e-4 relative
      assert.ok(Math.abs(logProb[i] - expected) < 1e-4 * Math.max(1, Math.abs(expected)), `${logProb[i]} vs ${expected}`);
    }
  });

  test("shapes, finite reparameterized gradients for loc, scale and the flow parameters", () => {
    const w = tf.tensor([[0.7, -0.4], [0.1, 0.2], [1, 1]]);
    const u = tf.tensor([[0.5, 1.2], [0.3, -0.3], [2, -1]]);
    const b = tf.tensor([0.1, 0, -0.5]);
    const m = tf.zeros([3, 2]);
    const s = tf.ones([3, 2]);
    const grads = tf.grads((wv: tf.Tensor, uv: tf.Tensor, bv: tf.Tensor, mv: tf.Tensor, sv: tf.Tensor) => {
      const d = new IGRPlanar({ loc: mv, scale: sv, temperature: 0.5, flows: [{ w: wv, u: uv, b: bv }], validateArgs: false });
      const x = d.sample(8, { seed: 2 });
      assert.deepEqual(x.shape, [8, 3, 3]);
      return tf.add(tf.sum(tf.mul(x, tf.tensor([1, 2, 3]))), tf.sum(d.logProb(x)));
    })([w, u, b, m, s]);
    for (const g of grads) assert.ok(g.dataSync().every(Number.isFinite) && g.dataSync().some((v) => v !== 0));
  });

  test("flow shapes that do not fit throw at construction", () => {
    assert.throws(
      () => new IGRPlanar({ loc: tf.zeros([3]), scale: tf.ones([3]), temperature: 1, flows: [{ w: tf.ones([2]), u: tf.ones([2]), b: tf.scalar(0) }] }),
      /Planar.*\[2\].*\[3\]/,
    );
  });
});
