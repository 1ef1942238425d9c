import { setBackend, stockKernel } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../harness.js';
import { lstmB32T50H128 } from './lstm.js';
import { stepPeakBytes, torchUnavailable, withStockKernels } from './rnn_common.js';

describe('lstm_b32_t50_h128', () => {
  beforeAll(async () => {
    await setBackend('wasm');
  });
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('names its impls, archzoo the reference', () => {
    expect(lstmB32T50H128.reference).toBe('archzoo');
    expect(lstmB32T50H128.impls.map((i) => i.name)).toEqual([
      'archzoo',
      'archzoo.LSTM',
      'tfjs-layers',
      'tfjs-layers (stock tfjs kernels)',
      'pytorch-1thread',
    ]);
  });

  for (const name of [
    'archzoo',
    'archzoo.LSTM',
    'tfjs-layers',
    'tfjs-layers (stock tfjs kernels)',
  ]) {
    it(`${name}: steps give a finite, falling loss and dispose frees every tensor`, async () => {
      const impl = lstmB32T50H128.impls.find((i) => i.name === name)!;
      const before = tf.memory().numTensors;
      const trainer = await impl.create({ backend: 'wasm', seed: 0 });
      const l1 = await trainer.step();
      const l2 = await trainer.step();
      expect(Number.isFinite(l1) && Number.isFinite(l2)).toBe(true);
      expect(l2).toBeLessThan(l1); // the same batch twice: Adam lowers its loss
      trainer.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('runs through the harness and reports one row per impl (PyTorch: a row either way)', async () => {
    const records = await runBench({
      workloads: [lstmB32T50H128],
      backends: ['wasm'],
      impls: ['archzoo', 'pytorch-1thread'],
      warmup: 0,
      steps: 1,
      minSteps: 1,
    });
    expect(records.map((r) => r.impl)).toEqual(['archzoo', 'pytorch-1thread']);
    expect(records[0]!.steps).toBe(1);
    const torch = records[1]!;
    if (torchUnavailable()) expect(torch.error).toMatch(/PyTorch row unavailable/);
    else {
      expect(torch.steps).toBe(1);
      expect(torch.note).toMatch(/^torch .*, (openblas|reference BLAS|mkl|blis|unknown BLAS)$/);
    }
  });

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

  it("archzoo's step peaks at fewer tensor bytes than tfjs-layers'", async () => {
    const impl = (n: string) => lstmB32T50H128.impls.find((i) => i.name === n)!;
    const ctx = { backend: 'wasm' as const, seed: 0 };
    const ours = await stepPeakBytes(impl('archzoo'), ctx);
    const theirs = await stepPeakBytes(impl('tfjs-layers'), ctx);
    expect(ours).toBeGreaterThan(0);
    expect(ours).toBeLessThanOrEqual(theirs);
  });
});
