import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { areaResize } from "../../lib/data/resize";
import { mulberry32 } from "../../lib/core/prng";
import { viaUpsample } from "./fixtures";

describe("areaResize", () => {
  test("105 -> 28 equals the upsample-then-block-average route on random images", () => {
    const rand = mulberry32(7);
    for (let trial = 0; trial < 3; trial++) {
      const src = Float64Array.from({ length: 105 * 105 }, () => (rand() < 0.2 ? 1 : 0));
      const ours = areaResize(src, 105, 105, 28, 28);
      const ref = viaUpsample(src);
      // Both are sums of 225 terms in float64: agreement to 1e-12 is rounding only.
      for (let k = 0; k < ours.length; k++) assert.ok(Math.abs(ours[k] - ref[k]) < 1e-12, `pixel ${k}: ${ours[k]} vs ${ref[k]}`);
    }
  });

  test("keeps the mean (area weights sum to one), constants stay constant, integer factors are block means", () => {
    const rand = mulberry32(8);
    const src = Float64Array.from({ length: 105 * 105 }, () => rand());
    const out = areaResize(src, 105, 105, 28, 28);
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    assert.ok(Math.abs(mean(out) - mean(src)) < 1e-12); // exact up to float64 rounding
    assert.ok(areaResize(new Float64Array(105 * 105).fill(0.3), 105, 105, 28, 28).every((v) => Math.abs(v - 0.3) < 1e-12));
    const four = areaResize([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], 4, 4, 2, 2);
    assert.deepEqual(Array.from(four), [(1 + 2 + 5 + 6) / 4, (3 + 4 + 7 + 8) / 4, (9 + 10 + 13 + 14) / 4, (11 + 12 + 15 + 16) / 4]);
    assert.throws(() => areaResize([1, 2, 3], 2, 2, 1, 1), /src has 3 values/);
  });
});
