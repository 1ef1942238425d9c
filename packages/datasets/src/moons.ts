import { finiteNumber, nonNegativeInt } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { generatorFrom, permutation, type SeedOptions } from './random.js';

/** A labelled 2-D point set: x float32 `[N, 2]`, y int32 `[N]` (class ids). Owned by the caller. */
export interface Points2d {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
}

/** Options of `makeMoons`. */
export interface MoonsOptions extends SeedOptions {
  /** Total points; the outer moon gets floor(N / 2), the inner one the rest. Default 100. */
  nSamples?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate. Default 0. */
  noise?: number;
  /** Shuffle the points (otherwise class 0 comes first). Default true. */
  shuffle?: boolean;
}

/** Rows `order` of a row-major `[N, d]` array, and of its labels, as tensors. */
export function points(
  xs: Float32Array,
  labels: Int32Array,
  d: number,
  order: ArrayLike<number> | null,
): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const n = labels.length;
  if (order) {
    const px = new Float32Array(xs.length);
    const py = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const s = order[i]!;
      py[i] = labels[s]!;
      for (let j = 0; j < d; j++) px[i * d + j] = xs[s * d + j]!;
    }
    return { x: tf.tensor2d(px, [n, d]), y: tf.tensor1d(py, 'int32') };
  }
  return { x: tf.tensor2d(xs, [n, d]), y: tf.tensor1d(labels, 'int32') };
}

/** `count` evenly spaced values from `a` to `b` inclusive (numpy's linspace; [a] for count 1). */
export function linspace(a: number, b: number, count: number): number[] {
  if (count === 1) return [a];
  return Array.from({ length: count }, (_, i) => a + ((b - a) * i) / (count - 1));
}

/**
 * Two interleaving half circles (scikit-learn's `make_moons`): the outer moon
 * (cos t, sin t) and the inner moon (1 - cos t, 0.5 - sin t), t evenly spaced in [0, pi], labelled
 * 0 and 1, plus N(0, noise^2) per coordinate. x float32 `[N, 2]`, y int32 `[N]`.
 *
 * @example
 * const { x, y } = makeMoons({ nSamples: 200, noise: 0.1, seed: 0 });
 */
export function makeMoons(opts: MoonsOptions = {}): Points2d {
  const n = nonNegativeInt('makeMoons', 'nSamples', opts.nSamples ?? 100);
  const noise = finiteNumber('makeMoons', 'noise', opts.noise ?? 0, 0);
  const g = generatorFrom(opts);
  const nOut = Math.floor(n / 2);
  const xs = new Float32Array(2 * n);
  const labels = new Int32Array(n);
  linspace(0, Math.PI, nOut).forEach((t, i) => {
    xs[2 * i] = Math.cos(t);
    xs[2 * i + 1] = Math.sin(t);
  });
  linspace(0, Math.PI, n - nOut).forEach((t, i) => {
    const k = nOut + i;
    xs[2 * k] = 1 - Math.cos(t);
    xs[2 * k + 1] = 0.5 - Math.sin(t);
    labels[k] = 1;
  });
  if (noise > 0) for (let i = 0; i < xs.length; i++) xs[i]! += noise * g.normal();
  return points(xs, labels, 2, (opts.shuffle ?? true) ? permutation(n, g) : null);
}
