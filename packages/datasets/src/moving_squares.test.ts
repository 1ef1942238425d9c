import { ArchzooError, Generator } from '@archzoo/core';
import { testBackends, useBackend } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeMovingSquares } from './moving_squares.js';

/** Top-left corner of the lit pixels of one `[size, size, 1]` frame, and how many are lit. */
function square(img: number[][][]): { top: [number, number]; lit: number } {
  const on: [number, number][] = [];
  img.forEach((row, i) => {
    row.forEach((px, j) => {
      if (px[0] === 1) on.push([i, j]);
    });
  });
  const top: [number, number] = [
    Math.min(...on.map((p) => p[0])),
    Math.min(...on.map((p) => p[1])),
  ];
  return { top, lit: on.length };
}

for (const backend of testBackends()) {
  describe(`makeMovingSquares [${backend}]`, () => {
    beforeAll(() => useBackend(backend));

    it('draws one square per frame that moves by at most one pixel per axis', () => {
      const before = tf.memory().numTensors;
      const frames = makeMovingSquares({ nSamples: 5, length: 8, seed: 3 });
      expect(frames.shape).toEqual([8, 5, 12, 12, 1]);
      expect(frames.dtype).toBe('float32');
      const v = frames.arraySync();
      for (let b = 0; b < 5; b++) {
        let prev: [number, number] | null = null;
        for (let t = 0; t < 8; t++) {
          const { top, lit } = square(v[t]![b]!);
          expect(lit).toBe(9);
          if (prev) {
            expect(Math.abs(top[0] - prev[0])).toBeLessThanOrEqual(1);
            expect(Math.abs(top[1] - prev[1])).toBeLessThanOrEqual(1);
            expect(top).not.toEqual(prev); // it always moves
          }
          prev = top;
        }
      }
      frames.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('takes size and squareSize, and bounces inside the frame', () => {
      const frames = makeMovingSquares({
        nSamples: 4,
        length: 30,
        size: 6,
        squareSize: 2,
        seed: 1,
      });
      expect(frames.shape).toEqual([30, 4, 6, 6, 1]);
      const v = frames.arraySync();
      for (let t = 0; t < 30; t++) {
        for (let b = 0; b < 4; b++) expect(square(v[t]![b]!).lit).toBe(4);
      }
      frames.dispose();
    });

    it('is seeded: the same seed (or generator state) gives the same frames', () => {
      const a = makeMovingSquares({ nSamples: 3, length: 4, seed: 9 });
      const b = makeMovingSquares({ nSamples: 3, length: 4, seed: 9 });
      const c = makeMovingSquares({ nSamples: 3, length: 4, seed: 10 });
      const d = makeMovingSquares({ nSamples: 3, length: 4, generator: new Generator(9) });
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      expect(Array.from(a.dataSync())).toEqual(Array.from(d.dataSync()));
      expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
      tf.dispose([a, b, c, d]);
    });

    it('runs the documented example, and has the documented defaults', () => {
      const frames = makeMovingSquares({ nSamples: 8, length: 6, seed: 0 });
      expect(frames.shape).toEqual([6, 8, 12, 12, 1]);
      const defaults = makeMovingSquares();
      const seed0 = makeMovingSquares({ seed: 0 });
      expect(defaults.shape).toEqual([10, 16, 12, 12, 1]);
      expect(Array.from(defaults.dataSync())).toEqual(Array.from(seed0.dataSync()));
      tf.dispose([frames, defaults, seed0]);
    });

    it('rejects bad options', () => {
      expect(() => makeMovingSquares({ squareSize: 12 })).toThrow(ArchzooError);
      expect(() => makeMovingSquares({ length: 0 })).toThrow(ArchzooError);
      expect(() => makeMovingSquares({ nSamples: -1 })).toThrow(ArchzooError);
    });
  });
}
