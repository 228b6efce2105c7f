import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { Planar, planarUHat64 } from "../../lib/bijectors/planar";
import { autodiffJacobian, finiteDifferenceJacobian, logAbsDet, normalStream, rowsOf, signDet } from "../helpers/autodiff";

/** The planar layer from its definition in Float64, with û built with ‖w‖² per variable. */
function referencePlanar(z: number[], w: number[], u: number[], b: number): number[] {
  const dot = (a: number[], c: number[]) => a.reduce((s, v, i) => s + v * c[i], 0);
  const wu = dot(w, u);
  const m = -1 + Math.log1p(Math.exp(wu));
  const uHat = u.map((v, i) => v + ((m - wu) * w[i]) / dot(w, w));
  const h = Math.tanh(dot(w, z) + b);
  return z.map((v, i) => v + uHat[i] * h);
}

function tensorFrom(next: () => number, shape: number[], scale = 1): tf.Tensor {
  const size = shape.reduce((a, c) => a * c, 1);
  return tf.tensor(Array.from({ length: size }, () => scale * next()), shape);
}

before(async () => {
  await initBackend();
});

describe("Planar", () => {
  test("forward matches the Float64 definition", () => {
    const next = normalStream(1);
    const w = tensorFrom(next, [4]);
    const u = tensorFrom(next, [4], 3);
    const b = tf.scalar(0.4);
    const z = tensorFrom(next, [10, 4], 2);
    const got = new Planar({ w, u, b }).forward(z).dataSync();
    const zs = rowsOf(z.dataSync(), 4);
    const ws = Array.from(w.dataSync());
    const us = Array.from(u.dataSync());
    zs.forEach((row, i) => {
      const ref = referencePlanar(row, ws, us, 0.4);
      // float32 dot products of 4 terms of size ~6 and a tanh: 1e-5 absolute on outputs of size ~10
      ref.forEach((v, k) => assert.ok(Math.abs(got[i * 4 + k] - v) < 1e-5 * Math.max(1, Math.abs(v)), `${got[i * 4 + k]} vs ${v}`));
    });
    tf.dispose([w, u, b, z]);
  });

  test("log-det equals log|det| of the autodiff Jacobian, over sizes and batch shapes", () => {
    const next = normalStream(2);
    for (const d of [1, 3, 6]) {
      for (const batch of [[], [3], [2, 3]]) {
        const w = tensorFrom(next, [...batch, d]);
        const u = tensorFrom(next, [...batch, d], 0.5);
        const b = tensorFrom(next, batch);
        const z = tensorFrom(next, [...batch, d]);
        const layer = new Planar({ w, u, b });
        const logDet = layer.forwardLogDetJacobian(z).dataSync();
        autodiffJacobian((v) => layer.forward(v), z, d).forEach((j, i) => {
          assert.equal(signDet(j), 1, "the Jacobian determinant must be positive");
          // float32 entries (rel. ~1e-7) of I + û h' wᵀ with |û|, |w| ~ 1: 2e-6 on log|det|
          assert.ok(Math.abs(logDet[i] - logAbsDet(j)) < 2e-6, `d=${d} batch=${batch}: ${logDet[i]} vs ${logAbsDet(j)}`);
        });
        tf.dispose([w, u, b, z]);
      }
    }
  });

  test("log-det equals a Float64 finite-difference log|det| where 1 + h'wᵀû is tiny (wᵀu ≪ 0)", () => {
    // The float32 autodiff Jacobian cancels here (entries ~20, det ~1e-2), so the reference is Float64.
    const next = normalStream(12);
    for (let trial = 0; trial < 12; trial++) {
      const d = 2 + (trial % 4);
      const w = tensorFrom(next, [d]);
      const u = tf.neg(tf.mul(tf.sign(w), tf.abs(tensorFrom(next, [d], 20))));
      const b = tf.scalar(0.3 * next());
      const z = tensorFrom(next, [d], 0.3);
      const got = new Planar({ w, u, b }).forwardLogDetJacobian(z).dataSync()[0];
      const [ws, us, zs] = [w, u, z].map((t) => Array.from(t.dataSync()));
      const expected = logAbsDet(finiteDifferenceJacobian((v) => referencePlanar(v, ws, us, b.dataSync()[0]), zs, d, 1e-7));
      // ours: log(tanh² + h'·softplus) from float32 a, good to ~1e-6 relative in det; FD error ~1e-7 / det
      assert.ok(Math.abs(got - expected) < 1e-5 * Math.max(1, Math.abs(expected)), `trial ${trial}: ${got} vs ${expected}`);
      tf.dispose([w, u, b, z]);
    }
  });

  test("invertible for every parameter value: det J > 0 and monotone along w, even for wᵀu = −50", () => {
    const next = normalStream(3);
    for (let trial = 0; trial < 20; trial++) {
      const w = tensorFrom(next, [3], trial % 2 === 0 ? 0.05 : 5);
      const u = tf.mul(w, -50 / Math.max(1e-12, tf.sum(tf.square(w)).dataSync()[0])); // wᵀu = −50
      const b = tf.scalar(next());
      const layer = new Planar({ w, u, b });
      // The output's projection on w along the line z = t·w is a + m tanh(a) + const; check it increases.
      const t = tf.linspace(-30, 30, 601);
      const z = tf.mul(tf.expandDims(t, 1), tf.expandDims(tf.div(w, tf.norm(w)), 0));
      const projected = tf.sum(tf.mul(layer.forward(z), w), -1).dataSync();
      // non-decreasing up to float32 rounding of the projection (values ≲ 30·‖w‖ + 1)
      const slack = 4e-7 * (30 * Math.max(1, Math.sqrt(tf.sum(tf.square(w)).dataSync()[0])) + 1);
      for (let i = 1; i < projected.length; i++) assert.ok(projected[i] >= projected[i - 1] - slack, `trial ${trial}: not monotone at ${i}`);
      // strictly increasing across the whole line
      assert.ok(projected[projected.length - 1] > projected[0]);
      const j = autodiffJacobian((v) => layer.forward(v), tensorFrom(next, [5, 3]), 3);
      for (const m of j) assert.ok(signDet(m) === 1);
      tf.dispose([w, u, b, t, z]);
    }
  });

  test("forward(inverse(y)) = y for every parameter scale, including wᵀû ≈ −1", () => {
    const next = normalStream(5);
    for (const uScale of [0.3, 5, 40, 200]) {
      const w = tensorFrom(next, [3, 4]);
      const u = tensorFrom(next, [3, 4], uScale);
      const b = tensorFrom(next, [3]);
      const layer = new Planar({ w, u, b });
      const y = tensorFrom(next, [40, 3, 4], 5);
      const z = layer.inverse(y);
      const again = layer.forward(z);
      const zs = z.dataSync();
      const a = y.dataSync();
      const c = again.dataSync();
      const ws = rowsOf(w.dataSync(), 4);
      const us = rowsOf(u.dataSync(), 4);
      for (let i = 0; i < a.length; i++) {
        // Float64 m = wᵀû and ‖û‖∞ of this variable: the float32 solve of a + m tanh a = c leaves a
        // residual of a few ulps of (|c| + |m|), and rounding z to float32 moves wᵀz by ulps of
        // Σ|w_k z_k|; the forward map multiplies both by |û|.
        const v = Math.floor(i / 4) % 3;
        const wu = ws[v].reduce((s2, x, k) => s2 + x * us[v][k], 0);
        const m = -1 + Math.log1p(Math.exp(wu));
        const ww = ws[v].reduce((s2, x) => s2 + x * x, 0);
        const uHatMax = Math.max(...us[v].map((x, k) => Math.abs(x + ((m - wu) * ws[v][k]) / ww)));
        const row = Math.floor(i / 4) * 4;
        const cValue = Math.abs(ws[v].reduce((s2, x, k) => s2 + x * a[row + k], 0) + b.dataSync()[v]);
        const wz = ws[v].reduce((s2, x, k) => s2 + Math.abs(x * zs[row + k]), 0);
        const tol = 16 * 2 ** -24 * ((cValue + Math.abs(m) + 1 + wz) * (1 + uHatMax) + Math.abs(a[i]));
        assert.ok(Math.abs(a[i] - c[i]) < tol, `uScale=${uScale}: ${a[i]} vs ${c[i]} (tol ${tol})`);
      }
      tf.dispose([w, u, b, y, z, again]);
    }
  });

  test("inverse(forward(z)) = z (well-conditioned parameters) and inverse log-det = −forward log-det", () => {
    const next = normalStream(4);
    for (const uScale of [0.3, 2]) {
      const w = tensorFrom(next, [2, 4]);
      const u = tensorFrom(next, [2, 4], uScale);
      const b = tensorFrom(next, [2]);
      const layer = new Planar({ w, u, b });
      const z = tensorFrom(next, [50, 2, 4], 3);
      const { value, logDet } = layer.forwardAndLogDet(z);
      const back = layer.inverseAndLogDet(value);
      const a = z.dataSync();
      const c = back.value.dataSync();
      // the solve is to float32 precision; the inverse's derivative 1/(1 + h'm) amplifies rounding, ≤ 1e-4 here
      for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - c[i]) < 1e-4, `uScale=${uScale}: ${a[i]} vs ${c[i]}`);
      const f = logDet.dataSync();
      const g = back.logDet.dataSync();
      for (let i = 0; i < f.length; i++) assert.ok(Math.abs(f[i] + g[i]) < 1e-4 * (1 + Math.abs(f[i])), `${f[i]} vs ${g[i]}`); // log1p near −1 amplifies the α error
      tf.dispose([w, u, b, z, value, logDet, back.value, back.logDet]);
    }
  });

  test("gradients through the inverse match Float64 central differences of the reference inverse", () => {
    // d/dw_0 of Σ inverse(y): the implicit-function step must give the true derivative.
    const wArr = [0.8, -0.3];
    const uArr = [1.5, 0.7];
    const bVal = 0.2;
    const yArr = [0.9, -1.1];
    const referenceInverseSum = (w0: number): number => {
      const w = [w0, wArr[1]];
      // solve a + m tanh(a) = wᵀy + b by bisection in Float64, then z = y − û tanh(a)
      const dot = (p: number[], q: number[]) => p.reduce((s, v, i) => s + v * q[i], 0);
      const wu = dot(w, uArr);
      const m = -1 + Math.log1p(Math.exp(wu));
      const uHat = uArr.map((v, i) => v + ((m - wu) * w[i]) / dot(w, w));
      const c = dot(w, yArr) + bVal;
      let lo = c - Math.abs(m) - 1;
      let hi = c + Math.abs(m) + 1;
      for (let i = 0; i < 200; i++) {
        const mid = (lo + hi) / 2;
        if (mid + m * Math.tanh(mid) < c) lo = mid;
        else hi = mid;
      }
      const a = (lo + hi) / 2;
      return yArr.reduce((s, v, i) => s + v - uHat[i] * Math.tanh(a), 0);
    };
    const h = 1e-6;
    const expected = (referenceInverseSum(wArr[0] + h) - referenceInverseSum(wArr[0] - h)) / (2 * h);
    const y = tf.tensor(yArr);
    const u = tf.tensor(uArr);
    const b = tf.scalar(bVal);
    const g = tf.grad((w: tf.Tensor) => tf.sum(new Planar({ w, u, b }).inverse(y)))(tf.tensor(wArr)).dataSync()[0];
    assert.ok(Math.abs(g - expected) < 1e-4 * Math.max(1, Math.abs(expected)), `${g} vs ${expected}`); // float32 gradient vs Float64 differences
    tf.dispose([y, u, b]);
  });

  test("authorsNormW (û = u + a·w/‖W‖) is NOT invertible: two inputs map to one output", () => {
    // One variable, w = (0.1, 0), u = (−100, 0): wᵀu = −10 and wᵀû = −10 + a·‖w‖²/‖W‖ ≈ −9.1 < −1.
    const w = tf.tensor([0.1, 0]);
    const u = tf.tensor([-100, 0]);
    const b = tf.scalar(0);
    const authors = new Planar({ w, u, b, authorsNormW: true });
    // In Float64: the first coordinate maps t ↦ t + û₁ tanh(0.1 t) with û₁ = −100 + a·0.1/0.1.
    const a = -1 + Math.log1p(Math.exp(-10)) + 10;
    const uHat1 = -100 + a;
    const g = (t: number) => t + uHat1 * Math.tanh(0.1 * t);
    let lo = 1;
    let hi = 1000;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (g(mid) < 0) lo = mid;
      else hi = mid;
    }
    const t2 = (lo + hi) / 2; // g(0) = g(t2) = 0 with t2 ≈ 91
    assert.ok(t2 > 50);
    const out = authors.forward(tf.tensor([[0, 1], [t2, 1]])).arraySync() as number[][];
    // the two images agree to float32 rounding of values of size ~100 (ulp 8e-6)
    assert.ok(Math.abs(out[0][0] - out[1][0]) < 1e-4 && out[0][1] === out[1][1], `${out}`);
    // the determinant changes sign: log|det| alone hides it, so check the autodiff Jacobian
    const signs = autodiffJacobian((v) => authors.forward(v), tf.tensor([[0, 0], [40, 0]]), 2).map(signDet);
    assert.deepEqual(signs, [-1, 1]);
    // the invertible default on the same parameters keeps det > 0 and maps the two inputs apart
    const fixed = new Planar({ w, u, b }).forward(tf.tensor([[0, 1], [t2, 1]])).arraySync() as number[][];
    assert.ok(Math.abs(fixed[0][0] - fixed[1][0]) > 10);
    tf.dispose([w, u, b]);
  });

  test("bad parameters throw errors naming the parameter", () => {
    assert.throws(() => new Planar({ w: tf.tensor([1, 2]), u: tf.tensor([1, 2, 3]), b: tf.scalar(0) }), /shape mismatch: w \[2\] and u \[3\]/);
    assert.throws(() => new Planar({ w: tf.tensor([1, NaN]), u: tf.tensor([1, 2]), b: tf.scalar(0) }), /w\[1\] must be finite; got NaN/);
    assert.throws(() => new Planar({ w: tf.ones([3, 2]), u: tf.ones([3, 2]), b: tf.tensor([0, 1]) }), /shape mismatch: w \(batch part\) \[3\].*b \[2\]/);
    assert.throws(() => new Planar({ w: tf.tensor([1, 2]), u: tf.tensor([1, 2]), b: tf.scalar(0) }).forward(tf.zeros([3])), /event shape must be \[2\]/);
  });
  test("regression (property suite): w = 0 is a translation by u tanh(b), log-det 0, inverse exact", () => {
    // the shrunk case was w = [0], u = [0], b = 0, z = 0: the log-det was log softplus(0) = −0.367
    for (const [w, u, b] of [[[0], [0], 0], [[0, 0, 0], [0.5, -2, 1], 0.7]] as Array<[number[], number[], number]>) {
      const layer = new Planar({ w: tf.tensor(w), u: tf.tensor(u), b: tf.scalar(b) });
      const z = tf.tensor([w.map(() => 0.3), w.map((_, i) => -i)]);
      const { value, logDet } = layer.forwardAndLogDet(z);
      const expected = rowsOf(z.dataSync(), w.length).map((row) => row.map((v, i) => v + u[i] * Math.tanh(b)));
      rowsOf(value.dataSync(), w.length).forEach((row, r) => row.forEach((v, i) => assert.ok(Math.abs(v - expected[r][i]) < 1e-6, `${v} vs ${expected[r][i]}`)));
      assert.deepEqual(Array.from(logDet.dataSync()), [0, 0]);
      const back = layer.inverse(value).dataSync();
      z.dataSync().forEach((v, i) => assert.ok(Math.abs(back[i] - v) < 1e-6, `inverse ${back[i]} vs ${v}`));
      tf.dispose([z, value, logDet]);
    }
  });
});

