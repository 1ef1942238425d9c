import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchzooError } from '../errors.js';
import '../register.js';
import { testBackends, useBackend } from '../testing/backends.js';
import { CrossEntropyLoss, crossEntropy, NLLLoss, nllLoss } from './index.js';
import type { Reduction } from './reduction.js';

// Behaviour of crossEntropy / nllLoss beyond the torch fixtures (parity.test.ts).
for (const backend of testBackends()) {
  describe(`crossEntropy behaviour (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    it('matches the doc example and the module wrapper', () => {
      const logits = tf.tensor2d([[2, 0, -1]]);
      const y = tf.tensor1d([0], 'int32');
      const l = crossEntropy(logits, y);
      expect(l.shape).toEqual([]);
      expect(l.dataSync()[0]).toBeCloseTo(Math.log(1 + Math.exp(-2) + Math.exp(-3)), 6);
      const m = new CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(logits, y);
      const f = crossEntropy(logits, y, { labelSmoothing: 0.1 });
      expect(m.dataSync()[0]).toBe(f.dataSync()[0]);
      const n = new NLLLoss({ reduction: 'sum' }).forward(tf.logSoftmax(logits), y);
      expect(n.dataSync()[0]).toBeCloseTo(l.dataSync()[0]!, 6);
      tf.dispose([logits, y, l, m, f, n]);
    });

    it('gives NaN for a mean over only ignored targets, as PyTorch does', () => {
      const l = crossEntropy(tf.ones([2, 3]), tf.tensor1d([-100, -100], 'int32'));
      expect(Number.isNaN(l.dataSync()[0])).toBe(true);
      const s = crossEntropy(tf.ones([2, 3]), tf.tensor1d([-100, -100], 'int32'), {
        reduction: 'sum',
      });
      expect(s.dataSync()[0]).toBe(0);
    });

    it('stays finite at logits of +-1e4 with huge gaps', () => {
      const logits = tf.tensor2d([
        [1e4, -1e4],
        [-1e4, 1e4],
      ]);
      const y = tf.tensor1d([1, 1], 'int32');
      const g = tf.grad((x: tf.Tensor) => crossEntropy(x, y))(logits);
      const l = crossEntropy(logits, y);
      expect(l.dataSync()[0]).toBeCloseTo(1e4, 0); // (2e4 + 0) / 2
      expect(Array.from(g.dataSync())).toEqual([0.5, -0.5, 0, 0]);
    });

    it('rejects bad input with ArchzooError', () => {
      const x = tf.zeros([4, 3]);
      const y = tf.tensor1d([0, 1, 2, 0], 'int32');
      const bad = (f: () => unknown, msg: RegExp) => expect(f).toThrow(msg);
      bad(
        () => crossEntropy(x, tf.tensor1d([0, 1, 2], 'int32')),
        /target expected class indices of shape \[4\]/,
      );
      bad(
        () => crossEntropy(x, tf.zeros([4, 2])),
        /int32 class indices \[4\] or float32 probabilities \[4, 3\]/,
      );
      bad(
        () => crossEntropy(x, tf.tensor1d([0, 1, 3, 0], 'int32')),
        /class indices in \[0, 2\] or ignoreIndex \(-100\), got 3 at flat position 2/,
      );
      bad(() => crossEntropy(x, tf.tensor1d([0, -1, 2, 0], 'int32')), /got -1 at flat position 1/);
      bad(() => crossEntropy(tf.zeros([4, 3], 'int32'), y), /input expected dtype float32/);
      bad(
        () => crossEntropy(x, y, { weight: tf.ones([4]) }),
        /weight expected one value per class \(\[3\]\)/,
      );
      bad(
        () => crossEntropy(x, y, { reduction: 'avg' as Reduction }),
        /reduction expected one of 'none', 'mean', 'sum'/,
      );
      bad(
        () => crossEntropy(x, y, { labelSmoothing: 1.5 }),
        /labelSmoothing expected a number in \[0, 1\]/,
      );
      bad(() => nllLoss(x, tf.zeros([4])), /target expected dtype int32/);
      bad(
        () => crossEntropy(x, tf.zeros([4, 3]), { ignoreIndex: 1 }),
        /ignoreIndex expected a negative value/,
      );
      bad(() => new CrossEntropyLoss({ ignoreIndex: 0.5 }), /ignoreIndex expected an integer/);
      expect(() => crossEntropy(x, y)).not.toThrow();
      expect(() =>
        crossEntropy(x, tf.tensor1d([0, -1, 2, 0], 'int32'), { ignoreIndex: -1 }),
      ).not.toThrow();
      // validation off: no read-back; an out-of-range index then contributes a zero one-hot row
      expect(() =>
        crossEntropy(x, tf.tensor1d([0, 1, 7, 0], 'int32'), { validateTargets: false }),
      ).not.toThrow();
      expect(() => crossEntropy(x, tf.zeros([4, 2]))).toThrow(ArchzooError);
    });
  });
}
