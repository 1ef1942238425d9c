import type * as tf from '@tensorflow/tfjs-core';

/** The error archzoo throws for bad input: it names the module, the argument, expected vs actual. */
export class ArchzooError extends Error {
  override name = 'ArchzooError';
}

/** `[2, 3, 4]` */
export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A value as it reads in an error message: strings quoted, arrays bracketed. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(describeValue).join(', ')}]`;
  if (v === null) return 'null';
  if (typeof v === 'object') return Object.prototype.toString.call(v);
  return String(v);
}

/** Throws `${where}: ${argument} expected ${expected}, got ${actual}`. */
export function fail(where: string, argument: string, expected: string, actual: unknown): never {
  const got = typeof actual === 'string' ? actual : describeValue(actual);
  throw new ArchzooError(`${where}: ${argument} expected ${expected}, got ${got}`);
}

function isTensor(x: unknown): x is tf.Tensor {
  return (
    x != null &&
    typeof x === 'object' &&
    'shape' in x &&
    'dtype' in x &&
    'dataId' in x &&
    Array.isArray((x as tf.Tensor).shape)
  );
}

export interface TensorSpec {
  /** Allowed ranks. */
  rank?: number | readonly number[];
  /** Human-readable layout, e.g. '[N, H, W, C]', shown in errors. */
  layout?: string;
  /** Allowed dtypes; default: float32. */
  dtype?: tf.DataType | readonly tf.DataType[];
  /** Required sizes of some axes (negative axes count from the end). */
  dims?: Readonly<Record<number, number>>;
  /** Names of those axes for the error message. */
  dimNames?: Readonly<Record<number, string>>;
}

/** Validates a tensor argument, throwing an ArchzooError that names module, argument and expected vs actual. */
export function checkTensor(
  where: string,
  argument: string,
  x: unknown,
  spec: TensorSpec = {},
): tf.Tensor {
  if (!isTensor(x)) fail(where, argument, 'a tf.Tensor', x);
  if (x.isDisposed) fail(where, argument, 'a live tensor', 'a disposed tensor');
  const ranks =
    spec.rank === undefined ? null : typeof spec.rank === 'number' ? [spec.rank] : spec.rank;
  if (ranks && !ranks.includes(x.rank)) {
    const layout = spec.layout ? ` ${spec.layout}` : '';
    fail(
      where,
      argument,
      `rank ${ranks.join(' or ')}${layout}`,
      `rank ${x.rank} with shape ${shapeString(x.shape)}`,
    );
  }
  const dtypes =
    spec.dtype === undefined
      ? ['float32']
      : typeof spec.dtype === 'string'
        ? [spec.dtype]
        : spec.dtype;
  if (!dtypes.includes(x.dtype))
    fail(where, argument, `dtype ${dtypes.join(' or ')}`, `dtype ${x.dtype}`);
  if (spec.dims) {
    for (const [k, size] of Object.entries(spec.dims)) {
      const axis = Number(k) < 0 ? x.rank + Number(k) : Number(k);
      if (x.shape[axis] !== size) {
        const name = spec.dimNames?.[Number(k)] ?? `dimension ${axis}`;
        fail(
          where,
          argument,
          `${name} of size ${size}`,
          `${x.shape[axis]} (shape ${shapeString(x.shape)})`,
        );
      }
    }
  }
  return x;
}

/** A positive integer option. */
export function positiveInt(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    fail(where, `option ${name}`, 'a positive integer', describeValue(v));
  }
  return v;
}

/** A non-negative integer option. */
export function nonNegativeInt(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    fail(where, `option ${name}`, 'a non-negative integer', describeValue(v));
  }
  return v;
}

/** A finite number option, optionally within [min, max]. */
export function finiteNumber(
  where: string,
  name: string,
  v: unknown,
  min = -Infinity,
  max = Infinity,
): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    const range =
      min === -Infinity && max === Infinity
        ? 'a finite number'
        : max === Infinity
          ? `a finite number >= ${min}`
          : min === -Infinity
            ? `a finite number <= ${max}`
            : `a number in [${min}, ${max}]`;
    fail(where, `option ${name}`, range, describeValue(v));
  }
  return v;
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(
  where: string,
  name: string,
  v: unknown,
  allowed: readonly T[],
): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    fail(
      where,
      `option ${name}`,
      `one of ${allowed.map((a) => `'${a}'`).join(', ')}`,
      describeValue(v),
    );
  }
  return v as T;
}

/** A number or an n-tuple of integers >= min, expanded to an n-tuple (PyTorch's `_pair`). */
export function intTuple(
  where: string,
  name: string,
  v: unknown,
  n: number,
  min: number,
): number[] {
  const arr = typeof v === 'number' ? new Array<number>(n).fill(v) : v;
  if (
    !Array.isArray(arr) ||
    arr.length !== n ||
    !arr.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= min)
  ) {
    fail(where, `option ${name}`, `an integer >= ${min} or ${n} of them`, describeValue(v));
  }
  return arr as number[];
}
