/**
 * The tests every recurrent workload (`lstm_b32_t50_h128`, `gru_b32_t50_h128`) passes: its impls
 * and reference, a falling loss and no tensor left behind for each tfjs impl, a run through the
 * harness with its PyTorch row, and a step that peaks at fewer tensor bytes than tfjs-layers'.
 * Test-only: the build and the published files leave `testing/` out.
 */

import { setBackend } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runBench, type Workload } from '../../harness.js';
import { stepPeakBytes, torchUnavailable } from '../rnn_common.js';

/** What differs between the recurrent workloads' tests. */
export interface RnnWorkloadTestOptions {
  /** Name of the impl built on archzoo's recurrent layer, e.g. 'archzoo.LSTM'. */
  layerImpl: string;
}

/**
 * Adds the shared tests of a recurrent workload to the enclosing `describe`, on the wasm backend
 * (the cpu backend is set again afterwards).
 */
export function rnnWorkloadTests(workload: Workload, o: RnnWorkloadTestOptions): void {
  const impl = (name: string) => workload.impls.find((i) => i.name === name)!;

  beforeAll(async () => {
    await setBackend('wasm');
  });
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('names its impls, archzoo the reference', () => {
    expect(workload.reference).toBe('archzoo');
    expect(workload.impls.map((i) => i.name)).toEqual([
      'archzoo',
      o.layerImpl,
      'tfjs-layers',
      'tfjs-layers (stock tfjs kernels)',
      'pytorch-1thread',
    ]);
  });

  for (const name of ['archzoo', o.layerImpl, 'tfjs-layers', 'tfjs-layers (stock tfjs kernels)']) {
    it(`${name}: steps give a finite, falling loss and dispose frees every tensor`, async () => {
      const before = tf.memory().numTensors;
      const trainer = await impl(name).create({ backend: 'wasm', seed: 0 });
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
      workloads: [workload],
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

  it("archzoo's step peaks at fewer tensor bytes than tfjs-layers'", async () => {
    const ctx = { backend: 'wasm' as const, seed: 0 };
    const ours = await stepPeakBytes(impl('archzoo'), ctx);
    const theirs = await stepPeakBytes(impl('tfjs-layers'), ctx);
    expect(ours).toBeGreaterThan(0);
    expect(ours).toBeLessThanOrEqual(theirs);
  });
}
