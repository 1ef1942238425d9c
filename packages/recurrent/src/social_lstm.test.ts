import { ArchzooError } from '@archzoo/core';
import { describeModuleContract, testBackends, useBackend } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bivariateGaussianNll } from './bivariate_gaussian.js';
import { SocialLSTM } from './social_lstm.js';
import { socialPooling } from './social_pooling.js';

/**
 * Four agents whose pairwise offsets stay >= 0.15 cell from every grid boundary (cell size 1), so
 * the finite-difference steps on the positions never move a neighbour to another cell.
 */
function positions(): tf.Tensor {
  const xs = [0.0, 0.3, 0.65, 1.45];
  const ys = [0.65, 0.0, 1.45, 0.3];
  const step = (t: number) => xs.map((x, i) => [x + 0.05 * t, ys[i]! + 0.05 * t]);
  return tf.tensor3d([step(0), step(1)]); // [T=2, N=4, 2]
}

for (const backend of testBackends()) {
  describe(backend, () => {
    beforeAll(() => useBackend(backend));

    describeModuleContract('SocialLSTM (2 steps, 4 agents)', {
      make: (generator) =>
        new SocialLSTM({
          hiddenSize: 3,
          embeddingSize: 3,
          gridSize: 2,
          neighborhoodSize: 2,
          generator,
        }),
      input: positions,
      forward: (m, [xs]) => m.forward(xs!, { sceneIds: [0, 0, 0, 1] }),
      outputShape: () => [
        [2, 4, 5],
        [4, 3],
        [4, 3],
      ],
    });

    describe('socialPooling', () => {
      it('sums the hidden states of the neighbours in each grid cell', () => {
        // agent 0 at the origin; grid 2 x 2 over [-1, 1)²: cell (m, n), m along x, n along y
        const pos = tf.tensor2d([
          [0, 0],
          [0.5, 0.5], // cell (1, 1) of agent 0
          [0.5, 0.25], // cell (1, 1) too: summed with agent 1
          [-0.5, 0.5], // cell (0, 1)
          [3, 3], // out of everyone's neighbourhood
        ]);
        const hidden = tf.tensor2d([[1], [10], [100], [1000], [10000]]);
        const out = socialPooling(pos, hidden, { neighborhoodSize: 2, gridSize: 2 });
        expect(out.shape).toEqual([5, 4]);
        const rows = out.arraySync() as number[][];
        expect(rows[0]).toEqual([0, 1000, 0, 110]); // cells (0,0), (0,1), (1,0), (1,1)
        // agent 1 at (0.5, 0.5): agent 0 at offset (-0.5, -0.5) -> cell (0, 0); agent 2 at
        // (0, -0.25) -> (1, 0); agent 3 at (-1, 0) -> (0, 1)
        expect(rows[1]).toEqual([1, 1000, 100, 0]);
        expect(rows[4]).toEqual([0, 0, 0, 0]);
        // another scene and absent agents are not neighbours
        const scenes = socialPooling(pos, hidden, {
          neighborhoodSize: 2,
          gridSize: 2,
          sceneIds: [0, 1, 0, 0, 0],
          mask: [1, 1, 1, 0, 1],
        });
        expect((scenes.arraySync() as number[][])[0]).toEqual([0, 0, 0, 100]);
        tf.dispose([pos, hidden, out, scenes]);
      });

      it('puts a neighbour on the lower edge of a cell in that cell (half-open cells)', () => {
        const pos = tf.tensor2d([
          [0, 0],
          [0, -1], // offset (0, -1): m = floor(1) = 1, n = floor(0) = 0
        ]);
        const hidden = tf.tensor2d([[1], [7]]);
        const out = socialPooling(pos, hidden, { neighborhoodSize: 2, gridSize: 2 });
        expect((out.arraySync() as number[][])[0]).toEqual([0, 0, 7, 0]);
        tf.dispose([pos, hidden, out]);
      });
    });

    describe('bivariateGaussianNll', () => {
      it('with ρ = 0 is the sum of two univariate Gaussian NLLs', () => {
        const params = tf.tensor2d([[0.5, -1, 2, 0.5, 0]]);
        const target = tf.tensor2d([[1, 0]]);
        const uni = (x: number, mu: number, s: number) =>
          0.5 * Math.log(2 * Math.PI) + Math.log(s) + (x - mu) ** 2 / (2 * s * s);
        const v = bivariateGaussianNll(params, target).dataSync()[0]!;
        expect(v).toBeCloseTo(uni(1, 0.5, 2) + uni(0, -1, 0.5), 5);
        tf.dispose([params, target]);
      });

      it('matches the density formula with correlation, and masks terms out', () => {
        const [mx, my, sx, sy, r] = [0.2, -0.1, 0.7, 1.3, 0.6];
        const [x, y] = [0.9, 0.4];
        const dx = (x - mx) / sx;
        const dy = (y - my) / sy;
        const z = dx * dx + dy * dy - 2 * r * dx * dy;
        const pdf =
          Math.exp(-z / (2 * (1 - r * r))) / (2 * Math.PI * sx * sy * Math.sqrt(1 - r * r));
        const params = tf.tensor2d([
          [mx, my, sx, sy, r],
          [0, 0, 0, 0, 0], // an absent agent: zeros, masked
        ]);
        const target = tf.tensor2d([
          [x, y],
          [5, 5],
        ]);
        const mask = tf.tensor1d([1, 0]);
        const v = bivariateGaussianNll(params, target, { mask }).dataSync()[0]!;
        expect(v).toBeCloseTo(-Math.log(pdf), 5);
        const none = bivariateGaussianNll(params, target, { mask, reduction: 'none' });
        expect(Array.from(none.dataSync()).every(Number.isFinite)).toBe(true);
        expect(none.dataSync()[1]).toBe(0);
        tf.dispose([params, target, mask, none]);
      });
    });

    describe('Social LSTM bad input', () => {
      it('names the function or module, the argument, expected vs actual', () => {
        const pos = tf.zeros([3, 3]);
        const hid = tf.zeros([3, 4]);
        expect(() => socialPooling(pos, hid, { neighborhoodSize: 2, gridSize: 2 })).toThrow(
          'socialPooling: positions expected dimension 1 (x, y) of size 2, got 3 (shape [3, 3])',
        );
        const pos2 = tf.zeros([3, 2]);
        expect(() =>
          socialPooling(pos2, tf.zeros([2, 4]), { neighborhoodSize: 2, gridSize: 2 }),
        ).toThrow(
          'socialPooling: hidden expected dimension 0 (agents, that of positions) of size 3, got 2 (shape [2, 4])',
        );
        expect(() =>
          socialPooling(pos2, hid, { neighborhoodSize: 2, gridSize: 2, sceneIds: [0, 1] }),
        ).toThrow('socialPooling: sceneIds expected 3 values (one per agent), got 2');
        expect(() => socialPooling(pos2, hid, { neighborhoodSize: 0, gridSize: 2 })).toThrow(
          'socialPooling: option neighborhoodSize expected a number > 0, got 0',
        );
        const model = new SocialLSTM({ hiddenSize: 4, embeddingSize: 2, gridSize: 2 });
        expect(() => model.forward(tf.zeros([3, 2]))).toThrow(
          'SocialLSTM.forward: positions expected rank 3 [T, N, 2], got rank 2 with shape [3, 2]',
        );
        expect(() => model.forward(tf.zeros([2, 3, 2]), { presence: tf.ones([2, 4]) })).toThrow(
          'SocialLSTM.forward: presence expected dimension 1 (agents) of size 3, got 4 (shape [2, 4])',
        );
        const s = model.initialState(2);
        expect(() => model.step(pos2, s)).toThrow(
          'SocialLSTM.step: state[0] expected dimension 0 (agents, that of positions) of size 3, got 2 (shape [2, 4])',
        );
        const p = tf.zeros([2, 4]);
        expect(() => bivariateGaussianNll(p, tf.zeros([2, 2]))).toThrow(ArchzooError);
        expect(() => bivariateGaussianNll(tf.zeros([2, 5]), tf.zeros([2, 3]))).toThrow(
          'bivariateGaussianNll: targets expected shape [2, 2], got shape [2, 3]',
        );
        tf.dispose([pos, hid, pos2, p, ...s]);
        model.dispose();
      });
    });
  });
}
