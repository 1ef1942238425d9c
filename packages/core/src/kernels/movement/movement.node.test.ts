// The movement kernels as a whole, on cpu and wasm: registered over the stock ones (which stay
// recorded for the fallbacks) across backend switches; strings and complex numbers handed to the
// stock kernels; gradients through slice, stack, concat, transpose, gather, split and unstack
// bit for bit the stock ones (tfjs has no StridedSlice gradient); no tensor, data or wasm heap leak over many calls; doc examples.
// Node only: archzoo registers these kernels on cpu and wasm, not on webgl.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../backend.js';
import '../../register.js';
import { testBackends, useBackend } from '../../testing/backends.js';
import { registerArchzooKernels } from '../index.js';
import { stockKernel } from '../stock.js';
import { randomValues } from '../testing.js';
import {
  diffFromStock,
  MOVEMENT_KERNELS,
  runStockKernel,
  transposeValues,
  valueBits,
} from './index.js';
import type { MovementBackend } from './io.js';

const BACKENDS = testBackends().filter((b): b is MovementBackend => b === 'cpu' || b === 'wasm');
const NAMES = Object.keys(MOVEMENT_KERNELS.cpu);

/** Runs `fn` with the stock kernels registered in place of the movement kernels, then restores them. */
function withStockKernels<T>(backendName: MovementBackend, fn: () => T): T {
  const ours = NAMES.map((name) => tf.getKernel(name, backendName)!);
  const swap = (configs: tf.KernelConfig[]) => {
    for (const config of configs) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  };
  swap(NAMES.map((name) => stockKernel(name, backendName)!));
  try {
    return fn();
  } finally {
    swap(ours);
  }
}

describe('registration of the movement kernels', () => {
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('puts them over the stock kernels, keeps the stock ones, across switches and repeats', async () => {
    const seen: MovementBackend[] = []; // a backend's kernels land once it has been activated
    for (const backend of ['wasm', 'cpu', 'wasm', 'cpu'] as const) {
      await setBackend(backend);
      registerArchzooKernels();
      seen.push(backend);
      for (const b of seen) {
        for (const name of NAMES) {
          const ours = MOVEMENT_KERNELS[b][name];
          expect(tf.getKernel(name, b)?.kernelFunc, `${b} ${name}`).toBe(ours);
          const stock = stockKernel(name, b);
          expect(stock?.kernelFunc, `${b} ${name}`).toBeTypeOf('function');
          expect(stock?.kernelFunc, `${b} ${name}`).not.toBe(ours);
        }
      }
    }
  });
});

