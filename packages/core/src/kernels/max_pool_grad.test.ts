import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from '../backend.js';
import '../register.js';
import { maxPool2d } from '../layers/pool.js';
import {
  computeOn,
  lossAt,
  numericGradient,
  randInt,
  randomValues,
  relativeError,
  rng,
} from './testing.js';

/** Distinct values (a shuffled arithmetic sequence around 0), so no window has a tie. */
function distinctValues(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const v = Float32Array.from({ length: n }, (_, i) => (i - n / 2) * 0.05);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return v;
}

describe('MaxPoolGrad on wasm', () => {
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('matches the cpu kernel on 30 random pools (explicit, same, valid padding; negative values)', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = rng(seed);
      const k: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
      const s: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
      const kind = seed % 3;
      const pad =
        kind === 0
          ? 'valid'
          : kind === 1
            ? 'same'
            : [
                [0, 0],
                [randInt(r, 0, k[0] >> 1), randInt(r, 0, k[0] >> 1)],
                [randInt(r, 0, k[1] >> 1), randInt(r, 0, k[1] >> 1)],
                [0, 0],
              ];
      const shape = [randInt(r, 1, 3), randInt(r, k[0], 8), randInt(r, k[1], 8), randInt(r, 1, 4)];
      const xv = distinctValues(tf.util.sizeFromShape(shape), seed);
      // Mostly negative values: windows over the padding must still pick a real pixel.
      for (let i = 0; i < xv.length; i++) xv[i] = xv[i]! - 0.5 * Math.abs(xv[i]!);
      const grad = () =>
        tf.grad((x: tf.Tensor) => {
          const y = tf.maxPool(x as tf.Tensor4D, k, s, pad as never);
          return tf.sum(tf.mul(y, tf.tensor(randomValues(y.size, seed + 100), y.shape)));
        })(tf.tensor(xv, shape));
      const [cpu] = await computeOn('cpu', grad);
      const [wasm] = await computeOn('wasm', grad);
      expect(
        relativeError(wasm!.values, cpu!.values),
        JSON.stringify({ k, s, pad, shape }),
      ).toBeLessThan(1e-5);
    }
  });

  it("fixes tfjs-wasm's stock kernel: an all-negative window over padding still gets its gradient", async () => {
    await setBackend('wasm');
    const x = tf.tensor4d([-3, -1, -2, -4], [1, 2, 2, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'same')))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 1, 0, 0]);
    const g2 = tf.grad((t: tf.Tensor) =>
      tf.sum(maxPool2d(t as tf.Tensor4D, { kernelSize: 3, stride: 1, padding: 1 })),
    )(x);
    // Every 3x3 window (padding 1) covers all four pixels: -1 wins all four.
    expect(Array.from(g2.dataSync())).toEqual([0, 4, 0, 0]);
    tf.dispose([x, g, g2]);
  });

  it("gives archzoo's maxPool2d gradient equal to central differences on wasm", async () => {
    await setBackend('wasm');
    const shape = [2, 5, 6, 3];
    const xv = distinctValues(tf.util.sizeFromShape(shape), 7);
    const loss = (x: tf.Tensor): tf.Scalar => {
      const y = maxPool2d(x as tf.Tensor4D, {
        kernelSize: [3, 2],
        stride: [2, 1],
        padding: [1, 1],
      });
      return tf.sum(tf.mul(y, tf.tensor(randomValues(y.size, 8), y.shape)));
    };
    const g = tf.grad(loss)(tf.tensor(xv, shape));
    // h below half the spacing of the values keeps every window's winner in place.
    const numeric = numericGradient((v) => lossAt([v], [shape], loss), xv, 0.01);
    expect(relativeError(g.dataSync(), numeric)).toBeLessThan(2e-3);
    g.dispose();
  });
});
