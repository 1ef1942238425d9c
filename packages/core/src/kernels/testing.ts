import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, setBackend } from '../backend.js';

/** A seeded uniform [0, 1) generator (mulberry32): the kernel tests' shapes and values. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [lo, hi] drawn from `rand`. */
export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** `n` values uniform in [lo, hi), from `seed`. */
export function randomValues(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rand = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/** A computed tensor copied out of its backend. */
export interface Computed {
  shape: number[];
  dtype: tf.DataType;
  values: Float32Array | Int32Array | Uint8Array;
}

/**
 * Activates `backend`, runs `fn` inside `tf.tidy` and copies its tensors out (and disposes them),
 * so two backends can be compared on the same inputs.
 */
export async function computeOn(
  backend: BackendName,
  fn: () => tf.Tensor | tf.Tensor[],
): Promise<Computed[]> {
  await setBackend(backend);
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  const copies = list.map((t) => ({
    shape: [...t.shape],
    dtype: t.dtype,
    values: t.dataSync().slice() as Computed['values'],
  }));
  tf.dispose(list);
  return copies;
}

/** Runs kernel `kernelName` directly (no op-level checks) on the active backend. */
export function runKernel(
  kernelName: string,
  inputs: Record<string, tf.Tensor>,
  attrs: object,
): tf.Tensor {
  return tf.engine().runKernel(kernelName, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
}

/** max |a - b| / max |b| (0 when both are all zero): the error of `a` relative to the scale of `b`. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length)
    throw new Error(`relativeError: sizes differ (${a.length} vs ${b.length})`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return Number.NaN;
    diff = Math.max(diff, d);
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff === 0 ? 0 : diff / scale;
}

/**
 * Central differences (f(x + h e_i) - f(x - h e_i)) / 2h for every i: the numerical gradient of
 * a scalar function of `x`'s values. Exact for quadratics up to rounding, so tests use quadratic losses.
 */
export function numericGradient(
  f: (values: Float32Array) => number,
  x: Float32Array,
  h = 0.05,
): Float64Array {
  const g = new Float64Array(x.length);
  const v = x.slice();
  for (let i = 0; i < x.length; i++) {
    const xi = v[i]!;
    v[i] = xi + h;
    const up = f(v);
    v[i] = xi - h;
    const down = f(v);
    v[i] = xi;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

/** The value of a scalar loss of tensors made from `values` (tensors disposed). */
export function lossAt(
  values: Float32Array[],
  shapes: number[][],
  loss: (...xs: tf.Tensor[]) => tf.Scalar,
): number {
  return tf.tidy(() => loss(...values.map((v, i) => tf.tensor(v, shapes[i]!))).dataSync()[0]!);
}

/** Padding as tf.conv2d takes it, explicit `[[0, 0], [t, b], [l, r], [0, 0]]` included. */
export type ConvPad =
  | 'valid'
  | 'same'
  | number
  | [[0, 0], [number, number], [number, number], [0, 0]];

/** One NHWC convolution: input and filter `[kh, kw, C_in, C_out]` shapes, strides, padding. */
export interface Conv2dCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  pad: ConvPad;
}

/** Edge cases of NHWC convolutions: batch 1, 1x1 kernels, strides larger than the kernel. */
export const CONV2D_EDGE_CASES: readonly Conv2dCase[] = [
  { xShape: [1, 5, 6, 3], filterShape: [1, 1, 3, 4], strides: [1, 1], pad: 'valid' },
  { xShape: [1, 7, 7, 2], filterShape: [2, 2, 2, 3], strides: [3, 3], pad: 'valid' },
  {
    xShape: [2, 8, 5, 1],
    filterShape: [1, 1, 1, 2],
    strides: [3, 2],
    pad: [
      [0, 0],
      [1, 0],
      [0, 2],
      [0, 0],
    ],
  },
];

/**
 * A random NHWC convolution from `seed`: batch 1-3, sizes up to 9, kernels 1-4, strides 1-3 (often
 * larger than the kernel), padding 'valid', 'same', explicit or a number by `seed % 4`.
 */
export function randomConv2dCase(seed: number): Conv2dCase {
  const r = rng(seed);
  const kh = randInt(r, 1, 4);
  const kw = randInt(r, 1, 4);
  const kind = seed % 4;
  const side = () => [randInt(r, 0, 2), randInt(r, 0, 2)] as [number, number];
  const pad: ConvPad =
    kind === 0
      ? 'valid'
      : kind === 1
        ? 'same'
        : kind === 2
          ? [[0, 0], side(), side(), [0, 0]]
          : randInt(r, 0, 2);
  const cin = randInt(r, 1, 4);
  return {
    xShape: [randInt(r, 1, 3), randInt(r, kh, 9), randInt(r, kw, 9), cin],
    filterShape: [kh, kw, cin, randInt(r, 1, 5)],
    strides: [randInt(r, 1, 3), randInt(r, 1, 3)],
    pad,
  };
}

/** The output shape `[N, H_out, W_out, C_out]` of a case (numeric padding rounds down). */
export function conv2dOutShape(c: Conv2dCase): number[] {
  return tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, 1, c.pad, 'floor')
    .outShape;
}

/** The tfjs geometry of a case. */
export function conv2dInfo(c: Conv2dCase): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, 1, c.pad, 'floor');
}
