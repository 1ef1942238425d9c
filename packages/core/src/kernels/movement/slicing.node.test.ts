// Property tests of the kernels that read windows out of one tensor (Slice, StridedSlice, Unpack,
// SplitV, GatherV2) on cpu and wasm: on random shapes (rank 1 to 6, size-0 dimensions, runs long
// enough to be copied whole), axes (negative ones included), begins and strides, in float32, int32
// and bool, the values are bit for bit the stock kernel's (`runStockKernel`). Seeds are fixed.
// Node only: archzoo registers these kernels on cpu and wasm, not on webgl.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../register.js';
import { useBackend } from '../../testing/backends.js';
import { randInt, rng } from '../testing.js';
import { BACKENDS, dimArb, expectStock, type Moved, RUNS, randomTensor, size } from './cases.js';
import { valueBits as bits } from './index.js';

const shapeArb = fc.array(dimArb, { minLength: 1, maxLength: 6 }).filter((s) => size(s) <= 6000);
const caseArb = fc.record({
  shape: shapeArb,
  dtype: fc.constantFrom<Moved>('float32', 'int32', 'bool'),
  seed: fc.integer({ min: 0, max: 1 << 30 }),
});

/** out[b, o, i, :] = x[b, o, indices[b, i], :] by index arithmetic: the reference for GatherV2. */
function gatherReference(
  x: tf.Tensor,
  indices: tf.Tensor,
  axis: number,
  batchDims: number,
): number[] {
  const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x, indices, axis, batchDims);
  const xs = bits(x);
  const ids = Array.from(indices.dataSync());
  const n = ids.length / info.batchSize;
  const out: number[] = [];
  for (let b = 0; b < info.batchSize; b++) {
    for (let o = 0; o < info.outerSize; o++) {
      for (let i = 0; i < n; i++) {
        const row = ((b * info.outerSize + o) * info.dimSize + ids[b * n + i]!) * info.sliceSize;
        for (let k = 0; k < info.sliceSize; k++) out.push(xs[row + k]!);
      }
    }
  }
  return out;
}

/** x[begin + loc * strides] over the window, by index arithmetic: the reference for StridedSlice. */
function stridedReference(
  x: tf.Tensor,
  a: tf.StridedSliceAttrs,
): { shape: number[]; bits: number[] } {
  const info = tf.slice_util.sliceInfo(
    x.shape,
    a.begin,
    a.end,
    a.strides,
    a.beginMask,
    a.endMask,
    a.ellipsisMask,
    a.newAxisMask,
    a.shrinkAxisMask,
  );
  const window = info.begin.map((b, d) =>
    Math.max(0, Math.ceil((info.end[d]! - b) / info.strides[d]!)),
  );
  const xStrides = x.shape.map((_, d) => size(x.shape.slice(d + 1)));
  const xs = bits(x);
  const out: number[] = [];
  for (let i = 0; i < size(window); i++) {
    let rest = i;
    let src = 0;
    for (let d = window.length - 1; d >= 0; d--) {
      const loc = rest % window[d]!;
      rest = Math.floor(rest / window[d]!);
      src += (info.begin[d]! + loc * info.strides[d]!) * xStrides[d]!;
    }
    out.push(xs[src]!);
  }
  return { shape: info.finalShape, bits: out };
}

