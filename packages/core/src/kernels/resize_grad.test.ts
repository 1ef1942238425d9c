import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackendName } from '../backend.js';
import { setBackend } from '../backend.js';
import '../register.js';
import { Upsample } from '../layers/upsample.js';
import { computeOn, lossAt, numericGradient, randomValues, relativeError } from './testing.js';

type Resize = (
  x: tf.Tensor4D,
  size: [number, number],
  alignCorners: boolean,
  halfPixelCenters: boolean,
) => tf.Tensor4D;

const OPS: [string, Resize][] = [
  ['resizeBilinear', (x, s, ac, hp) => tf.image.resizeBilinear(x, s, ac, hp)],
  ['resizeNearestNeighbor', (x, s, ac, hp) => tf.image.resizeNearestNeighbor(x, s, ac, hp)],
];

/** [input shape, output size]: up, down, non-square, batch > 1, 1-pixel sides. */
const SIZES: [number[], [number, number]][] = [
  [
    [2, 4, 5, 3],
    [8, 9],
  ],
  [
    [1, 4, 4, 2],
    [8, 8],
  ],
  [
    [2, 5, 7, 2],
    [3, 4],
  ],
  [
    [1, 3, 5, 1],
    [7, 2],
  ],
  [
    [2, 1, 3, 2],
    [4, 1],
  ],
];

/** [alignCorners, halfPixelCenters] as tfjs allows them (not both). */
const MODES: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
];

describe('ResizeBilinearGrad / ResizeNearestNeighborGrad (wasm and cpu)', () => {
  afterAll(async () => {
    await setBackend('cpu');
  });

  for (const backend of ['wasm', 'cpu'] as BackendName[]) {
    for (const [name, resize] of OPS) {
      it(`${name}'s gradient equals central differences on ${backend} in every mode and size`, async () => {
        await setBackend(backend);
        for (const [shape, size] of SIZES) {
          for (const [ac, hp] of MODES) {
            const xv = randomValues(tf.util.sizeFromShape(shape), shape.length + size[0]);
            const loss = (x: tf.Tensor): tf.Scalar => {
              const y = resize(x as tf.Tensor4D, size, ac, hp);
              return tf.sum(tf.mul(y, tf.tensor(randomValues(y.size, 5), y.shape)));
            };
            const g = tf.grad(loss)(tf.tensor(xv, shape));
            const label = JSON.stringify({ shape, size, alignCorners: ac, halfPixelCenters: hp });
            expect(g.shape, label).toEqual(shape);
            // The loss is linear in x, so central differences are exact up to rounding.
            const numeric = numericGradient((v) => lossAt([v], [shape], loss), xv, 0.5);
            expect(relativeError(g.dataSync(), numeric), label).toBeLessThan(1e-4);
            g.dispose();
          }
        }
      });
    }
  }

  it("gives archzoo's Upsample (bilinear, half-pixel; nearest) the same gradient on wasm and cpu", async () => {
    const shape = [2, 3, 4, 2];
    const xv = randomValues(tf.util.sizeFromShape(shape), 11);
    for (const mode of ['bilinear', 'nearest'] as const) {
      const up = new Upsample({ scaleFactor: [2, 1.5], mode });
      const grad = () =>
        tf.grad((x: tf.Tensor) => tf.sum(tf.square(up.forward(x))))(tf.tensor(xv, shape));
      const [cpu] = await computeOn('cpu', grad);
      const [wasm] = await computeOn('wasm', grad);
      expect(relativeError(wasm!.values, cpu!.values), mode).toBeLessThan(1e-5);
    }
  });
});