for (const backend of BACKENDS) {
  describe(`movement kernels on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it('hand strings to the stock kernels: slice, unstack, stack, concat', () => {
      const s = tf.tensor([
        ['a', 'b', 'c'],
        ['d', 'e', 'f'],
      ]);
      expect(tf.slice(s, [0, 1], [2, 2]).arraySync()).toEqual([
        ['b', 'c'],
        ['e', 'f'],
      ]);
      expect(tf.unstack(s, 1).map((t) => t.arraySync())).toEqual([
        ['a', 'd'],
        ['b', 'e'],
        ['c', 'f'],
      ]);
      expect(tf.stack([s, s], 1).shape).toEqual([2, 2, 3]);
      expect(tf.concat([s, s], 1).arraySync()).toEqual([
        ['a', 'b', 'c', 'a', 'b', 'c'],
        ['d', 'e', 'f', 'd', 'e', 'f'],
      ]);
      if (backend === 'cpu') {
        const c = tf.complex([1, 2], [3, 4]);
        const joined = tf.stack([c, c]); // [2, 2] complex64
        expect(Array.from(tf.imag(joined).dataSync())).toEqual([3, 4, 3, 4]);
        expect(diffFromStock(tf.Concat, [c, c], { axis: 0 })).toBeNull();
      }
    });

    it('leave gradients through slice, stack, concat, transpose, gather, split, unstack unchanged', () => {
      const x = tf.tensor(randomValues(4 * 6 * 5, 1), [4, 6, 5]);
      const w = tf.tensor(randomValues(4 * 6 * 5, 2), [4, 6, 5]);
      const idx = tf.tensor1d([5, 0, 2, 2], 'int32');
      const loss = (t: tf.Tensor) => {
        const parts = tf.unstack(t, 1); // 6 x [4, 5]
        const halves = tf.split(t, [2, 3], 2); // [4, 6, 2], [4, 6, 3]
        const terms = [
          tf.sum(tf.mul(tf.slice(t, [1, 2, 0], [2, 3, 4]), 3)),
          tf.sum(tf.square(tf.stack(parts.slice(1, 4), 2))),
          tf.sum(tf.mul(tf.concat([t, t], 1), tf.concat([w, w], 1))),
          tf.sum(tf.mul(tf.transpose(t, [2, 0, 1]), tf.transpose(w, [2, 0, 1]))),
          tf.sum(tf.square(tf.gather(t, idx, 1))),
          tf.sum(tf.mul(halves[1]!, 2)),
        ];
        return tf.addN(terms) as tf.Scalar;
      };
      const ours = tf.grad(loss)(x);
      const stock = withStockKernels(backend, () => {
        expect(tf.getKernel(tf.Unpack, backend)?.kernelFunc).toBe(
          stockKernel(tf.Unpack, backend)?.kernelFunc,
        );
        return tf.grad(loss)(x);
      });
      expect(ours.shape).toEqual(stock.shape);
      expect(valueBits(ours)).toEqual(valueBits(stock));
      tf.dispose([x, w, idx, ours, stock]);
    });

    it('leak no tensor, data id or wasm heap over many calls', () => {
      const x = tf.tensor(randomValues(6 * 8 * 40, 3), [6, 8, 40]);
      const idx = tf.tensor1d([1, 3, 3, 0], 'int32');
      const empty = tf.zeros([0, 8, 40]);
      const run = () =>
        tf.tidy(() => {
          tf.unstack(x, 1);
          tf.split(x, 4, 1);
          tf.stack([x, x], 3);
          tf.concat([x, empty, x], 0);
          tf.slice(x, [1, 2, 3], [2, 3, 30]);
          tf.stridedSlice(x, [5, 0, 0], [0, 8, 40], [-2, 3, 1]);
          tf.gather(x, idx, 1);
          tf.transpose(x, [2, 0, 1]);
          tf.unstack(empty, 0);
          tf.transpose(empty, [0, 2, 1]);
        });
      const engineBackend = tf.backend() as {
        numDataIds(): number;
        wasm?: { HEAPU8: Uint8Array };
      };
      run(); // warm up (first allocations may grow the heap once)
      const before = tf.memory();
      const ids = engineBackend.numDataIds();
      const heap = engineBackend.wasm?.HEAPU8.length;
      for (let i = 0; i < 100; i++) run();
      expect(tf.memory().numTensors).toBe(before.numTensors);
      expect(tf.memory().numBytes).toBe(before.numBytes);
      expect(engineBackend.numDataIds()).toBe(ids);
      expect(engineBackend.wasm?.HEAPU8.length).toBe(heap);
      tf.dispose([x, idx, empty]);
    });

    it('run the doc examples', () => {
      expect(
        Array.from(transposeValues(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0])),
      ).toEqual([1, 4, 2, 5, 3, 6]);
      const x = tf.reshape(tf.range(0, 6), [2, 3]);
      const [stock] = runStockKernel(tf.Transpose, { x }, { perm: [1, 0] });
      const ours = tf.transpose(x);
      expect(valueBits(ours)).toEqual(valueBits(stock!));
      const ones = tf.ones([4, 3, 2]);
      expect(diffFromStock(tf.Unpack, { value: ones }, { axis: 1 })).toBeNull();
      tf.dispose([x, stock!, ours, ones]);
    });
  });
}