for (const backend of BACKENDS) {
  describe(`window kernels on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it('Slice: random begins and sizes (-1 included) give the stock values', () => {
      fc.assert(
        fc.property(caseArb, ({ shape, dtype, seed }) => {
          const r = rng(seed + 1);
          const begin = shape.map((d) => randInt(r, 0, d));
          const sz = shape.map((d, i) => (r() < 0.2 ? -1 : randInt(r, 0, d - begin[i]!)));
          const x = randomTensor(shape, dtype, seed);
          expectStock(tf.Slice, { x }, { begin, size: sz });
          x.dispose();
        }),
        { seed: 11, numRuns: RUNS },
      );
    });

    it('Unpack: every axis, negative ones too, gives the stock values', () => {
      fc.assert(
        fc.property(caseArb, ({ shape, dtype, seed }) => {
          const axis = randInt(rng(seed + 2), -shape.length, shape.length - 1);
          const value = randomTensor(shape, dtype, seed);
          expectStock(tf.Unpack, { value }, { axis });
          value.dispose();
        }),
        { seed: 12, numRuns: RUNS },
      );
    });

    it('SplitV: equal parts and given sizes (one -1 included) give the stock values', () => {
      fc.assert(
        fc.property(caseArb, ({ shape, dtype, seed }) => {
          const r = rng(seed + 3);
          const axis = randInt(r, -shape.length, shape.length - 1);
          const dim = shape[axis < 0 ? axis + shape.length : axis]!;
          let splits: number | number[];
          if (r() < 0.4) {
            const divisors = Array.from({ length: Math.max(dim, 3) }, (_, k) => k + 1).filter(
              (k) => dim % k === 0,
            );
            splits = divisors[randInt(r, 0, divisors.length - 1)]!;
          } else {
            const sizes: number[] = [];
            for (let left = dim; left > 0; left -= sizes[sizes.length - 1]!)
              sizes.push(randInt(r, 1, left));
            if (sizes.length === 0 || r() < 0.2) sizes.push(0);
            // One size inferred (-1), never the first: tfjs's prepareSplitSize miscounts that one.
            if (sizes.length > 1 && r() < 0.3) sizes[randInt(r, 1, sizes.length - 1)] = -1;
            splits = sizes;
          }
          const x = randomTensor(shape, dtype, seed);
          expectStock(tf.SplitV, { x }, { numOrSizeSplits: splits, axis });
          x.dispose();
        }),
        { seed: 13, numRuns: RUNS },
      );
    });

    it('GatherV2: random axes, batch dims and indices give the stock values', () => {
      fc.assert(
        fc.property(caseArb, ({ shape, dtype, seed }) => {
          const r = rng(seed + 4);
          const rank = shape.length;
          const axis = randInt(r, 0, rank - 1);
          const batchDims = randInt(r, 0, Math.min(axis, 2));
          const extra = Array.from({ length: randInt(r, 0, 2) }, () => randInt(r, 0, 4));
          const dim = shape[axis]!;
          if (dim === 0) extra.push(0); // no index is valid: none may be given
          const idxShape = [...shape.slice(0, batchDims), ...extra];
          const indices = tf.tensor(
            Int32Array.from({ length: size(idxShape) }, () => randInt(r, 0, dim - 1)),
            idxShape,
            'int32',
          );
          const x = randomTensor(shape, dtype, seed);
          const attrs = { axis: r() < 0.5 ? axis : axis - rank, batchDims };
          if (size(shape) > 0 && size(idxShape) > 0) {
            const got = tf.engine().runKernel(tf.GatherV2, { x, indices }, attrs) as tf.Tensor;
            expect(bits(got)).toEqual(gatherReference(x, indices, axis, batchDims));
            got.dispose();
          }
          // tfjs-wasm's own kernel reads out of its heap with batch dimensions: not compared there.
          if (backend === 'cpu' || batchDims === 0) expectStock(tf.GatherV2, { x, indices }, attrs);
          tf.dispose([x, indices]);
        }),
        { seed: 14, numRuns: RUNS },
      );
    });

    it('GatherV2: an index out of range throws the stock error', () => {
      const x = tf.ones([3, 2]);
      const indices = tf.tensor1d([0, 3], 'int32');
      expect(() => tf.gather(x, indices)).toThrow('GatherV2: the index value 3 is not in [0, 2]');
      tf.dispose([x, indices]);
    });

    it('StridedSlice: random begins, ends, strides (negative too) and masks give the indexed values', () => {
      fc.assert(
        fc.property(caseArb, ({ shape, dtype, seed }) => {
          const r = rng(seed + 5);
          const attrs: tf.StridedSliceAttrs = {
            begin: [],
            end: [],
            strides: [],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0,
          };
          shape.forEach((dim, d) => {
            const shrink = dim > 0 && r() < 0.15;
            attrs.shrinkAxisMask |= +shrink << d;
            attrs.beginMask |= +(r() < 0.2) << d;
            attrs.endMask |= +(r() < 0.2) << d;
            attrs.strides.push(shrink ? 1 : [1, 1, 2, 3, -1, -2][randInt(r, 0, 5)]!);
            attrs.begin.push(shrink ? randInt(r, -dim, dim - 1) : randInt(r, -dim - 1, dim + 1));
            attrs.end.push(randInt(r, -dim - 1, dim + 1));
          });
          const x = randomTensor(shape, dtype, seed);
          const got = tf
            .engine()
            .runKernel(tf.StridedSlice, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
          const want = stridedReference(x, attrs);
          expect([got.dtype, got.shape]).toEqual([dtype, want.shape]);
          expect(bits(got)).toEqual(want.bits);
          // The stock kernels get these right too, except where an axis shrinks (both misplace
          // the window), for some empty windows (begin past end: both throw) and, on wasm, for
          // int32 and bool (a float32 output).
          const stockRight = attrs.shrinkAxisMask === 0 && want.bits.length > 0;
          if (stockRight && (backend === 'cpu' || dtype === 'float32')) {
            expectStock(tf.StridedSlice, { x }, attrs);
          }
          tf.dispose([x, got]);
        }),
        { seed: 15, numRuns: RUNS },
      );
    });

    it('StridedSlice: new axes and ellipses as tf.stridedSlice passes them', () => {
      const x = randomTensor([4, 30, 5], 'float32', 7);
      const cases: [number[], number[], number[], number, number, number, number, number][] = [
        [[0, 1], [0, 3], [1, 2], 0, 0, 1, 0, 0], // [..., 1:3:2] with an ellipsis first
        [[1, 0, 2], [3, 0, 4], [1, 1, 1], 0, 0, 0, 2, 0], // a new axis in the middle
        [[0, 2], [4, 3], [-1, 1], 1, 0, 0, 0, 2], // reversed axis 0, shrunk axis 1
      ];
      for (const [begin, end, strides, bm, em, el, na, sh] of cases) {
        const got = tf.stridedSlice(x, begin, end, strides, bm, em, el, na, sh);
        const attrs = {
          begin,
          end,
          strides,
          beginMask: bm,
          endMask: em,
          ellipsisMask: el,
          newAxisMask: na,
          shrinkAxisMask: sh,
        };
        const want = stridedReference(x, attrs);
        expect(got.shape).toEqual(want.shape);
        expect(bits(got)).toEqual(want.bits);
        got.dispose();
      }
      x.dispose();
    });
  });
}
