import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { FLOAT32_TINY, SeedStream, seedSource, standardGumbel, standardLogistic, uniformOpen } from "../../lib/core/random";
import { ksCritical, ksStatistic } from "../helpers/statistics";

before(async () => {
  await initBackend();
});

describe("random", () => {
  test("SeedStream is deterministic and its seeds differ", () => {
    const a = new SeedStream(5);
    const b = new SeedStream(5);
    const xs = Array.from({ length: 100 }, () => a.next());
    assert.deepEqual(xs, Array.from({ length: 100 }, () => b.next()));
    assert.equal(new Set(xs).size, 100);
    assert.ok(xs.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 31));
    assert.equal(seedSource(undefined)(), undefined);
    assert.throws(() => new SeedStream(NaN), /seed must be a finite number; got NaN/);
  });

  test("uniforms lie in [tiny, 1) strictly inside (0, 1), and are uniform (KS, α = 0.001)", () => {
    const u = uniformOpen([20000], 4).dataSync();
    assert.ok(u.every((v) => v >= FLOAT32_TINY && v < 1));
    assert.ok(ksStatistic(Array.from(u), (x) => x) < ksCritical(20000));
  });

  test("Gumbel and logistic draws are finite and follow their CDFs (KS, α = 0.001)", () => {
    const g = Array.from(standardGumbel([20000], 5).dataSync());
    assert.ok(g.every(Number.isFinite));
    assert.ok(ksStatistic(g, (x) => Math.exp(-Math.exp(-x))) < ksCritical(20000));
    const l = Array.from(standardLogistic([20000], 6).dataSync());
    assert.ok(l.every(Number.isFinite));
    assert.ok(ksStatistic(l, (x) => 1 / (1 + Math.exp(-x))) < ksCritical(20000));
  });

  test("same seed, same draws", () => {
    assert.deepEqual(Array.from(standardGumbel([10], 9).dataSync()), Array.from(standardGumbel([10], 9).dataSync()));
    assert.notDeepEqual(Array.from(standardGumbel([10], 9).dataSync()), Array.from(standardGumbel([10], 10).dataSync()));
  });
});
