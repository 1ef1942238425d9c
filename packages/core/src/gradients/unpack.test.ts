import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../register.js';
import { maxAbsDiff, testBackends, useBackend } from '../testing/backends.js';
import { registerGradientFixes, unpackGradConfig } from './unpack.js';

/** Position of each flat element along `axis` of a row-major `shape`. */
function coordAlong(shape: number[], axis: number): number[] {
  const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, i) => Math.floor(i / stride) % shape[axis]!);
}

/** [2, 3, 4] with `shape[axis]` set to `size`. */
function shapeWith(axis: number, size: number): number[] {
  const shape = [2, 3, 4];
  shape[axis] = size;
  return shape;
}

/** Distinct, non-trivial weights (and inputs), one per element. */
function ramp(shape: number[], scale: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Array.from({ length: n }, (_, i) => (i + 1) * scale),
    shape,
  );
}

/** grad of sum_i sum(parts(x)[i] * parts(w)[i]) over the parts kept by `keep`; expected w there. */
function checkGrad(
  shape: number[],
  axis: number,
  parts: (t: tf.Tensor) => tf.Tensor[],
  keep: (i: number) => boolean,
  expectedKept: (coord: number) => boolean,
): void {
  const before = tf.memory().numTensors;
  const x = ramp(shape, -0.25);
  const w = ramp(shape, 0.5);
  const wParts = parts(w);
  const f = (t: tf.Tensor) =>
    tf.addN(
      parts(t)
        .map((p, i) => (keep(i) ? tf.sum(tf.mul(p, wParts[i]!)) : null))
        .filter((s): s is tf.Tensor => s !== null),
    );
  const dx = tf.grad(f)(x);
  expect(dx.shape).toEqual(shape);
  const wv = w.dataSync();
  const coords = coordAlong(shape, axis < 0 ? axis + shape.length : axis);
  const expected = coords.map((c, i) => (expectedKept(c) ? wv[i]! : 0));
  expect(maxAbsDiff(dx, expected)).toBeLessThan(1e-5);
  tf.dispose([x, w, dx, ...wParts]);
  expect(tf.memory().numTensors).toBe(before);
}

for (const backend of testBackends()) {
  describe(`Unpack and SplitV gradients on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    for (const axis of [0, 1, 2, -1]) {
      for (const size of [1, 3]) {
        const shape = shapeWith(axis < 0 ? axis + 3 : axis, size);
        it(`unstack along axis ${axis} of [${shape}]`, () => {
          const parts = (t: tf.Tensor) => tf.unstack(t, axis);
          checkGrad(
            shape,
            axis,
            parts,
            () => true,
            () => true,
          );
          // Only the first output reaches the loss: the others get zero gradient.
          checkGrad(
            shape,
            axis,
            parts,
            (i) => i === 0,
            (c) => c === 0,
          );
        });

        it(`split along axis ${axis} of [${shape}]`, () => {
          const whole = (t: tf.Tensor) => tf.split(t, 1, axis);
          checkGrad(
            shape,
            axis,
            whole,
            () => true,
            () => true,
          );
          if (size > 1) {
            const sizes = [1, size - 1];
            const halves = (t: tf.Tensor) => tf.split(t, sizes, axis);
            checkGrad(
              shape,
              axis,
              halves,
              (i) => i === 1,
              (c) => c >= 1,
            );
          }
        });
      }
    }
  });
}

describe('the corrected gradients stay registered', () => {
  beforeAll(async () => {
    await useBackend(testBackends()[0]!);
  });

  it('replace tfjs-core bundled ones on import', () => {
    expect(tf.getGradient(tf.Unpack)).toBe(unpackGradConfig);
  });

  it('survive a later registration of the stock gradient (as @tensorflow/tfjs-layers does)', () => {
    // tfjs-core 4.22's own Unpack gradient, which expects an array of dys.
    tf.registerGradient({
      kernelName: tf.Unpack,
      gradFunc: (dy, _saved, attrs) => ({
        value: () => tf.stack(dy as tf.Tensor[], attrs.axis as number),
      }),
    });
    try {
      // Stored wrapped, once: registering the wrapped config again keeps it as it is.
      const wrapped = tf.getGradient(tf.Unpack)!;
      expect(wrapped).not.toBe(unpackGradConfig);
      tf.registerGradient(wrapped);
      registerGradientFixes(); // idempotent: the registry is guarded once
      tf.registerGradient(wrapped);
      expect(tf.getGradient(tf.Unpack)).toBe(wrapped);
      const parts = (t: tf.Tensor) => tf.unstack(t, 1);
      checkGrad(
        [2, 1, 4],
        1,
        parts,
        () => true,
        () => true,
      );
      checkGrad(
        [2, 3, 4],
        1,
        parts,
        () => true,
        () => true,
      );
    } finally {
      tf.registerGradient(unpackGradConfig);
    }
  });
});
