/**
 * What the movement kernels' property tests (joining.node.test.ts, slicing.node.test.ts) share:
 * the backends, random dims and tensors, and the comparison with the stock kernel. Test-only (not
 * built or published: see the package's tsconfig.json and "files").
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { testBackends } from '../../testing/backends.js';
import { randInt, rng } from '../testing.js';
import { diffFromStock } from './index.js';

/** The dtypes the movement kernels move. */
export type Moved = 'float32' | 'int32' | 'bool';
/** Runs per property. */
export const RUNS = 120;
/** archzoo registers the movement kernels on these. */
export const BACKENDS = testBackends().filter((b) => b === 'cpu' || b === 'wasm');

export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Random dims: mostly 1-4, sometimes 0, sometimes 20-40 (runs long enough for one `set`). */
export const dimArb = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 8 },
  { arbitrary: fc.constant(0), weight: 1 },
  { arbitrary: fc.integer({ min: 20, max: 40 }), weight: 2 },
);

/**
 * A tensor of random values from `seed`: float32 ones span magnitudes 1e-30 to 1e30 with some -0,
 * and every fifth one is a cast of int32 values (on cpu, float32 backed by an Int32Array).
 */
export function randomTensor(shape: number[], dtype: Moved, seed: number): tf.Tensor {
  const r = rng(seed);
  const n = size(shape);
  if (dtype === 'bool')
    return tf.tensor(
      Uint8Array.from({ length: n }, () => +(r() < 0.5)),
      shape,
      'bool',
    );
  const ints = Int32Array.from({ length: n }, () => randInt(r, -(2 ** 31), 2 ** 31 - 1));
  if (dtype === 'int32') return tf.tensor(ints, shape, 'int32');
  if (seed % 5 === 0) return tf.tidy(() => tf.cast(tf.tensor(ints, shape, 'int32'), 'float32'));
  const floats = Float32Array.from({ length: n }, () =>
    r() < 0.05 ? -0 : (r() - 0.5) * 10 ** randInt(r, -30, 30),
  );
  return tf.tensor(floats, shape, 'float32');
}

/** Expects `kernel` to give the stock kernel's outputs (dtype, shape, bits) or its error. */
export function expectStock(
  kernel: string,
  inputs: Record<string, tf.Tensor> | tf.Tensor[],
  attrs: object,
): void {
  const shapes = Object.values(inputs).map((t: tf.Tensor) => [t.dtype, t.shape]);
  expect(
    diffFromStock(kernel, inputs, attrs),
    `${kernel} ${JSON.stringify([shapes, attrs])}`,
  ).toBeNull();
}
