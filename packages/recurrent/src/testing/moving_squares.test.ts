import { testBackends, useBackend } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { movingSquares } from './moving_squares.js';

describe('movingSquares', () => {
  beforeAll(() => useBackend(testBackends()[0]!));
  it('draws one square per frame that moves by at most one pixel per axis', () => {
    const frames = movingSquares({ count: 5, length: 8, seed: 3 });
    expect(frames.shape).toEqual([8, 5, 12, 12, 1]);
    const v = frames.arraySync() as number[][][][][];
    for (let b = 0; b < 5; b++) {
      let prev: [number, number] | null = null;
      for (let t = 0; t < 8; t++) {
        const img = v[t]![b]!;
        const on: [number, number][] = [];
        img.forEach((row, i) => {
          row.forEach((px, j) => {
            if (px[0] === 1) on.push([i, j]);
          });
        });
        expect(on.length).toBe(9);
        const top: [number, number] = [
          Math.min(...on.map((p) => p[0])),
          Math.min(...on.map((p) => p[1])),
        ];
        if (prev) {
          expect(Math.abs(top[0] - prev[0])).toBeLessThanOrEqual(1);
          expect(Math.abs(top[1] - prev[1])).toBeLessThanOrEqual(1);
          expect(top).not.toEqual(prev); // it always moves
        }
        prev = top;
      }
    }
    frames.dispose();
  });

  it('is seeded', () => {
    const a = movingSquares({ count: 3, length: 4, seed: 9 });
    const b = movingSquares({ count: 3, length: 4, seed: 9 });
    const c = movingSquares({ count: 3, length: 4, seed: 10 });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([a, b, c]);
  });
});
