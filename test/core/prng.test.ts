import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32, permutation, mixSeeds } from "../../lib/core/prng";

test("permutation: a permutation, reproducible, position of element 0 uniform (chi-square)", () => {
  const p = permutation(1000, 5);
  assert.deepEqual(Array.from(p).sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(permutation(1000, 5), p);
  const n = 10, trials = 5000, counts = new Array(n).fill(0);
  for (let s = 0; s < trials; s++) counts[permutation(n, mixSeeds(99, s)).indexOf(0)]++;
  const chi2 = counts.reduce((acc, c) => acc + (c - trials / n) ** 2 / (trials / n), 0);
  assert.ok(chi2 < 27.88, `chi2 = ${chi2}`); // 27.88 = 0.999 quantile of chi-square with 9 dof
});

test("mulberry32: uniform on [0, 1) (mean and variance within 5 standard errors)", () => {
  const r = mulberry32(11);
  const xs = Array.from({ length: 100000 }, r);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(1 / 12 / xs.length)); // 5 s.e. of the mean
  assert.ok(Math.abs(variance - 1 / 12) < 5 * Math.sqrt(1 / 180 / xs.length)); // 5 s.e. of the variance (Var of U^2-ish term 1/180)
});
