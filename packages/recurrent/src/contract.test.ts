import {
  describeModuleContract,
  testBackends,
  uniformTensor,
  useBackend,
} from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe } from 'vitest';
import { GRU } from './gru.js';
import { GRUCell } from './gru_cell.js';
import { LSTM } from './lstm.js';
import { LSTMCell } from './lstm_cell.js';
import { RNN } from './rnn.js';
import { RNNCell } from './rnn_cell.js';

// The module contract (shape, finite values, gradients everywhere, seeded determinism, no leaks,
// state-dict round trip, train/eval, finite differences) for every cell and sequence layer.
// Small sizes: T = 3, B = 2, I = 3, H = 4.
const [T, B, I, H] = [3, 2, 3, 4];

for (const backend of testBackends()) {
  describe(`recurrent contract (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    // --- cells ---------------------------------------------------------------------------
    describeModuleContract('RNNCell tanh', {
      make: (generator) => new RNNCell({ inputSize: I, hiddenSize: H, generator }),
      input: () => [uniformTensor([B, I], 1), uniformTensor([B, H], 2)],
      forward: (m, [x, h]) => m.forward(x!, h),
      outputShape: () => [B, H],
    });
    describeModuleContract('LSTMCell', {
      make: (generator) => new LSTMCell({ inputSize: I, hiddenSize: H, generator }),
      input: () => [uniformTensor([B, I], 3), uniformTensor([B, H], 4), uniformTensor([B, H], 5)],
      forward: (m, [x, h, c]) => m.forward(x!, [h!, c!]),
      outputShape: () => [
        [B, H],
        [B, H],
      ],
    });
    describeModuleContract('LSTMCell peepholes + projSize 2, no bias', {
      make: (generator) =>
        new LSTMCell({
          inputSize: I,
          hiddenSize: H,
          projSize: 2,
          peepholes: true,
          bias: false,
          generator,
        }),
      input: () => [uniformTensor([B, I], 6), uniformTensor([B, 2], 7), uniformTensor([B, H], 8)],
      forward: (m, [x, h, c]) => m.forward(x!, [h!, c!]),
      outputShape: () => [
        [B, 2],
        [B, H],
      ],
    });
    describeModuleContract('GRUCell unbatched', {
      make: (generator) => new GRUCell({ inputSize: I, hiddenSize: H, generator }),
      input: () => [uniformTensor([I], 9), uniformTensor([H], 10)],
      forward: (m, [x, h]) => m.forward(x!, h),
      outputShape: () => [H],
    });

    // --- sequence layers -----------------------------------------------------------------
    describeModuleContract('RNN 2 layers bidirectional, initial state', {
      make: (generator) =>
        new RNN({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, generator }),
      input: () => [uniformTensor([T, B, I], 11), uniformTensor([4, B, H], 12)],
      forward: (m, [x, h0]) => m.forward(x!, { h0 }),
      outputShape: () => [
        [T, B, 2 * H],
        [4, B, H],
      ],
    });
    describeModuleContract('LSTM batchFirst with lengths', {
      make: (generator) => new LSTM({ inputSize: I, hiddenSize: H, batchFirst: true, generator }),
      input: () => uniformTensor([B, T, I], 13),
      forward: (m, [x]) => m.forward(x!, { lengths: [T, 1] }),
      outputShape: () => [
        [B, T, H],
        [1, B, H],
        [1, B, H],
      ],
    });
    describeModuleContract('LSTM projSize 2, peepholes, bidirectional, 2 layers', {
      make: (generator) =>
        new LSTM({
          inputSize: I,
          hiddenSize: H,
          projSize: 2,
          peepholes: true,
          numLayers: 2,
          bidirectional: true,
          generator,
        }),
      input: () => [uniformTensor([T, B, I], 14), uniformTensor([4, B, 2], 15)],
      forward: (m, [x, h0]) => m.forward(x!, { h0 }),
      outputShape: () => [
        [T, B, 4],
        [4, B, 2],
        [4, B, H],
      ],
    });
    describeModuleContract('LSTM 2 layers, inter-layer dropout 0.5', {
      make: (generator) =>
        new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, dropout: 0.5, generator }),
      input: () => uniformTensor([T, B, I], 16),
      outputShape: () => [
        [T, B, H],
        [2, B, H],
        [2, B, H],
      ],
      modeDependent: true,
      stochastic: true,
    });
    describeModuleContract('GRU bidirectional with a mask, chrono', {
      make: (generator) =>
        new GRU({
          inputSize: I,
          hiddenSize: H,
          bidirectional: true,
          chrono: { maxLength: 10 },
          generator,
        }),
      input: () => uniformTensor([T, B, I], 17),
      forward: (m, [x]) => {
        const mask = tf.tidy(() => tf.floor(uniformTensor([T, B], 18, 0, 2))); // 0/1, [T, B]
        try {
          return m.forward(x!, { mask });
        } finally {
          mask.dispose();
        }
      },
      outputShape: () => [
        [T, B, 2 * H],
        [2, B, H],
      ],
    });
    describeModuleContract('GRU unbatched', {
      make: (generator) => new GRU({ inputSize: I, hiddenSize: H, generator }),
      input: () => uniformTensor([T, I], 19),
      outputShape: () => [
        [T, H],
        [1, H],
      ],
    });
  });
}
