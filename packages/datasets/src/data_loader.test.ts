import { ArchzooError, Generator } from '@archzoo/core';
import { testBackends, useBackend } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataLoader } from './data_loader.js';

/** x [N, 2] with rows (i, -i), y [N] = 2 i: every batch can be checked for alignment. */
function data(n: number) {
  const idx = Array.from({ length: n }, (_, i) => i);
  return {
    x: tf.tensor2d(
      idx.flatMap((i) => [i, -i]),
      [n, 2],
    ),
    y: tf.tensor1d(
      idx.map((i) => 2 * i),
      'int32',
    ),
  };
}

/** The sample ids of each batch of one epoch, checking x / y alignment and disposing batches. */
function epochIds(loader: DataLoader<{ x: tf.Tensor; y: tf.Tensor }>): number[][] {
  const out: number[][] = [];
  for (const batch of loader) {
    const xs = batch.x.arraySync() as number[][];
    const ys = Array.from(batch.y.dataSync());
    expect(batch.x.shape[1]).toBe(2);
    expect(batch.y.dtype).toBe('int32');
    xs.forEach(([a, b], i) => {
      expect(b).toBe(-a!);
      expect(ys[i]).toBe(2 * a!);
    });
    out.push(xs.map(([a]) => a!));
    tf.dispose(batch);
  }
  return out;
}

for (const backend of testBackends()) {
  describe(`DataLoader [${backend}]`, () => {
    beforeAll(() => useBackend(backend));

    it('visits every sample exactly once per epoch, in a new order each epoch', () => {
      const d = data(103);
      const loader = new DataLoader(d, { batchSize: 10, seed: 1 });
      expect(loader.size).toBe(103);
      expect(loader.length).toBe(11);
      const orders: number[][] = [];
      for (let e = 0; e < 3; e++) {
        const ids = epochIds(loader);
        expect(ids.map((b) => b.length)).toEqual([...new Array(10).fill(10), 3]);
        const flat = ids.flat();
        expect([...flat].sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
        orders.push(flat);
      }
      expect(loader.epoch).toBe(3);
      expect(orders[0]).not.toEqual(orders[1]);
      expect(orders[0]).not.toEqual(Array.from({ length: 103 }, (_, i) => i));
      tf.dispose(d);
    });

    it('dropLast leaves out the incomplete last batch', () => {
      const d = data(25);
      const loader = new DataLoader(d, { batchSize: 8, dropLast: true, seed: 2 });
      expect(loader.length).toBe(3);
      const ids = epochIds(loader);
      expect(ids.map((b) => b.length)).toEqual([8, 8, 8]);
      expect(new Set(ids.flat()).size).toBe(24);
      tf.dispose(d);
    });

    it('shuffle: false keeps the order 0..N-1', () => {
      const d = data(7);
      const ids = epochIds(new DataLoader(d, { batchSize: 3, shuffle: false }));
      expect(ids).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
      tf.dispose(d);
    });

    it('is deterministic by seed (or generator); another seed gives another order', () => {
      const d = data(50);
      const run = (opts: { seed?: number; generator?: Generator }) => {
        const loader = new DataLoader(d, { batchSize: 16, ...opts });
        return [epochIds(loader), epochIds(loader)];
      };
      expect(run({ seed: 4 })).toEqual(run({ seed: 4 }));
      expect(run({ generator: new Generator(4) })).toEqual(run({ seed: 4 }));
      expect(run({ seed: 5 })).not.toEqual(run({ seed: 4 }));
      tf.dispose(d);
    });

    it('leaks nothing: batches disposed by the caller, by forEachBatch, or after a break', async () => {
      const d = data(40);
      const before = tf.memory().numTensors;
      const loader = new DataLoader(d, { batchSize: 6, seed: 0 });
      for (const batch of loader) tf.dispose(batch);
      expect(tf.memory().numTensors).toBe(before);

      let seen = 0;
      await loader.forEachBatch(async (batch, i) => {
        expect(i).toBe(seen++);
        expect(batch.x.shape[0]).toBeLessThanOrEqual(6);
      });
      expect(seen).toBe(7);
      expect(tf.memory().numTensors).toBe(before);

      await expect(
        loader.forEachBatch(() => {
          throw new Error('step failed');
        }),
      ).rejects.toThrow('step failed');
      expect(tf.memory().numTensors).toBe(before);

      for (const batch of loader) {
        tf.dispose(batch);
        break; // the rest of the epoch is never materialized
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(d.x.isDisposed).toBe(false); // the loader does not own its tensors
      tf.dispose(d);
    });

    it('works with any number of aligned tensors of any rank and dtype', () => {
      const images = tf.zeros([5, 4, 4, 1]);
      const mask = tf.tensor1d([true, false, true, false, true], 'bool');
      const loader = new DataLoader({ images, mask }, { batchSize: 2, seed: 0 });
      const shapes = [...loader].map((b) => {
        const s = [b.images.shape, b.mask.shape, b.mask.dtype];
        tf.dispose(b);
        return s;
      });
      expect(shapes).toEqual([
        [[2, 4, 4, 1], [2], 'bool'],
        [[2, 4, 4, 1], [2], 'bool'],
        [[1, 4, 4, 1], [1], 'bool'],
      ]);
      tf.dispose([images, mask]);
    });

    it('rejects bad input with ArchzooErrors', () => {
      const a = tf.zeros([4, 2]);
      const b = tf.zeros([5]);
      const gone = tf.zeros([4]);
      gone.dispose();
      const s = tf.scalar(1);
      expect(() => new DataLoader({ a, b }, { batchSize: 2 })).toThrow(/'b' has 5, expected 4/);
      expect(() => new DataLoader({ a }, { batchSize: 0 })).toThrow(
        /batchSize expected a positive integer, got 0/,
      );
      expect(() => new DataLoader({}, { batchSize: 1 })).toThrow(/at least one tf.Tensor/);
      expect(() => new DataLoader({ gone }, { batchSize: 1 })).toThrow(
        /'gone' is a disposed tensor/,
      );
      expect(() => new DataLoader({ s }, { batchSize: 1 })).toThrow(/expected rank >= 1/);
      expect(() => new DataLoader({ a: [1, 2] as unknown as tf.Tensor }, { batchSize: 1 })).toThrow(
        ArchzooError,
      );
      tf.dispose([a, b, s]);
    });
  });
}
