import * as tf from '@tensorflow/tfjs-core';
import { checkTensor, fail, oneOf, shapeString } from '../errors.js';

/**
 * How a loss collapses its per-element values (PyTorch's `reduction`):
 * `'none'` keeps them, `'sum'` adds them, `'mean'` averages them (for weighted losses, divides
 * by the total weight instead of the count; each loss documents its denominator).
 */
export type Reduction = 'none' | 'mean' | 'sum';

export const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

/** Validates a `reduction` option (default `'mean'`, as in PyTorch). */
export function reductionOption(where: string, v: unknown = 'mean'): Reduction {
  return oneOf(where, 'reduction', v, REDUCTIONS);
}

/** `none`: x; `sum`: sum(x); `mean`: sum(x) / numel(x). Call inside a tidy. */
export function reduce(x: tf.Tensor, reduction: Reduction): tf.Tensor {
  if (reduction === 'none') return x;
  return reduction === 'sum' ? tf.sum(x) : tf.mean(x);
}

/** Checks that `input` and `target` are float32 tensors of the same shape. */
export function checkPair(where: string, input: unknown, target: unknown): [tf.Tensor, tf.Tensor] {
  const x = checkTensor(where, 'input', input);
  const t = checkTensor(where, 'target', target);
  if (shapeString(x.shape) !== shapeString(t.shape)) {
    fail(
      where,
      'target',
      `the input's shape ${shapeString(x.shape)}`,
      `shape ${shapeString(t.shape)}`,
    );
  }
  return [x, t];
}

/** The shape numpy-style broadcasting gives `a` and `b`, or null when they do not broadcast. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * Checks an optional float32 weight tensor that must broadcast to `shape` without enlarging it
 * (e.g. BCE's `weight` and `posWeight`).
 */
export function checkBroadcastWeight(
  where: string,
  name: string,
  w: unknown,
  shape: readonly number[],
): tf.Tensor | null {
  if (w == null) return null;
  const t = checkTensor(where, name, w);
  const out = broadcastShape(t.shape, shape);
  if (out === null || shapeString(out) !== shapeString(shape)) {
    fail(
      where,
      name,
      `a shape that broadcasts to ${shapeString(shape)}`,
      `shape ${shapeString(t.shape)}`,
    );
  }
  return t;
}

/**
 * |x| computed as x sign(x), so its gradient is sign(x) + x * 0 = sign(x): 0 at x = 0, as in
 * PyTorch (the gradient of tfjs's `abs` is -1 there). Exact: sign(x) is -1, 0 or 1.
 * (No `tf.customGrad`: saving tensors from one trips tfjs's IS_TEST leak check on wasm.)
 */
export function absSignGrad(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sign(x)));
}

/**
 * log softmax over the last axis: (x - m) - log sum exp(x - m), m = max(x). Stable for any
 * magnitude, and exact for the winning class (unlike x - logsumexp(x), which rounds at |x| ~ 1e4).
 */
export function logSoftmaxLast(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const shifted = tf.sub(x, tf.max(x, -1, true)); // [..., C], max 0
    return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), -1, true)));
  });
}