describe("planarUHat64", () => {
  before(async () => {
    await initBackend();
  });
  test("equals the tensor route's û (float32 tolerance), including w = 0 and a large wᵀu", () => {
    const V = 3;
    const M = 4;
    // row 0: generic; row 1: w = 0 (û = u); row 2: wᵀu = 10 (softplus ≈ wᵀu, the correction ≈ −1)
    const w = [0.3, -0.7, 0.2, 0.5, 0, 0, 0, 0, 2, 2, 1, 1];
    const u = [1.1, 0.4, -0.9, 0.2, 0.6, -0.3, 0.8, 1.5, 2, 2, 1.5, 0.5];
    const expected = tf.tidy(() => new Planar({ w: tf.tensor2d(w, [V, M]), u: tf.tensor2d(u, [V, M]), b: tf.tensor1d([0.1, 0, -0.2]) }).uHatAndSlope().uHat.arraySync() as number[][]);
    const uHat = planarUHat64(w, u, V, M);
    // float32 tensors against Float64: a few ulps of values of order 1
    for (let v = 0; v < V; v++) for (let k = 0; k < M; k++) assert.ok(Math.abs(uHat[v * M + k] - expected[v][k]) < 1e-5, `û[${v}][${k}] = ${uHat[v * M + k]} against ${expected[v][k]}`);
    for (let k = 0; k < M; k++) assert.equal(uHat[M + k], u[M + k], "w = 0 leaves û = u");
  });
});
