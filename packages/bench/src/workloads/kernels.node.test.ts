import { setBackend } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../harness.js';
import { formatTable, referencesOf, toJsonLine, withRatios } from '../report.js';
import { KERNEL_WORKLOADS } from './kernels.js';

// Checks that every kernel micro-benchmark runs and produces its rows (not how fast).
describe('kernel micro-benchmarks', () => {
  beforeAll(async () => {
    await setBackend('wasm');
  });
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('each runs stock (the reference) and archzoo on wasm and cpu, with GB/s for data movement', async () => {
    const before = tf.memory().numTensors;
    const records = await runBench({
      workloads: KERNEL_WORKLOADS,
      backends: ['wasm', 'cpu'],
      steps: 1,
      warmup: 0,
      minSteps: 1,
    });
    expect(tf.memory().numTensors).toBe(before);
    for (const r of records)
      expect(r.error, `${r.workload} ${r.impl} ${r.backend}`).toBeUndefined();
    for (const w of KERNEL_WORKLOADS) {
      expect(w.reference).toBe('stock');
      for (const backend of ['wasm', 'cpu']) {
        const rows = records.filter((r) => r.workload === w.name && r.backend === backend);
        expect(rows.map((r) => r.impl)).toEqual(w.impls.map((i) => i.name));
        for (const r of rows) {
          expect(r.msPerStep).toBeGreaterThan(0);
          if (w.bytesPerStep === undefined) expect(r.gbPerS).toBeUndefined();
          else expect(r.gbPerS).toBeCloseTo(w.bytesPerStep / (r.msPerStep! * 1e6), 9);
        }
      }
    }
    const matmul = KERNEL_WORKLOADS.find((w) => w.name.startsWith('kernel_matmul'))!;
    expect(matmul.impls.map((i) => i.name)).toEqual([
      'stock',
      'archzoo',
      'archzoo (new weight)',
      'pre-transposed',
      'pre-transposed (new weight)',
    ]);
    const table = formatTable(withRatios(records, referencesOf(KERNEL_WORKLOADS)));
    expect(table).toContain('kernel_unpack_32x50x512_axis1');
    expect(table).toMatch(/GB\/s/);
    expect(JSON.parse(toJsonLine(records[0]!)).gbPerS).toBeTypeOf('number');
  });
});
