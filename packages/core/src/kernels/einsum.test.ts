import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from '../backend.js';
import '../register.js';
import { computeOn, randomValues, relativeError } from './testing.js';

/** [equation, input shapes]: matmul, batched matmul, outer product, transpose, traces, reductions. */
const CASES: [string, number[][]][] = [
  [
    'ij,jk->ik',
    [
      [3, 4],
      [4, 5],
    ],
  ],
  [
    'bij,bjk->bik',
    [
      [2, 3, 4],
      [2, 4, 2],
    ],
  ],
  ['i,j->ij', [[3], [4]]],
  ['ij->ji', [[3, 5]]],
  ['ij->', [[3, 5]]],
  ['ijk->ki', [[2, 3, 4]]],
  [
    'ij,ij->i',
    [
      [4, 3],
      [4, 3],
    ],
  ],
  [
    'bhqd,bhkd->bhqk',
    [
      [2, 2, 3, 4],
      [2, 2, 5, 4],
    ],
  ],
  ['i,i->', [[6], [6]]],
];

describe('Einsum on wasm', () => {
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('matches the cpu kernel on matmuls, outer products, transposes and reductions', async () => {
    for (const [i, [equation, shapes]] of CASES.entries()) {
      const values = shapes.map((s, k) => randomValues(tf.util.sizeFromShape(s), 10 * i + k));
      const run = () => tf.einsum(equation, ...values.map((v, k) => tf.tensor(v, shapes[k])));
      const [cpu] = await computeOn('cpu', run);
      const [wasm] = await computeOn('wasm', run);
      expect(wasm!.shape, equation).toEqual(cpu!.shape);
      expect(relativeError(wasm!.values, cpu!.values), equation).toBeLessThan(1e-5);
    }
  });

  it('computes known values, int32 included, and rejects mismatched sizes', async () => {
    await setBackend('wasm');
    const a = tf.tensor2d(
      [
        [1, 2],
        [3, 4],
      ],
      [2, 2],
      'int32',
    );
    const b = tf.tensor2d(
      [
        [5, 6],
        [7, 8],
      ],
      [2, 2],
      'int32',
    );
    const y = tf.einsum('ij,jk->ik', a, b);
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual([19, 22, 43, 50]);
    const c = tf.ones([3, 2]);
    expect(() => tf.einsum('ij,jk->ik', tf.ones([2, 2]), c)).toThrow(/label 'j'/);
    tf.dispose([a, b, y, c]);
  });
});
