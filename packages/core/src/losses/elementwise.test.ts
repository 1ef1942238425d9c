import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchzooError } from '../errors.js';
import '../register.js';
import { testBackends, useBackend } from '../testing/backends.js';
import {
  BCEWithLogitsLoss,
  bceWithLogits,
  HuberLoss,
  huberLoss,
  KLDivLoss,
  klDiv,
  L1Loss,
  l1Loss,
  MSELoss,
  mseLoss,
  SmoothL1Loss,
  smoothL1Loss,
} from './index.js';

// Behaviour of the element-wise losses beyond the torch fixtures (parity.test.ts).

const values = (t: tf.Tensor) => Array.from(t.dataSync());

for (const backend of testBackends()) {
  describe(`element-wise losses (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    it('matches the doc examples', () => {
      const z = tf.zeros([2]);
      const cases: [tf.Tensor, number[]][] = [
        [mseLoss(tf.tensor1d([1, 2]), z), [2.5]],
        [l1Loss(tf.tensor1d([1, -2]), z, { reduction: 'sum' }), [3]],
        [smoothL1Loss(tf.tensor1d([0.5, 3]), z, { reduction: 'none' }), [0.125, 2.5]],
        [huberLoss(tf.tensor1d([0.5, 3]), z, { delta: 2, reduction: 'none' }), [0.125, 4]],
      ];
      for (const [got, want] of cases) {
        const v = values(got);
        want.forEach((w, i) => expect(v[i]).toBeCloseTo(w, 6));
      }
      expect(values(bceWithLogits(tf.tensor1d([0]), tf.tensor1d([1])))[0]).toBeCloseTo(Math.LN2, 6);
    });

    it('gives |d| a zero gradient at a tie, as PyTorch (tfjs abs gives -1)', () => {
      const x = tf.tensor1d([1, 2, 3]);
      const y = tf.tensor1d([1, 0, 4]);
      expect(values(tf.grad((a: tf.Tensor) => l1Loss(a, y, { reduction: 'sum' }))(x))).toEqual([
        0, 1, -1,
      ]);
      const g1 = tf.grad((a: tf.Tensor) => smoothL1Loss(a, y, { beta: 1, reduction: 'sum' }))(x);
      expect(values(g1)).toEqual([0, 1, -1]);
      // beta = 0: torch's smooth-L1 kernel picks -1 at a tie (fixtures: smooth_l1_b0_*)
      const g0 = tf.grad((a: tf.Tensor) => smoothL1Loss(a, y, { beta: 0, reduction: 'sum' }))(x);
      expect(values(g0)).toEqual([-1, 1, -1]);
    });

    it('huber(delta) = delta * smoothL1(beta = delta)', () => {
      const x = tf.tensor1d([-3, -0.4, 0, 0.2, 1.1, 5]);
      const y = tf.zeros([6]);
      const h = values(huberLoss(x, y, { delta: 0.7, reduction: 'none' }));
      const s = values(smoothL1Loss(x, y, { beta: 0.7, reduction: 'none' }));
      h.forEach((v, i) => expect(v).toBeCloseTo(0.7 * s[i]!, 6));
    });

    it('bceWithLogits is finite at +-1e4 and its gradient is sigmoid(x) - y at 0', () => {
      const x = tf.tensor1d([1e4, -1e4, 1e4, -1e4, 0, 0]);
      const y = tf.tensor1d([1, 0, 0, 1, 1, 0.25]);
      const l = values(bceWithLogits(x, y, { reduction: 'none' }));
      expect(l).toEqual([0, 0, 1e4, 1e4, expect.closeTo(Math.LN2, 6), expect.closeTo(Math.LN2, 6)]);
      const g = values(tf.grad((a: tf.Tensor) => bceWithLogits(a, y, { reduction: 'sum' }))(x));
      expect(g).toEqual([0, 0, 1, -1, -0.5, 0.25]);
      // posWeight p scales the positive term: the gradient at 0 is (p y + 1 - y) / 2 - p y
      const p = tf.tensor1d([3]);
      const gp = values(
        tf.grad((a: tf.Tensor) => bceWithLogits(a, tf.ones([1]), { posWeight: p }))(tf.zeros([1])),
      );
      expect(gp[0]).toBeCloseTo(-1.5, 6);
    });

    it('klDiv: zero for equal distributions, batchmean = sum / N, logTarget agrees', () => {
      const p = tf.tensor2d([
        [0.2, 0.8, 0],
        [0.5, 0.25, 0.25],
      ]);
      const q = tf.tensor2d([
        [0.4, 0.4, 0.2],
        [0.1, 0.1, 0.8],
      ]);
      const logq = tf.log(q);
      const same = klDiv(tf.log(tf.tensor1d([0.3, 0.7])), tf.tensor1d([0.3, 0.7]), {
        reduction: 'sum',
      });
      expect(Math.abs(values(same)[0]!)).toBeLessThan(1e-6);
      const sum = values(klDiv(logq, p, { reduction: 'sum' }))[0]!;
      let want = 0;
      const pv = values(p);
      const qv = values(q);
      pv.forEach((pi, i) => {
        if (pi > 0) want += pi * Math.log(pi / qv[i]!);
      });
      expect(sum).toBeCloseTo(want, 5);
      expect(values(klDiv(logq, p, { reduction: 'batchmean' }))[0]).toBeCloseTo(want / 2, 5);
      expect(values(klDiv(logq, p, { reduction: 'mean' }))[0]).toBeCloseTo(want / 6, 5);
      const logp = tf.log(tf.tensor2d([0.2, 0.8, 1e-30, 0.5, 0.25, 0.25], [2, 3]));
      expect(values(klDiv(logq, logp, { reduction: 'sum', logTarget: true }))[0]).toBeCloseTo(
        want,
        5,
      );
      const g = tf.grad((a: tf.Tensor) => klDiv(a, p, { reduction: 'sum' }))(logq);
      expect(values(g)).toEqual(values(tf.neg(p))); // d/dlogq = -p, finite where p = 0
    });

    it('module wrappers equal their functions', () => {
      const x = tf.tensor2d([
        [0.3, -1.2],
        [2.5, 0],
      ]);
      const y = tf.tensor2d([
        [0, 1],
        [1, 0],
      ]);
      const pairs: [tf.Tensor, tf.Tensor][] = [
        [new MSELoss().forward(x, y), mseLoss(x, y)],
        [new L1Loss({ reduction: 'sum' }).forward(x, y), l1Loss(x, y, { reduction: 'sum' })],
        [new SmoothL1Loss({ beta: 0.5 }).forward(x, y), smoothL1Loss(x, y, { beta: 0.5 })],
        [new HuberLoss({ delta: 2 }).forward(x, y), huberLoss(x, y, { delta: 2 })],
        [
          new BCEWithLogitsLoss({ reduction: 'none' }).forward(x, y),
          bceWithLogits(x, y, { reduction: 'none' }),
        ],
        [
          new KLDivLoss({ reduction: 'batchmean' }).forward(x, y),
          klDiv(x, y, { reduction: 'batchmean' }),
        ],
      ];
      for (const [a, b] of pairs) expect(values(a)).toEqual(values(b));
      expect(new SmoothL1Loss({ beta: 0.5 }).toString()).toContain(
        "SmoothL1Loss(reduction='mean', beta=0.5)",
      );
    });

    it('rejects bad input with ArchzooError', () => {
      const x = tf.zeros([2, 3]);
      expect(() => mseLoss(x, tf.zeros([3, 2]))).toThrow(
        /mseLoss: target expected the input's shape \[2, 3\], got shape \[3, 2\]/,
      );
      expect(() => l1Loss(tf.zeros([2, 3], 'int32'), x)).toThrow(
        /l1Loss: input expected dtype float32/,
      );
      expect(() => smoothL1Loss(x, x, { beta: -1 })).toThrow(
        /option beta expected a finite number >= 0, got -1/,
      );
      expect(() => huberLoss(x, x, { delta: 0 })).toThrow(/delta expected a number > 0/);
      expect(() => bceWithLogits(x, x, { posWeight: tf.ones([2]) })).toThrow(
        /posWeight expected a shape that broadcasts to \[2, 3\]/,
      );
      expect(() => bceWithLogits(x, x, { weight: tf.ones([4, 2, 3]) })).toThrow(
        /weight expected a shape that broadcasts to \[2, 3\]/,
      );
      expect(() => klDiv(x, x, { reduction: 'avg' as 'mean' })).toThrow(
        /'none', 'mean', 'sum', 'batchmean'/,
      );
      expect(() => new MSELoss({ reduction: 'max' as 'mean' })).toThrow(ArchzooError);
    });
  });
}
