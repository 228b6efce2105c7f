import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { approx, check, ClaimError } from "../../lib/notebook/check";

describe("check", () => {
  test("passes a true claim and throws a ClaimError naming a false one", () => {
    assert.doesNotThrow(() => check(1 + 1 === 2, "arithmetic"));
    assert.throws(() => check(false, "the moon is cheese"), (e: Error) => e instanceof ClaimError && /the moon is cheese/.test(e.message));
  });
});

describe("approx", () => {
  test("returns the largest difference within tolerance", () => {
    assert.equal(approx([1, 2, 3], [1, 2.5, 3.25], 0.5, "close"), 0.5);
  });
  test("names the index and values of the first miss", () => {
    assert.throws(() => approx([1, 2, 3], [1, 2, 4], 0.1, "vectors"), /index 2: got 3, expected 4/);
  });
  test("NaN never passes, and lengths must match", () => {
    assert.throws(() => approx(NaN, NaN, 1, "nan"), ClaimError);
    assert.throws(() => approx([1], [1, 2], 1, "lengths"), /length 1 vs expected length 2/);
  });
});
