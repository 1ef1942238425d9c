// tf.matMul and tf.fused.matMul with transposed operands, on every test backend against a float64
// reference (fast-check, fixed seeds: ranks 2-4, batch broadcasting, size-0 dimensions, K = 0
// included). The wasm-only suites (archzoo's kernels against tfjs-wasm's stock ones, gradients,
// leaks) are in batch_matmul.node.test.ts.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../backend.js';
import '../register.js';
import { testBackends, useBackend } from '../testing/backends.js';
import { caseArb, reference, tensors, unbatchedB, withinRounding } from './batch_matmul_cases.js';
import { transposeLastTwo } from './heap_transpose.js';
import { randomValues } from './testing.js';

for (const backend of testBackends()) {
  describe(`tf.matMul with transposed operands (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    afterAll(() => setBackend('cpu'));

    it('equals a float64 product within float32 rounding on 300 random cases (fast-check)', () => {
      fc.assert(
        fc.property(caseArb, (c) => {
          const want = reference(c);
          const got = tf.tidy(() => {
            const [a, b] = tensors(c);
            return tf.matMul(a, b, c.transposeA, c.transposeB);
          });
          const ok =
            got.shape.join() === want.shape.join() &&
            withinRounding(got.dataSync(), want.values, want.scale);
          got.dispose();
          return ok;
        }),
        { numRuns: 300, seed: 7 },
      );
    });

    it('gives tf.fused.matMul (bias, relu) the same within float32 rounding (fast-check)', () => {
      // B unbatched: with B batched, tfjs-wasm's stock loop adds the bias by a wrong index (see fusedMatMul).
      const single = caseArb.filter(
        (c) => c.aShape.length <= 3 && c.bShape.length <= 3 && unbatchedB(c),
      );
      fc.assert(
        fc.property(single, (c) => {
          const want = reference(c);
          const n = want.shape.at(-1)!;
          const bias = randomValues(n, 3);
          const got = tf.tidy(() => {
            const [a, b] = tensors(c);
            return tf.fused.matMul({
              a: a.rank === 2 ? tf.expandDims(a, 0) : a,
              b: b.rank === 2 ? tf.expandDims(b, 0) : b,
              transposeA: c.transposeA,
              transposeB: c.transposeB,
              bias: tf.tensor1d(bias),
              activation: 'relu',
            });
          });
          const expected = want.values.map((v, i) => Math.max(0, v + bias[i % n]!));
          const scale = want.scale.map((s, i) => s + Math.abs(bias[i % n]!));
          const ok = withinRounding(got.dataSync(), expected, scale);
          got.dispose();
          return ok;
        }),
        { numRuns: 150, seed: 8 },
      );
    });

    it('answers products with K = 0 by zeros, and tf.fused.matMul by activation(bias), every activation', () => {
      // tfjs-webgl's shader fails to compile for K = 0, tfjs-wasm's XNNPACK route leaves the output
      // unwritten: archzoo's kernels answer these themselves (batched B and a [M, N] bias included).
      const [m, n] = [3, 4];
      const a = tf.zeros([2, m, 0]);
      const b = tf.zeros([2, 0, n]);
      const zeros = tf.matMul(a, b);
      expect(zeros.shape).toEqual([2, m, n]);
      expect(Array.from(zeros.dataSync())).toEqual(new Array(2 * m * n).fill(0));
      const empty = tf.matMul(tf.zeros([0, 5]), tf.zeros([5, n]));
      expect(empty.shape).toEqual([0, n]);
      const biasRow = randomValues(n, 11, -3, 8); // past relu6's 6, below 0
      const biasFull = randomValues(m * n, 12, -3, 3);
      const prelu = randomValues(n, 13, 0, 0.5);
      const act: Record<string, (x: number, j: number) => number> = {
        linear: (x) => x,
        relu: (x) => Math.max(0, x),
        relu6: (x) => Math.min(Math.max(0, x), 6),
        elu: (x) => (x >= 0 ? x : Math.exp(x) - 1),
        sigmoid: (x) => 1 / (1 + Math.exp(-x)),
        leakyrelu: (x) => (x < 0 ? 0.1 * x : x),
        prelu: (x, j) => (x < 0 ? prelu[j]! * x : x),
      };
      for (const [activation, f] of Object.entries(act)) {
        for (const bias of [null, biasRow, biasFull]) {
          const got = tf.tidy(() =>
            tf.fused.matMul({
              a,
              b,
              bias: bias ? tf.tensor(bias, bias === biasRow ? [n] : [m, n]) : undefined,
              activation: activation as tf.fused.Activation,
              leakyreluAlpha: 0.1,
              preluActivationWeights: activation === 'prelu' ? tf.tensor1d(prelu) : undefined,
            }),
          );
          expect(got.shape).toEqual([2, m, n]);
          const values = got.dataSync();
          for (let i = 0; i < values.length; i++) {
            const j = i % n;
            const x = bias === null ? 0 : bias === biasRow ? bias[j]! : bias[i % (m * n)]!;
            const want = f(x, j);
            expect(
              Math.abs(values[i]! - want),
              `${activation} ${bias?.length} [${i}]`,
            ).toBeLessThan(1e-6 * (1 + Math.abs(want)));
          }
          got.dispose();
        }
      }
      tf.dispose([a, b, zeros, empty]);
    });
  });
}

describe('transposeLastTwo', () => {
  it('swaps the last two axes of every matrix in a batch, tiles and ragged edges included', () => {
    for (const [batch, rows, cols] of [
      [1, 1, 1],
      [2, 3, 5],
      [1, 33, 70],
      [3, 64, 31],
      [1, 0, 4],
    ] as const) {
      const src = Float32Array.from({ length: batch * rows * cols }, (_, i) => i);
      const dst = new Float32Array(src.length);
      transposeLastTwo(src, dst, batch, rows, cols);
      for (let t = 0; t < batch; t++)
        for (let r = 0; r < rows; r++)
          for (let c = 0; c < cols; c++)
            expect(dst[(t * cols + c) * rows + r]).toBe(src[(t * rows + r) * cols + c]);
    }
  });
});
