import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from '../backend.js';
import '../register.js';
import {
  computeOn,
  lossAt,
  numericGradient,
  randInt,
  randomValues,
  relativeError,
  rng,
  runKernel,
} from './testing.js';

describe('UnsortedSegmentSum on wasm', () => {
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('matches the cpu kernel for random ids (out of order, repeated, some out of range) and shapes', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = rng(seed);
      const numSegments = randInt(r, 1, 6);
      // tfjs documents 1-D ids (the cpu kernel reads n-D ids differently from TensorFlow).
      const idShape = [randInt(r, 1, 9)];
      const innerShape = Array.from({ length: randInt(r, 0, 3) }, () => randInt(r, 1, 4));
      const xShape = [...idShape, ...innerShape];
      const ids = Int32Array.from({ length: tf.util.sizeFromShape(idShape) }, () =>
        randInt(r, -1, numSegments),
      );
      const x = randomValues(tf.util.sizeFromShape(xShape), seed);
      const run = () =>
        runKernel(
          tf.UnsortedSegmentSum,
          { x: tf.tensor(x, xShape), segmentIds: tf.tensor(ids, idShape, 'int32') },
          { numSegments },
        );
      const [cpu] = await computeOn('cpu', run);
      const [wasm] = await computeOn('wasm', run);
      const label = JSON.stringify({ xShape, ids: Array.from(ids), numSegments });
      expect(wasm!.shape, label).toEqual([numSegments, ...innerShape]);
      expect(relativeError(wasm!.values, cpu!.values), label).toBeLessThan(1e-5);
    }
  });

  it('sums known values: repeated and unordered ids accumulate, missing segments stay zero', async () => {
    await setBackend('wasm');
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    const ids = tf.tensor1d([2, 0, 2, 7], 'int32'); // 7 is out of range: dropped
    const out = tf.unsortedSegmentSum(x, ids, 4);
    expect(out.shape).toEqual([4, 2]);
    expect(Array.from(out.dataSync())).toEqual([3, 4, 0, 0, 6, 8, 0, 0]);
    const xi = tf.tensor1d([5, -2, 9], 'int32');
    const outI = tf.unsortedSegmentSum(xi, tf.tensor1d([1, 1, 0], 'int32'), 2);
    expect(outI.dtype).toBe('int32');
    expect(Array.from(outI.dataSync())).toEqual([9, 3]);
    // n-D ids as in TensorFlow: ids [2, 2] over x [2, 2, 1] -> [numSegments, 1].
    const x3 = tf.tensor3d([
      [[1], [2]],
      [[4], [8]],
    ]);
    const ids3 = tf.tensor2d(
      [
        [1, 0],
        [1, 1],
      ],
      [2, 2],
      'int32',
    );
    const out3 = runKernel(tf.UnsortedSegmentSum, { x: x3, segmentIds: ids3 }, { numSegments: 2 });
    expect(out3.shape).toEqual([2, 1]);
    expect(Array.from(out3.dataSync())).toEqual([2, 13]);
    tf.dispose([x, ids, out, xi, outI, x3, ids3, out3]);
  });

  it('gives tf.gather gradients (axis 0 and 1, repeated indices) equal to cpu and to central differences', async () => {
    const cases: { shape: number[]; indices: number[]; idxShape: number[]; axis: number }[] = [
      { shape: [5, 3], indices: [4, 0, 3, 3, 1, 4], idxShape: [6], axis: 0 },
      { shape: [6, 4], indices: [5, 2, 2, 0, 5, 5], idxShape: [2, 3], axis: 0 },
      { shape: [2, 5, 3], indices: [1, 4, 1], idxShape: [3], axis: 1 },
    ];
    for (const [i, c] of cases.entries()) {
      const wv = randomValues(tf.util.sizeFromShape(c.shape), 60 + i);
      const loss = (w: tf.Tensor): tf.Scalar => {
        const y = tf.gather(w, tf.tensor(c.indices, c.idxShape, 'int32'), c.axis);
        const r = tf.tensor(randomValues(y.size, 97), y.shape);
        return tf.add(tf.mul(0.5, tf.sum(tf.square(y))), tf.sum(tf.mul(y, r)));
      };
      const grad = () => tf.grad(loss)(tf.tensor(wv, c.shape));
      const [cpu] = await computeOn('cpu', grad);
      const [wasm] = await computeOn('wasm', grad);
      expect(wasm!.shape).toEqual(c.shape);
      expect(relativeError(wasm!.values, cpu!.values)).toBeLessThan(1e-5);
      expect(
        relativeError(
          wasm!.values,
          numericGradient((v) => lossAt([v], [c.shape], loss), wv),
        ),
      ).toBeLessThan(2e-3);
    }
  });

  it('leaks no tensor over repeated gather gradients', async () => {
    await setBackend('wasm');
    const w = tf.tensor(randomValues(20, 3), [5, 4]);
    const idx = tf.tensor1d([3, 1, 3, 0], 'int32');
    const f = (t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, idx)));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.dispose(tf.grad(f)(w));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, idx]);
  });
});
