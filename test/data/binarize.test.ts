import { test } from "node:test";
import assert from "node:assert/strict";
import { binarizeDynamic, binarizeStatic } from "../../lib/data/binarize";

test("binarizeStatic: >= 0.5 -> 1 (the authors' rule, 128/255 -> 1, 127/255 -> 0)", () => {
  const x = Float32Array.from([0, 127 / 255, 0.5, 128 / 255, 1, 0.49999]);
  assert.deepEqual(Array.from(binarizeStatic(x)), [0, 0, 1, 1, 1, 0]);
});

test("binarizeDynamic: Bernoulli(p) frequencies per value within 5 binomial standard errors", () => {
  const n = 20000;
  for (const p of [0, 0.1, 0.5, 0.9, 1]) {
    const draws = binarizeDynamic(new Float32Array(n).fill(p), 17);
    const freq = draws.reduce((a, b) => a + b, 0) / n;
    assert.ok(Math.abs(freq - p) <= 5 * Math.sqrt((p * (1 - p)) / n), `p = ${p}: frequency ${freq}`); // 5 s.e.
  }
  assert.deepEqual(binarizeDynamic(new Float32Array(100).fill(0.5), 1), binarizeDynamic(new Float32Array(100).fill(0.5), 1));
});
