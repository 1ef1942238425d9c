/**
 * Input-output Jacobians built from vector-Jacobian products: row i of J is e_i^T J, the VJP of
 * the i-th unit vector. tfjs-core has no Jacobian; reverse mode gives VJPs, so J costs one
 * backward pass per output.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Network, networkForward, networkVjp } from './network.js';

/** A dense matrix, row-major. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/**
 * J [outDim, inDim] from a VJP v -> v^T J: row i = vjp(e_i).
 *
 * @example
 * // f(x) = A x has J = A, and v^T J = v^T A:
 * const a = [[1, 2], [3, 4], [5, 6]];
 * jacobianFromVjp((v) => Float64Array.from([0, 1], (j) => v.reduce((s, vi, i) => s + vi * a[i][j], 0)), 3);
 * // { rows: 3, cols: 2, data: [1, 2, 3, 4, 5, 6] }
 */
export function jacobianFromVjp(
  vjp: (v: Float64Array) => ArrayLike<number>,
  outDim: number,
): Matrix {
  let cols = -1;
  let data = new Float64Array(0);
  const e = new Float64Array(outDim);
  for (let i = 0; i < outDim; i++) {
    e.fill(0);
    e[i] = 1;
    const row = vjp(e);
    if (cols < 0) {
      cols = row.length;
      data = new Float64Array(outDim * cols);
    }
    data.set(row, i * cols);
  }
  return { rows: outDim, cols: Math.max(cols, 0), data };
}

/**
 * The input-output Jacobian of a typed-array `Network` at input x: [outSize, inSize].
 *
 * @example
 * const j = networkJacobian(net, x); // j.data[p * j.cols + q] = d out_p / d x_q
 */
export function networkJacobian(net: Network, x: Float64Array): Matrix {
  const trace = networkForward(net, x);
  const out = trace.post[trace.post.length - 1]!;
  return jacobianFromVjp(networkVjp(net, trace), out.length);
}

/**
 * The Jacobian of a tfjs function f: R^n -> R^m (any input/output shapes, flattened) at x,
 * from tfjs's own VJPs (`tf.grad(f)(x, dy)`). Needs tfjs's gradients registered, which
 * tfjs-core alone does not do: import `@archzoo/core` (or `@tensorflow/tfjs`) first.
 *
 * @example
 * tfJacobian((x) => tf.tanh(tf.matMul(x, w)), tf.randomNormal([1, 8])); // [outDim, 8]
 */
export function tfJacobian(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): Matrix {
  const outShape = tf.tidy(() => f(x).shape);
  const outDim = outShape.reduce((a, b) => a * b, 1);
  const grad = tf.grad(f);
  return jacobianFromVjp((v) => {
    return tf.tidy(() => grad(x, tf.tensor(Float32Array.from(v), outShape)).dataSync());
  }, outDim);
}
