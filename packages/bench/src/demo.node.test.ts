import { Generator, setBackend } from '@archzoo/core';
import { testBackends } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo, twoMoons } from './demo.js';

describe('twoMoons', () => {
  it('is seeded, balanced, and puts the classes on their half circles', () => {
    const a = twoMoons(100, 0, new Generator(1));
    const b = twoMoons(100, 0, new Generator(1));
    expect(Array.from(a.points)).toEqual(Array.from(b.points));
    expect(a.labels.filter((l) => l === 1)).toHaveLength(50);
    for (let i = 0; i < 100; i++) {
      // Undo the centring; without noise class 0 lies on the unit circle around (0, 0),
      // class 1 on the unit circle around (1, 0.5).
      const x = a.points[2 * i]! + 0.5;
      const y = a.points[2 * i + 1]! + 0.25;
      const [cx, cy] = a.labels[i] === 0 ? [0, 0] : [1, 0.5];
      expect(Math.hypot(x - cx, y - cy)).toBeCloseTo(1, 5);
    }
  });
});

describe('runDemo', () => {
  beforeAll(async () => {
    await setBackend('cpu');
  });
  afterAll(async () => {
    await setBackend('cpu');
  });

  for (const backend of testBackends()) {
    it(`reduces the loss on ${backend} (60 steps) without leaking tensors`, async () => {
      const lines: string[] = [];
      const before = tf.memory().numTensors;
      const r = await runDemo({ steps: 60, logEvery: 20, backend, log: (l) => lines.push(l) });
      expect(r.backend).toBe(backend);
      expect(r.losses).toHaveLength(61);
      expect(r.losses[0]).toBeGreaterThan(0.5);
      expect(r.losses[60]!).toBeLessThan(0.6 * r.losses[0]!);
      expect(r.trainAccuracy).toBeGreaterThan(0.75);
      expect(r.numParameters).toBe(2 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2);
      // Loss lines at steps 0, 20, 40 and the final one at 60.
      expect(
        lines
          .filter((l) => /^step +\d+ +loss \d\.\d{4}/.test(l))
          .map((l) => Number(l.split(/\s+/)[1])),
      ).toEqual([0, 20, 40, 60]);
      expect(lines.at(-1)).toMatch(/^accuracy: train \d+\.\d%, test \d+\.\d%/);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('is deterministic for a seed', async () => {
    const quiet = () => {};
    const a = await runDemo({ steps: 5, backend: 'cpu', seed: 3, log: quiet });
    const b = await runDemo({ steps: 5, backend: 'cpu', seed: 3, log: quiet });
    expect(a.losses).toEqual(b.losses);
  });
});
