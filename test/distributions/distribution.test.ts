// The Distribution base: every class declares its parameters' constraints, checks them through
// checkArgs under the one option name validateArgs, and skips the check (no download) when told.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/core/backend";
import { Categorical } from "../../lib/distributions/categorical";
import { Distribution } from "../../lib/distributions/distribution";
import { ExpConcrete } from "../../lib/distributions/expConcrete";
import { GumbelSoftmax } from "../../lib/distributions/gumbelSoftmax";
import { IGRStickBreaking } from "../../lib/distributions/igrStickBreaking";
import { InvertibleGaussian } from "../../lib/distributions/invertibleGaussian";
import { Normal } from "../../lib/distributions/normal";
import { RelaxedBernoulli } from "../../lib/distributions/relaxedBernoulli";

before(async () => {
  await initBackend();
});

/** One constructor per class: good options, and for each constrained parameter a value breaking it. */
type Case = { make: (o: Record<string, unknown>) => Distribution; good: Record<string, unknown>; bad: Record<string, unknown> };
/** Built after the backend is up (the tensors need it). */
const cases = (): Case[] => [
  { make: (o) => new Normal(o as never), good: { loc: tf.tensor1d([0, 1]), scale: tf.tensor1d([1, 2]) }, bad: { loc: tf.tensor1d([0, NaN]), scale: tf.tensor1d([1, 0]) } },
  { make: (o) => new Categorical(o as never), good: { logits: tf.tensor1d([0, 1, 2]) }, bad: { logits: tf.tensor1d([0, Infinity, 2]) } },
  { make: (o) => new Categorical(o as never), good: { probs: tf.tensor1d([0.2, 0.8]) }, bad: { probs: tf.tensor1d([0.2, -0.1]) } },
  { make: (o) => new ExpConcrete(o as never), good: { logits: tf.tensor1d([0, 1]), temperature: 0.5 }, bad: { logits: tf.tensor1d([0, NaN]), temperature: -1 } },
  { make: (o) => new GumbelSoftmax(o as never), good: { probs: tf.tensor1d([0.5, 0.5]), temperature: 0.5 }, bad: { probs: tf.tensor1d([0.5, -1]), temperature: 0 } },
  { make: (o) => new RelaxedBernoulli(o as never), good: { probs: tf.tensor1d([0.3]), temperature: 0.5 }, bad: { probs: tf.tensor1d([1.5]), temperature: NaN } },
  {
    make: (o) => new InvertibleGaussian(o as never),
    good: { loc: tf.tensor1d([0, 1]), scale: tf.tensor1d([1, 1]), temperature: 0.3, delta: 1 },
    bad: { loc: tf.tensor1d([NaN, 1]), scale: tf.tensor1d([1, -1]), temperature: 0, delta: -2 },
  },
  {
    make: (o) => new IGRStickBreaking(o as never),
    good: { loc: tf.tensor1d([0, 1]), scale: tf.tensor1d([1, 1]), temperature: 0.3, delta: 1 },
    bad: { temperature: tf.tensor1d([0.1, -0.1]), delta: 0 },
  },
];

describe("Distribution base: argument constraints and validateArgs", () => {
  test("each class declares a constraint for every parameter it is given, and accepts good values", () => {
    for (const { make, good } of cases()) {
      const d = make(good);
      assert.ok(d instanceof Distribution);
      for (const name of Object.keys(good)) assert.ok(name in d.argConstraints, `${d.constructor.name} declares ${name}`);
    }
  });

  test("a value breaking its constraint throws an error naming the parameter and the value; validateArgs: false skips the check", () => {
    for (const { make, good, bad } of cases()) {
      for (const [name, value] of Object.entries(bad)) {
        if (!(name in good)) continue;
        const options = { ...good, [name]: value };
        assert.throws(() => make(options), new RegExp(`^Error: ${name}(\\[\\d+\\])? must be .*; got (NaN|-?[\\d.]+|Infinity)$`), `${name} = ${value}`);
        assert.doesNotThrow(() => make({ ...options, validateArgs: false }), `${name} with validateArgs: false`);
      }
    }
  });

  test("checkArgs refuses a parameter without a declared constraint (a class that forgot one)", () => {
    class Forgetful extends Normal {
      constructor() {
        super({ loc: tf.scalar(0), scale: tf.scalar(1) });
        this.checkArgs({ rate: 1 }, true);
      }
    }
    assert.throws(() => new Forgetful(), /Forgetful: no constraint declared for parameter rate/);
  });
});
