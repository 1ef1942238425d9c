import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { setBackend } from '../../backend.js';
import '../../register.js';
import { runStockKernel } from './index.js';

function time(fn: () => unknown, reps: number): number {
  for (let i = 0; i < 2; i++) tf.dispose(fn() as tf.Tensor);
  let best = Infinity;
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) tf.dispose(fn() as tf.Tensor);
    best = Math.min(best, ((performance.now() - t0) / reps) * 1000);
  }
  return best;
}

it('bench', async () => {
  const lines: string[] = [];
  for (const b of ['wasm', 'cpu'] as const) {
    await setBackend(b);
    const x = tf.randomNormal([50, 32, 512]);
    const y = tf.randomNormal([32, 50, 512]);
    const y2 = tf.reshape(y, [1600, 512]);
    const parts = Array.from({ length: 50 }, () => tf.randomNormal([32, 512]));
    const idx = tf.tensor1d(
      Array.from({ length: 32 }, (_, i) => (i * 7) % 50),
      'int32',
    );
    const cases: [string, () => unknown, () => unknown, number][] = [
      [
        'slice axis0 one step',
        () => tf.slice(x, [7, 0, 0], [1, 32, 512]),
        () => runStockKernel(tf.Slice, { x }, { begin: [7, 0, 0], size: [1, 32, 512] }),
        50,
      ],
      [
        'slice axis1 one step',
        () => tf.slice(y, [0, 7, 0], [32, 1, 512]),
        () => runStockKernel(tf.Slice, { x: y }, { begin: [0, 7, 0], size: [32, 1, 512] }),
        20,
      ],
      [
        'unstack [50,32,512] axis0',
        () => tf.unstack(x, 0),
        () => runStockKernel(tf.Unpack, { value: x }, { axis: 0 }),
        5,
      ],
      [
        'unstack [32,50,512] axis1',
        () => tf.unstack(y, 1),
        () => runStockKernel(tf.Unpack, { value: y }, { axis: 1 }),
        3,
      ],
      [
        'split 50 axis0',
        () => tf.split(x, 50, 0),
        () => runStockKernel(tf.SplitV, { x }, { numOrSizeSplits: 50, axis: 0 }),
        5,
      ],
      [
        'split 50 axis1',
        () => tf.split(y, 50, 1),
        () => runStockKernel(tf.SplitV, { x: y }, { numOrSizeSplits: 50, axis: 1 }),
        3,
      ],
      [
        'stack 50x[32,512] axis0',
        () => tf.stack(parts, 0),
        () => runStockKernel(tf.Pack, parts, { axis: 0 }),
        20,
      ],
      [
        'stack 50x[32,512] axis1',
        () => tf.stack(parts, 1),
        () => runStockKernel(tf.Pack, parts, { axis: 1 }),
        20,
      ],
      [
        'concat 50x[32,512] axis0',
        () => tf.concat(parts, 0),
        () => runStockKernel(tf.Concat, parts, { axis: 0 }),
        20,
      ],
      [
        'concat 50x[32,512] axis1',
        () => tf.concat(parts, 1),
        () => runStockKernel(tf.Concat, parts, { axis: 1 }),
        20,
      ],
      [
        'transpose [32,50,512]->[50,32,512]',
        () => tf.transpose(y, [1, 0, 2]),
        () => runStockKernel(tf.Transpose, { x: y }, { perm: [1, 0, 2] }),
        10,
      ],
      [
        'transpose [1600,512]->[512,1600]',
        () => tf.transpose(y2),
        () => runStockKernel(tf.Transpose, { x: y2 }, { perm: [1, 0] }),
        10,
      ],
      [
        'gather axis0 32 of 50',
        () => tf.gather(x, idx, 0),
        () => runStockKernel(tf.GatherV2, { x, indices: idx }, { axis: 0, batchDims: 0 }),
        10,
      ],
      [
        'gather axis1 32 of 50',
        () => tf.gather(y, idx, 1),
        () => runStockKernel(tf.GatherV2, { x: y, indices: idx }, { axis: 1, batchDims: 0 }),
        10,
      ],
      [
        'stridedSlice ::2 axis0',
        () => tf.stridedSlice(x, [0, 0, 0], [50, 32, 512], [2, 1, 1]),
        () =>
          runStockKernel(
            tf.StridedSlice,
            { x },
            {
              begin: [0, 0, 0],
              end: [50, 32, 512],
              strides: [2, 1, 1],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 0,
            },
          ),
        3,
      ],
      [
        'stridedSlice ::2 last axis',
        () => tf.stridedSlice(x, [0, 0, 0], [50, 32, 512], [1, 1, 2]),
        () =>
          runStockKernel(
            tf.StridedSlice,
            { x },
            {
              begin: [0, 0, 0],
              end: [50, 32, 512],
              strides: [1, 1, 2],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 0,
            },
          ),
        3,
      ],
      [
        'stridedSlice [:,3] shrink',
        () => tf.stridedSlice(y, [0, 3, 0], [32, 4, 512], [1, 1, 1], 0, 0, 0, 0, 2),
        () =>
          runStockKernel(
            tf.StridedSlice,
            { x: y },
            {
              begin: [0, 3, 0],
              end: [32, 4, 512],
              strides: [1, 1, 1],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 2,
            },
          ),
        10,
      ],
    ];
    for (const [name, ours, stock, reps] of cases) {
      const a = ours() as tf.Tensor | tf.Tensor[];
      const s = stock() as tf.Tensor[];
      const al = Array.isArray(a) ? a : [a];
      const sl = s.length === 1 && al.length === 1 ? s : s;
      let same = al.length === sl.length;
      for (let i = 0; same && i < al.length; i++) {
        const p = al[i]!.dataSync();
        const q = sl[i]!.dataSync();
        same = p.length === q.length && p.every((v, j) => Object.is(v, q[j]));
      }
      tf.dispose([...al, ...sl]);
      const tStock = time(stock, Math.max(1, Math.ceil(reps / 3)));
      const tOurs = time(ours, reps * 2);
      lines.push(
        `| ${b} | ${name} | ${tStock.toFixed(0)} | ${tOurs.toFixed(0)} | ${(tStock / tOurs).toFixed(1)}x |${same ? '' : ' MISMATCH'}`,
      );
    }
    tf.dispose([x, y, y2, ...parts, idx]);
  }
  console.log(`\n${lines.join('\n')}`);
});
