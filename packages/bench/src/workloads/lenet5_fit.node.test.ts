import { setBackend } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../harness.js';
import { FIT_BATCHES, lenet5B64Fit } from './lenet5_fit.js';

describe('lenet5_b64_fit', () => {
  // As in lenet5.node.test.ts: wasm when it can train convolutions, else cpu.
  let backend: 'wasm' | 'cpu' = 'cpu';
  beforeAll(async () => {
    backend = tf.getKernel('Conv2DBackpropFilter', 'wasm') ? 'wasm' : 'cpu';
    await setBackend(backend);
  });
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('fit() and the hand-written loop take the same steps: equal epoch losses, falling', async () => {
    const before = tf.memory().numTensors;
    const losses: Record<string, number[]> = {};
    for (const impl of lenet5B64Fit.impls) {
      const trainer = await impl.create({ backend, seed: 0 });
      losses[impl.name] = [await trainer.step(), await trainer.step()];
      trainer.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    const [hand1, hand2] = losses['hand-loop']!;
    const [fit1, fit2] = losses.fit!;
    // Random labels: cross-entropy starts near ln 10; a second pass over the same batches is lower.
    expect(hand1).toBeGreaterThan(1.5);
    expect(hand1).toBeLessThan(4);
    expect(hand2!).toBeLessThan(hand1!);
    // Same model, optimizer and batches in the same order: the same numbers.
    expect(fit1).toBeCloseTo(hand1!, 5);
    expect(fit2).toBeCloseTo(hand2!, 5);
  });

  it('runs one tiny measurement of both impls, the hand loop (reference) first', async () => {
    expect(FIT_BATCHES).toBeGreaterThan(1);
    const records = await runBench({
      workloads: [lenet5B64Fit],
      backends: [backend],
      steps: 1,
      warmup: 0,
    });
    expect(records.map((r) => r.impl)).toEqual(['hand-loop', 'fit']);
    for (const r of records) {
      expect(r.error).toBeUndefined();
      expect(r.steps).toBe(1);
      expect(r.msPerStep).toBeGreaterThan(0);
    }
  });
});
