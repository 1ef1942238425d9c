import { stockKernel } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { lstmB32T50H128 } from './lstm.js';
import { withStockKernels } from './rnn_common.js';
import { rnnWorkloadTests } from './testing/rnn_workload.js';

describe('lstm_b32_t50_h128', () => {
  rnnWorkloadTests(lstmB32T50H128, { layerImpl: 'archzoo.LSTM' });

  it("withStockKernels runs on the stock kernels and puts archzoo's back, also after a throw", async () => {
    const ours = tf.getKernel(tf.Slice, 'wasm')!.kernelFunc;
    expect(stockKernel(tf.Slice, 'wasm')).toBeDefined();
    const inside = withStockKernels(() => tf.getKernel(tf.Slice, 'wasm')!.kernelFunc);
    expect(inside).not.toBe(ours);
    expect(tf.getKernel(tf.Slice, 'wasm')!.kernelFunc).toBe(ours);
    const r = tf.range(0, 6);
    const sliced = withStockKernels(() => tf.slice(r, [2], [3]));
    expect(Array.from(await sliced.data())).toEqual([2, 3, 4]);
    expect(() =>
      withStockKernels(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(tf.getKernel(tf.Slice, 'wasm')!.kernelFunc).toBe(ours);
    tf.dispose([r, sliced]);
  });
});
