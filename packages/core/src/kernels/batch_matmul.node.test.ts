// archzoo's BatchMatMul and _FusedMatMul on wasm (Node only: the browser project runs webgl):
// against tfjs-wasm's stock kernels (bit for bit on pre-transposed operands), through gradients,
// for leaks, and the transposes kept for weights. The products on every backend are in
// batch_matmul.test.ts.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../backend.js';
import '../register.js';
import { useBackend } from '../testing/backends.js';
import { batchMatMul, fusedMatMul, viaTransposedProduct } from './batch_matmul.js';
import { caseArb, reference, tensors, unbatchedB } from './batch_matmul_cases.js';
import { registerArchzooKernels } from './index.js';
import { stockKernel } from './stock.js';
import { randomValues, relativeError } from './testing.js';

/** The stock wasm kernel of `name` run on tensors, as a tensor. */
function runStock(name: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor {
  const info = stockKernel(name, 'wasm')!.kernelFunc({
    inputs,
    backend: tf.backend(),
    attrs: attrs as tf.NamedAttrMap,
  }) as tf.TensorInfo;
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** `x` with its last two axes swapped, materialized. */
const swapLastTwo = (x: tf.Tensor) =>
  tf.transpose(
    x,
    [...x.shape.keys()].map((i, _, all) => (i < all.length - 2 ? i : 2 * all.length - 3 - i)),
  );

describe('archzoo BatchMatMul and _FusedMatMul on wasm', () => {
  beforeAll(() => useBackend('wasm'));
  afterAll(() => setBackend('cpu'));

  it('are registered over the stock kernels, which stay recorded, across backend switches', async () => {
    for (const name of ['cpu', 'wasm', 'cpu', 'wasm'] as const) {
      await setBackend(name);
      registerArchzooKernels();
      expect(tf.getKernel(tf.BatchMatMul, 'wasm')?.kernelFunc).toBe(batchMatMul);
      expect(tf.getKernel(tf._FusedMatMul, 'wasm')?.kernelFunc).toBe(fusedMatMul);
      const stockBmm = stockKernel(tf.BatchMatMul, 'wasm')?.kernelFunc;
      expect(stockBmm).toBeTypeOf('function');
      expect(stockBmm).not.toBe(batchMatMul);
      expect(stockKernel(tf._FusedMatMul, 'wasm')?.kernelFunc).not.toBe(fusedMatMul);
    }
    // cpu's matMul is as fast transposed as not (a strided loop either way): it stays stock.
    expect(stockKernel(tf.BatchMatMul, 'cpu')).toBeUndefined();
  });

  it('equal the stock product on pre-transposed operands bit for bit, and its loop within rounding (fast-check)', () => {
    const routes = new Set<string>();
    fc.assert(
      fc.property(caseArb, (c) => {
        const want = reference(c);
        const [m, n] = want.shape.slice(-2) as [number, number];
        const k = c.transposeA ? c.aShape.at(-2)! : c.aShape.at(-1)!;
        const single = tf.util.sizeFromShape(c.aShape.slice(0, -2)) === 1 && unbatchedB(c);
        // The stock kernel's XNNPACK route fails (a warning, an unwritten output) on size-0 products.
        const full = m * n * k > 0 && tf.util.sizeFromShape(want.shape) > 0;
        const [ours, xnn, loop] = tf.tidy(() => {
          const [a, b] = tensors(c);
          const a1 = c.transposeA ? swapLastTwo(a) : a;
          const b1 = c.transposeB ? swapLastTwo(b) : b;
          const attrs = { transposeA: c.transposeA, transposeB: c.transposeB };
          return [
            tf.matMul(a, b, c.transposeA, c.transposeB),
            // tfjs-wasm's XNNPACK product: B unbatched, A's batch stacked into rows.
            unbatchedB(c) && full
              ? runStock(
                  tf.BatchMatMul,
                  { a: tf.reshape(a1, [-1, k]), b: tf.reshape(b1, [k, n]) },
                  { transposeA: false, transposeB: false },
                )
              : null,
            full ? runStock(tf.BatchMatMul, { a, b }, attrs) : null,
          ];
        });
        const o = Array.from(ours.dataSync() as Float32Array);
        let ok = ours.shape.join() === want.shape.join();
        if (loop) ok &&= relativeError(o, loop.dataSync()) < 1e-5;
        else ok &&= o.every((v) => v === 0);
        if (xnn) ok &&= xnn.dataSync().every((v, i) => Object.is(v, o[i]));
        if (single && full && (c.transposeA || c.transposeB))
          routes.add(viaTransposedProduct({ m, k, n }, c.transposeA, c.transposeB) ? 'C^T' : 'C');
        tf.dispose([ours, xnn, loop].filter((t) => t !== null));
        return ok;
      }),
      { numRuns: 300, seed: 9 },
    );
    // Single transposed products took both routes.
    expect([...routes].sort()).toEqual(['C', 'C^T']);
  });

  it('run the common shapes bit for bit as the stock product on pre-transposed operands', () => {
    // [32, 512] x [128, 512]^T (by C^T), Linear's gradients (dy W^T, x^T dy), a batch times a matrix.
    const cases: [number[], number[], boolean, boolean][] = [
      [[32, 512], [128, 512], false, true],
      [[64, 120], [400, 120], false, true],
      [[64, 400], [64, 120], true, false],
      [[4, 8, 33], [33, 17], false, false],
      [[3, 33, 8], [1, 17, 33], true, true],
    ];
    for (const [i, [aShape, bShape, tA, tB]] of cases.entries()) {
      const a = tf.tensor(randomValues(tf.util.sizeFromShape(aShape), i), aShape);
      const b = tf.tensor(randomValues(tf.util.sizeFromShape(bShape), i + 9), bShape);
      const ours = tf.matMul(a, b, tA, tB);
      const a1 = tA ? swapLastTwo(a) : a;
      const b1 = tB ? swapLastTwo(b) : b;
      const k = a1.shape.at(-1)!;
      const plain = runStock(
        tf.BatchMatMul,
        { a: tf.reshape(a1, [-1, k]), b: tf.reshape(b1, [k, -1]) },
        { transposeA: false, transposeB: false },
      );
      expect(Array.from(ours.dataSync()), `${aShape} ${bShape}`).toEqual(
        Array.from(plain.dataSync()),
      );
      tf.dispose([a, b, ours, a1, b1, plain]);
    }
  });

  it('gives _FusedMatMul the stock result on pre-transposed operands, prelu and leakyrelu included', () => {
    for (const [seed, activation] of [
      [1, 'linear'],
      [2, 'relu'],
      [3, 'relu6'],
      [4, 'prelu'],
      [5, 'leakyrelu'],
      [6, 'sigmoid'],
    ] as const) {
      const [m, k, n] = [5 + seed, 17, 9];
      const a = tf.tensor(randomValues(m * k, seed), [1, k, m]);
      const b = tf.tensor(randomValues(n * k, seed + 10), [1, n, k]);
      const bias = tf.tensor1d(randomValues(n, seed + 20));
      const prelu = tf.tensor1d(randomValues(n, seed + 30, 0, 0.5));
      const opts = { bias, activation, leakyreluAlpha: 0.1 };
      const ours = tf.fused.matMul({
        ...opts,
        a,
        b,
        transposeA: true,
        transposeB: true,
        preluActivationWeights: activation === 'prelu' ? prelu : undefined,
      });
      const a1 = swapLastTwo(a);
      const b1 = swapLastTwo(b);
      const inputs: Record<string, tf.Tensor> = { a: a1, b: b1, bias };
      if (activation === 'prelu') inputs.preluActivationWeights = prelu;
      const attrs = { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0.1 };
      const plain = runStock(tf._FusedMatMul, inputs, attrs);
      expect(ours.shape).toEqual([1, m, n]);
      expect(Array.from(ours.dataSync()), activation).toEqual(Array.from(plain.dataSync()));
      tf.dispose([a, b, bias, prelu, ours, a1, b1, plain]);
    }
  });

  it('leave the gradients of tf.matMul with transposes as on cpu', async () => {
    const cases: [number[], number[], boolean, boolean][] = [
      [[6, 4], [5, 6], true, true],
      [[3, 7], [5, 7], false, true],
      [[7, 3], [7, 5], true, false],
      [[2, 7, 3], [2, 5, 7], true, true],
      [[1, 64], [120, 64], false, true],
    ];
    for (const [i, [aShape, bShape, tA, tB]] of cases.entries()) {
      const av = randomValues(tf.util.sizeFromShape(aShape), 40 + i);
      const bv = randomValues(tf.util.sizeFromShape(bShape), 50 + i);
      const w = randomValues(64 * 64, 60 + i);
      const grads = () =>
        tf.tidy(() => {
          const f = (a: tf.Tensor, b: tf.Tensor) => {
            const y = tf.matMul(a, b, tA, tB);
            // A weighted sum, so every output element has its own cotangent.
            return tf.sum(tf.mul(y, tf.tensor(w.subarray(0, y.size), y.shape)));
          };
          return tf
            .grads(f)([tf.tensor(av, aShape), tf.tensor(bv, bShape)])
            .map((g) => g.dataSync());
        });
      await setBackend('cpu');
      const cpu = grads();
      await setBackend('wasm');
      const wasm = grads();
      expect(relativeError(wasm[0]!, cpu[0]!), `${aShape} ${bShape}`).toBeLessThan(1e-5);
      expect(relativeError(wasm[1]!, cpu[1]!), `${aShape} ${bShape}`).toBeLessThan(1e-5);
    }
  });

  it('leak no tensor and no wasm heap over 400 calls of each route', () => {
    const backend = tf.backend() as unknown as {
      numDataIds(): number;
      wasm: { HEAPU8: Uint8Array };
    };
    const x = tf.tensor(randomValues(32 * 96, 1), [32, 96]);
    const w = tf.tensor(randomValues(40 * 96, 2), [40, 96]);
    const bias = tf.tensor1d(randomValues(40, 3));
    const calls = () => [
      tf.matMul(x, w, false, true), // [32, 40] by C^T
      tf.matMul(w, x, false, true), // [40, 32] directly
      tf.matMul(x, x, true, false), // [96, 96]
      tf.fused.matMul({ a: x, b: w, transposeB: true, bias, activation: 'relu' }),
    ];
    tf.dispose(calls()); // the first calls may grow the heap,
    tf.dispose(calls()); // the second keeps w's transpose (see keptTranspose)
    const tensorsBefore = tf.memory().numTensors;
    const idsBefore = backend.numDataIds();
    const heapBefore = backend.wasm.HEAPU8.length;
    for (let i = 0; i < 400; i++) tf.dispose(calls());
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(backend.numDataIds()).toBe(idsBefore);
    expect(backend.wasm.HEAPU8.length).toBe(heapBefore);
    tf.dispose([x, w, bias]);
  });
});

describe('kept transposes of weights on wasm', () => {
  beforeAll(() => useBackend('wasm'));
  afterAll(() => setBackend('cpu'));

  it('keep one copy per weight multiplied transposed twice, freed after the weight', () => {
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.tensor(randomValues(8 * 24, 1), [8, 24]);
    const w = tf.tensor(randomValues(16 * 24, 2), [16, 24]);
    tf.matMul(x, x, false, true).dispose(); // frees copies earlier tests' weights left
    const ids = backend.numDataIds();
    const first = tf.matMul(x, w, false, true); // seen once: nothing kept
    expect(backend.numDataIds()).toBe(ids + 1);
    const again = [1, 2, 3].map(() => tf.matMul(x, w, false, true)); // kept once, then reused
    expect(backend.numDataIds()).toBe(ids + 1 + 3 + 1);
    const want = Array.from(first.dataSync());
    for (const y of again) expect(Array.from(y.dataSync())).toEqual(want);
    // The same data under another shape (a reshape shares it) does not get w's kept copy.
    const x2 = tf.tensor(randomValues(8 * 48, 4), [8, 48]);
    const w2 = tf.reshape(w, [8, 48]);
    const y2 = tf.matMul(x2, w2, false, true);
    const y2Plain = tf.tidy(() => tf.matMul(x2, tf.transpose(w2)));
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y2Plain.dataSync()));
    tf.dispose([x2, w2, y2, y2Plain]);
    tf.dispose([first, ...again, w]);
    // The next product frees the copy of the disposed weight.
    const other = tf.tensor(randomValues(16 * 24, 3), [16, 24]);
    tf.matMul(x, other, false, true).dispose();
    expect(backend.numDataIds()).toBe(ids);
    tf.dispose([x, other]);
  });
});
