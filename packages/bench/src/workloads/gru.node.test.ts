import { setBackend } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../harness.js';
import { gruB32T50H128 } from './gru.js';
import { stepPeakBytes, torchUnavailable } from './rnn_common.js';

describe('gru_b32_t50_h128', () => {
  beforeAll(async () => {
    await setBackend('wasm');
  });
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('names its impls, archzoo the reference', () => {
    expect(gruB32T50H128.reference).toBe('archzoo');
    expect(gruB32T50H128.impls.map((i) => i.name)).toEqual([
      'archzoo',
      'archzoo.GRU',
      'tfjs-layers',
      'tfjs-layers (stock tfjs kernels)',
      'pytorch-1thread',
    ]);
  });

  for (const name of [
    'archzoo',
    'archzoo.GRU',
    'tfjs-layers',
    'tfjs-layers (stock tfjs kernels)',
  ]) {
    it(`${name}: steps give a finite, falling loss and dispose frees every tensor`, async () => {
      const impl = gruB32T50H128.impls.find((i) => i.name === name)!;
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
      workloads: [gruB32T50H128],
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
    else expect(torch.steps).toBe(1);
  });

  it("archzoo's step peaks at fewer tensor bytes than tfjs-layers'", async () => {
    const impl = (n: string) => gruB32T50H128.impls.find((i) => i.name === n)!;
    const ctx = { backend: 'wasm' as const, seed: 0 };
    const ours = await stepPeakBytes(impl('archzoo'), ctx);
    const theirs = await stepPeakBytes(impl('tfjs-layers'), ctx);
    expect(ours).toBeGreaterThan(0);
    expect(ours).toBeLessThanOrEqual(theirs);
  });
});
