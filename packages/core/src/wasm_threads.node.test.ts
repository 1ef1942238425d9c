// The threaded wasm backend (opt-in, Node): loads, runs 2 XNNPACK threads, gives the cpu results.
// Its own test file, so that wasm is first activated here, with threads.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from './backend.js';
import './register.js';
import { computeOn, randomValues, relativeError } from './kernels/testing.js';

describe("setBackend('wasm', { wasmThreads: 2 })", () => {
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('runs tfjs-wasm with 2 threads and matches the cpu backend', async () => {
    await setBackend('wasm', { wasmThreads: 2 });
    const backend = tf.backend() as unknown as { wasm: { tfjs: { getThreadsCount(): number } } };
    expect(backend.wasm.tfjs.getThreadsCount()).toBe(2);
    const x = randomValues(8 * 12 * 12 * 4, 1);
    const w = randomValues(3 * 3 * 4 * 16, 2);
    const a = randomValues(64 * 300, 3);
    const b = randomValues(200 * 300, 4);
    const run = () => [
      tf.conv2d(tf.tensor4d(x, [8, 12, 12, 4]), tf.tensor4d(w, [3, 3, 4, 16]), 1, 'same'),
      tf.matMul(tf.tensor2d(a, [64, 300]), tf.tensor2d(b, [200, 300]), false, true),
    ];
    const cpu = await computeOn('cpu', run);
    const wasm = await computeOn('wasm', run);
    for (const [i, out] of wasm.entries())
      expect(relativeError(out.values, cpu[i]!.values)).toBeLessThan(1e-5);
  });
});
