import { Generator } from '@archzoo/core';
import { testBackends, useBackend } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdaptiveComputationTime,
  bivariateGaussianNll,
  ConvLSTMCell,
  GatedRNNCell,
  LeakyRNNCell,
  MinimalRNNCell,
  runCell,
  SocialLSTM,
  socialPooling,
} from './index.js';

// The @example of every doc comment (and README section) of the cells beyond RNN/LSTM/GRU, run
// as written (through the package's index), with their stated shapes checked.

for (const backend of testBackends()) {
  describe(`examples (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    it('LeakyRNNCell, GatedRNNCell, MinimalRNNCell', () => {
      tf.tidy(() => {
        const leaky = new LeakyRNNCell({ inputSize: 3, hiddenSize: 8, alpha: 0.2 });
        const { output, state } = leaky.step(tf.ones([2, 3]), leaky.initialState(2));
        expect(output.shape).toEqual([2, 8]);
        expect(state[0]).toBe(output);
        const gated = new GatedRNNCell({ inputSize: 3, hiddenSize: 8 });
        expect(gated.step(tf.ones([2, 3]), gated.initialState(2)).output.shape).toEqual([2, 8]);
        const minimal = new MinimalRNNCell({ inputSize: 3, hiddenSize: 8 });
        expect(minimal.step(tf.ones([2, 3]), minimal.initialState(2)).output.shape).toEqual([2, 8]);
        for (const m of [leaky, gated, minimal]) m.dispose();
      });
    });

    it('runCell', () => {
      tf.tidy(() => {
        const cell = new GatedRNNCell({ inputSize: 3, hiddenSize: 8 });
        const { outputs, state } = runCell(cell, tf.ones([5, 2, 3]));
        expect(outputs.shape).toEqual([5, 2, 8]);
        expect(state[0]!.shape).toEqual([2, 8]);
        cell.dispose();
      });
    });

    it('ConvLSTMCell', () => {
      tf.tidy(() => {
        const cell = new ConvLSTMCell({ inputSize: 1, hiddenSize: 8, kernelSize: 3 });
        const state = cell.initialState(2, [16, 16]);
        const { output } = cell.step(tf.zeros([2, 16, 16, 1]), state);
        expect(output.shape).toEqual([2, 16, 16, 8]);
        cell.dispose();
      });
    });

    it('AdaptiveComputationTime', () => {
      tf.tidy(() => {
        const act = new AdaptiveComputationTime({
          cell: new GatedRNNCell({ inputSize: 3 + 1, hiddenSize: 8 }),
        });
        const { outputs, ponderCost } = act.forward(tf.ones([5, 2, 3]));
        expect(outputs.shape).toEqual([5, 2, 8]);
        expect(ponderCost.shape).toEqual([2]);
        const loss = tf.add(tf.mean(tf.square(outputs)), tf.mul(0.01, tf.mean(ponderCost)));
        expect(Number.isFinite(loss.dataSync()[0]!)).toBe(true);
        act.dispose();
      });
    });

    it('socialPooling, SocialLSTM and bivariateGaussianNll', () => {
      tf.tidy(() => {
        const H = socialPooling(
          tf.tensor2d([
            [0, 0],
            [0.3, 0.2],
          ]),
          tf.ones([2, 4]),
          {
            neighborhoodSize: 2,
            gridSize: 4,
          },
        );
        expect(H.shape).toEqual([2, 64]);
        const model = new SocialLSTM({
          hiddenSize: 32,
          embeddingSize: 16,
          gridSize: 4,
          neighborhoodSize: 2,
          generator: new Generator(0),
        });
        const positions = tf.randomUniform([8, 5, 2]); // [T, N agents, (x, y)]
        const { outputs } = model.forward(positions, { sceneIds: [0, 0, 0, 1, 1] });
        expect(outputs.shape).toEqual([8, 5, 5]);
        // the output at t predicts the positions at t + 1
        const loss = bivariateGaussianNll(tf.slice(outputs, 0, 7), tf.slice(positions, 1, 7));
        expect(Number.isFinite(loss.dataSync()[0]!)).toBe(true);
        model.dispose();
      });
    });
  });
}
