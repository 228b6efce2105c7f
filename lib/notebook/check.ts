// Assertions for notebook cells: a false claim throws, so the cell (and the executed notebook) fails.

export class ClaimError extends Error {
  override name = "ClaimError";
}

/** Throws `ClaimError(message)` unless `condition` holds. */
export function check(condition: boolean, message: string): void {
  if (!condition) throw new ClaimError(`claim failed: ${message}`);
}

/**
 * Throws unless |actual − expected| ≤ tolerance (absolute), element-wise for arrays.
 * NaN never passes. Returns the largest absolute difference seen.
 */
export function approx(
  actual: number | ArrayLike<number>,
  expected: number | ArrayLike<number>,
  tolerance: number,
  message: string,
): number {
  const a = typeof actual === "number" ? [actual] : Array.from(actual);
  const e = typeof expected === "number" ? [expected] : Array.from(expected);
  if (a.length !== e.length) {
    throw new ClaimError(`claim failed: ${message} (length ${a.length} vs expected length ${e.length})`);
  }
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i] - e[i]);
    if (!(diff <= tolerance)) {
      throw new ClaimError(
        `claim failed: ${message} (at index ${i}: got ${a[i]}, expected ${e[i]}, |diff| = ${diff} > ${tolerance})`,
      );
    }
    worst = Math.max(worst, diff);
  }
  return worst;
}
