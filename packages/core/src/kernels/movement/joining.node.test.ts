// Property tests of the kernels that join tensors or reorder one (Pack, Concat, Transpose) and of
// `transposeValues`, on cpu and wasm: on random shapes (rank 0 to 6, size-0 dimensions, runs long
// enough to be copied whole, planes big enough to be tiled), axes (negative ones included) and
// permutations, in float32, int32 and bool, the values are bit for bit the stock kernel's.
// Node only: archzoo registers these kernels on cpu and wasm, not on webgl.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../register.js';
import { useBackend } from '../../testing/backends.js';
import { randInt, rng } from '../testing.js';
import { BACKENDS, dimArb, expectStock, type Moved, RUNS, randomTensor, size } from './cases.js';
import { runStockKernel, transposeValues, valueBits } from './index.js';

const caseArb = (minRank: number) =>
  fc.record({
    shape: fc.array(dimArb, { minLength: minRank, maxLength: 6 }).filter((s) => size(s) <= 6000),
    dtype: fc.constantFrom<Moved>('float32', 'int32', 'bool'),
    seed: fc.integer({ min: 0, max: 1 << 30 }),
  });

/** A random permutation of 0..rank-1 from `r`. */
function randomPerm(rank: number, r: () => number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  for (let i = rank - 1; i > 0; i--) {
    const j = randInt(r, 0, i);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  return perm;
}

/** Transposes whose inner planes are tiled (both sides >= 32) or whose runs are long. */
const BIG_TRANSPOSES: [number[], number[]][] = [
  [
    [37, 45],
    [1, 0],
  ],
  [
    [2, 33, 65],
    [0, 2, 1],
  ],
  [
    [33, 3, 40],
    [2, 1, 0],
  ],
  [
    [40, 2, 35],
    [2, 0, 1],
  ],
  [
    [3, 40, 2, 33],
    [0, 3, 2, 1],
  ],
  [
    [5, 64, 30],
    [1, 0, 2],
  ],
];

for (const backend of BACKENDS) {
  describe(`joining and reordering kernels on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it('Pack: 1-5 tensors along every axis, negative ones too, give the stock values', () => {
      fc.assert(
        fc.property(caseArb(0), ({ shape, dtype, seed }) => {
          const r = rng(seed + 1);
          const n = randInt(r, 1, 5);
          const inputs = Array.from({ length: n }, (_, i) => randomTensor(shape, dtype, seed + i));
          expectStock(tf.Pack, inputs, { axis: randInt(r, -shape.length - 1, shape.length) });
          tf.dispose(inputs);
        }),
        { seed: 21, numRuns: RUNS },
      );
    });

    it('Concat: 1-5 tensors of random sizes along the axis (0 included) give the stock values', () => {
      fc.assert(
        fc.property(caseArb(1), ({ shape, dtype, seed }) => {
          const r = rng(seed + 2);
          const axis = randInt(r, -shape.length, shape.length - 1);
          const d = axis < 0 ? axis + shape.length : axis;
          const inputs = Array.from({ length: randInt(r, 1, 5) }, (_, i) => {
            const s = [...shape];
            s[d] = [0, 1, 2, 3, 30][randInt(r, 0, 4)]!;
            return randomTensor(s, dtype, seed + i);
          });
          expectStock(tf.Concat, inputs, { axis });
          tf.dispose(inputs);
        }),
        { seed: 22, numRuns: RUNS },
      );
    });

    it('transposeValues: random permutations give the stock Transpose values', () => {
      const check = (shape: number[], perm: number[], dtype: Moved, seed: number) => {
        const x = randomTensor(shape, dtype, seed);
        const values = x.dataSync() as Float32Array | Int32Array | Uint8Array;
        const out = transposeValues(values, shape, perm);
        expect(out.constructor).toBe(values.constructor);
        // tfjs-wasm's Transpose divides by zero on some empty tensors: nothing to compare there.
        if (size(shape) > 0) {
          const [stock] = runStockKernel(tf.Transpose, { x }, { perm });
          const ours = tf.tensor(out, stock!.shape, dtype);
          expect(valueBits(ours), JSON.stringify([shape, perm, dtype])).toEqual(valueBits(stock!));
          tf.dispose([stock!, ours]);
        } else {
          expect(out.length).toBe(0);
        }
        x.dispose();
      };
      fc.assert(
        fc.property(caseArb(0), ({ shape, dtype, seed }) => {
          check(shape, randomPerm(shape.length, rng(seed + 3)), dtype, seed);
        }),
        { seed: 23, numRuns: RUNS },
      );
      for (const [i, [shape, perm]] of BIG_TRANSPOSES.entries()) {
        for (const dtype of ['float32', 'int32', 'bool'] as const) check(shape, perm, dtype, i + 1);
      }
    });

    if (backend === 'cpu') {
      it('Transpose: random permutations and tiled planes give the stock values', () => {
        fc.assert(
          fc.property(caseArb(0), ({ shape, dtype, seed }) => {
            const x = randomTensor(shape, dtype, seed);
            expectStock(tf.Transpose, { x }, { perm: randomPerm(shape.length, rng(seed + 4)) });
            x.dispose();
          }),
          { seed: 24, numRuns: RUNS },
        );
        for (const [i, [shape, perm]] of BIG_TRANSPOSES.entries()) {
          const x = randomTensor(shape, 'float32', i + 1);
          expectStock(tf.Transpose, { x }, { perm });
          x.dispose();
        }
      });
    } else {
      it('Transpose: empty tensors, on which the stock kernel divides by zero, transpose', () => {
        for (const shape of [
          [0, 20, 2],
          [20, 0, 2],
          [3, 4, 0],
        ]) {
          for (const perm of [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
          ]) {
            const x = tf.zeros(shape, 'int32');
            const y = tf.transpose(x, perm);
            expect([y.shape, y.dtype, y.size]).toEqual([perm.map((p) => shape[p]), 'int32', 0]);
            tf.dispose([x, y]);
          }
        }
      });
    }
  });
}
