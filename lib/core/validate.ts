// Parameter checks whose errors name the parameter, the offending value and where it sits.
import * as tf from "@tensorflow/tfjs";

/** A scalar parameter given as a number or as a tensor that broadcasts against the batch shape. */
export type ScalarParameter = number | tf.Tensor;

function locate(shape: number[], flat: number): string {
  if (shape.length === 0) return "";
  const index: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return `[${index.join(", ")}]`;
}

function firstBad(values: ArrayLike<number>, bad: (v: number) => boolean): number {
  for (let i = 0; i < values.length; i++) if (bad(values[i])) return i;
  return -1;
}

/** Throws unless `value` is a tf.Tensor of rank at least `minRank`. */
export function assertTensor(name: string, value: unknown, minRank = 0): asserts value is tf.Tensor {
  if (!(value instanceof tf.Tensor)) {
    throw new Error(`${name} must be a tf.Tensor; got ${value === null ? "null" : typeof value} ${String(value)}`);
  }
  if (value.rank < minRank) {
    throw new Error(`${name} must have rank >= ${minRank} (the last axis is the event); got shape [${value.shape.join(", ")}]`);
  }
}

/** Throws unless every entry is finite (catches NaN and ±Infinity). */
export function assertFinite(name: string, value: ScalarParameter): void {
  const values = typeof value === "number" ? [value] : value.dataSync();
  const i = firstBad(values, (v) => !Number.isFinite(v));
  if (i >= 0) {
    const where = typeof value === "number" ? "" : locate(value.shape, i);
    throw new Error(`${name}${where} must be finite; got ${values[i]}`);
  }
}

/** Throws unless every entry is finite and strictly positive. */
export function assertPositive(name: string, value: ScalarParameter): void {
  const values = typeof value === "number" ? [value] : value.dataSync();
  const i = firstBad(values, (v) => !(Number.isFinite(v) && v > 0));
  if (i >= 0) {
    const where = typeof value === "number" ? "" : locate(value.shape, i);
    throw new Error(`${name}${where} must be a finite number > 0; got ${values[i]}`);
  }
}

/** Throws unless every entry is finite and >= 0. */
export function assertNonNegative(name: string, value: ScalarParameter): void {
  const values = typeof value === "number" ? [value] : value.dataSync();
  const i = firstBad(values, (v) => !(Number.isFinite(v) && v >= 0));
  if (i >= 0) throw new Error(`${name}${typeof value === "number" ? "" : locate(value.shape, i)} must be a finite number >= 0; got ${values[i]}`);
}

/** Throws unless every entry is finite and in [0, 1]. */
export function assertUnitInterval(name: string, value: ScalarParameter): void {
  const values = typeof value === "number" ? [value] : value.dataSync();
  const i = firstBad(values, (v) => !(v >= 0 && v <= 1));
  if (i >= 0) throw new Error(`${name}${typeof value === "number" ? "" : locate(value.shape, i)} must be in [0, 1]; got ${values[i]}`);
}

/** Right-aligned broadcast of shapes; the error names the parameters whose shapes clash. */
export function broadcastShapes(named: Array<[string, number[]]>): number[] {
  let out: number[] = [];
  for (const [, shape] of named) {
    const rank = Math.max(out.length, shape.length);
    const next: number[] = [];
    for (let i = 0; i < rank; i++) {
      const a = out[out.length - rank + i] ?? 1;
      const b = shape[shape.length - rank + i] ?? 1;
      if (a !== b && a !== 1 && b !== 1) {
        const list = named.map(([n, s]) => `${n} [${s.join(", ")}]`).join(", ");
        throw new Error(`shape mismatch: ${list} do not broadcast together`);
      }
      next.push(a === 1 ? b : a);
    }
    out = next;
  }
  return out;
}

/** Shape of a scalar parameter ([] for a number). */
export function shapeOf(value: ScalarParameter): number[] {
  return typeof value === "number" ? [] : value.shape;
}

/** Checks that a scalar parameter is a number or a tensor (its values are not read). */
export function assertScalarParameter(name: string, value: unknown): ScalarParameter {
  if (typeof value !== "number" && !(value instanceof tf.Tensor)) {
    throw new Error(`${name} must be a number or a tf.Tensor; got ${typeof value} ${String(value)}`);
  }
  return value;
}

/** Checks that a scalar parameter is a number or a tensor and, with `validate`, positive and finite. */
export function checkScalarParameter(name: string, value: unknown, validate: boolean): ScalarParameter {
  const checked = assertScalarParameter(name, value);
  if (validate) assertPositive(name, checked);
  return checked;
}

/** Same ScalarParameter value: same number or tensor object, or the same shape and values. */
export function sameScalarParameter(a: ScalarParameter, b: ScalarParameter): boolean {
  if (a === b) return true;
  const shapeA = shapeOf(a);
  const shapeB = shapeOf(b);
  const valuesA = typeof a === "number" ? [a] : a.dataSync();
  const valuesB = typeof b === "number" ? [b] : b.dataSync();
  if (valuesA.length === 1 && valuesB.length === 1) return valuesA[0] === valuesB[0];
  if (shapeA.length !== shapeB.length || shapeA.some((d, i) => d !== shapeB[i])) return false;
  for (let i = 0; i < valuesA.length; i++) if (valuesA[i] !== valuesB[i]) return false;
  return true;
}

/** Same tensor object, or the same shape and values. */
export function sameTensorValues(a: tf.Tensor, b: tf.Tensor): boolean {
  if (a === b) return true;
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = a.dataSync();
  const y = b.dataSync();
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** `value` as an integer >= min, or an error naming it; `where` prefixes the message ("SOP training"). */
export function integerAtLeast(name: string, value: unknown, min: number, where?: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new Error(`${where ? where + ": " : ""}${name} must be an integer >= ${min}; got ${JSON.stringify(value)}`);
  }
  return value;
}
