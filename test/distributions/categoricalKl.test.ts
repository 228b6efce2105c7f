// The categorical KL has one definition, kl(Categorical ‖ Categorical) (distributions/kl.ts). Two
// specialised forms to the uniform law stay for their callers: klToUniformFromLogProbs (tensor, inside
// the estimators' objectives) and klToUniform (Float64, on frequency estimates with empty
// categories). Both are checked here against the library route and a Float64 sum.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { Categorical } from "../../lib/distributions/categorical";
import { kl } from "../../lib/distributions/kl";
import { klToUniformFromLogProbs } from "../../lib/estimators/problem";
import { klToUniform } from "../../lib/eval/discrete";

const V = 3;
const K = 5;
/** Probabilities [2 examples, V, K] with a zero in one row (0·log 0 = 0). */
const PROBS = [
  [0.1, 0.2, 0.3, 0.25, 0.15], [0.5, 0.5, 0, 0, 0], [0.2, 0.2, 0.2, 0.2, 0.2],
  [0.9, 0.05, 0.03, 0.01, 0.01], [0.3, 0.1, 0.1, 0.1, 0.4], [0.05, 0.05, 0.05, 0.05, 0.8],
];

/** Σ_v Σ_k q log(q K) per example, Float64, straight from the definition. */
function reference(): number[] {
  return [0, 1].map((b) => PROBS.slice(b * V, (b + 1) * V).reduce((a, row) => a + row.reduce((s, q) => s + (q > 0 ? q * Math.log(q * K) : 0), 0), 0));
}

before(async () => {
  await initBackend();
});

describe("categorical KL to the uniform law: the specialised forms agree with kl()", () => {
  test("kl(Categorical ‖ uniform Categorical) summed over variables equals the Float64 definition", () => {
    const value = tf.tidy(() => {
      const q = new Categorical({ probs: tf.tensor3d(PROBS.flat(), [2, V, K]) });
      const p = new Categorical({ probs: tf.fill([2, V, K], 1 / K) });
      return Array.from(tf.sum(kl(q, p).value, -1).dataSync());
    });
    reference().forEach((e, b) => assert.ok(Math.abs(value[b] - e) < 1e-5, `example ${b}: ${value[b]} vs ${e}`)); // float32 sums of ~15 terms of size ≤ 1.5
  });

  test("klToUniform (Float64) equals kl() and the definition", () => {
    const got = klToUniform(Float64Array.from(PROBS.flat()), V, K);
    const library = tf.tidy(() => Array.from(tf.sum(kl(new Categorical({ probs: tf.tensor3d(PROBS.flat(), [2, V, K]) }), new Categorical({ probs: tf.fill([2, V, K], 1 / K) })).value, -1).dataSync()));
    reference().forEach((e, b) => {
      assert.ok(Math.abs(got[b] - e) < 1e-12, `example ${b}: ${got[b]} vs ${e}`); // Float64, 15 terms
      assert.ok(Math.abs(got[b] - library[b]) < 1e-5, `example ${b} vs kl(): ${got[b]} vs ${library[b]}`); // kl() is float32
    });
  });

  test("klToUniformFromLogProbs (tensor) equals kl() where every category has mass", () => {
    const full = PROBS.map((row) => row.map((q) => 0.99 * q + 0.01 / K)); // no zeros: log q finite
    const expected = [0, 1].map((b) => full.slice(b * V, (b + 1) * V).reduce((a, row) => a + row.reduce((s, q) => s + q * Math.log(q * K), 0), 0));
    const [got, library] = tf.tidy(() => {
      const logQ = tf.log(tf.tensor3d(full.flat(), [2, V, K]));
      const viaKl = tf.sum(kl(new Categorical({ logits: logQ }), new Categorical({ logits: tf.zeros([2, V, K]) })).value, -1);
      return [Array.from(klToUniformFromLogProbs(logQ).dataSync()), Array.from(viaKl.dataSync())];
    });
    expected.forEach((e, b) => {
      assert.ok(Math.abs(got[b] - e) < 1e-5, `example ${b}: ${got[b]} vs ${e}`);
      assert.ok(Math.abs(got[b] - library[b]) < 1e-5, `example ${b} vs kl(): ${got[b]} vs ${library[b]}`);
    });
  });
});
