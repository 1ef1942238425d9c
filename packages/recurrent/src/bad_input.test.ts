import { ArchzooError } from '@archzoo/core';
import { expectArchzooError, testBackends, useBackend } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GRU } from './gru.js';
import { GRUCell } from './gru_cell.js';
import { LSTM } from './lstm.js';
import { LSTMCell } from './lstm_cell.js';
import { RNN } from './rnn.js';
import { RNNCell } from './rnn_cell.js';

const made: (tf.Tensor | { dispose(): void })[] = [];
function t(shape: number[], dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  const x = tf.zeros(shape, dtype);
  made.push(x);
  return x;
}
function keep<M extends { dispose(): void }>(m: M): M {
  made.push(m);
  return m;
}

for (const backend of testBackends()) {
  describe(`recurrent bad input (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    afterEach(() => {
      for (const m of made.splice(0)) m.dispose();
    });

    it('constructor options name the module, the option and the expected value', () => {
      expectArchzooError(
        () => new RNN({ inputSize: 4, hiddenSize: 0 }),
        'RNN',
        'hiddenSize',
        'positive integer',
        'got 0',
      );
      expectArchzooError(
        () => new LSTM({ inputSize: 4, hiddenSize: 6, numLayers: 1.5 }),
        'LSTM',
        'numLayers',
        'got 1.5',
      );
      expectArchzooError(
        () => new GRU({ inputSize: 4, hiddenSize: 6, dropout: 2 }),
        'GRU',
        'dropout',
        '[0, 1]',
        'got 2',
      );
      expectArchzooError(
        () => new RNN({ inputSize: 4, hiddenSize: 6, nonlinearity: 'sigmoid' as 'tanh' }),
        'RNN',
        'nonlinearity',
        "'tanh', 'relu'",
        "got 'sigmoid'",
      );
      expectArchzooError(
        () => new LSTM({ inputSize: 4, hiddenSize: 6, projSize: 6 }),
        'LSTM',
        'projSize',
        'smaller than hiddenSize (6)',
        'got 6',
      );
      expectArchzooError(
        () => new LSTMCell({ inputSize: 4, hiddenSize: 6, projSize: 7 }),
        'LSTMCell',
        'projSize',
        'got 7',
      );
      expectArchzooError(
        () => new LSTM({ inputSize: 4, hiddenSize: 6, bias: false, chrono: { maxLength: 10 } }),
        'LSTM',
        'chrono',
        'bias: true',
        'got bias: false',
      );
      expectArchzooError(
        () => new GRUCell({ inputSize: 4, hiddenSize: 6, chrono: { maxLength: 1 } }),
        'GRUCell',
        'chrono.maxLength',
        '>= 2',
        'got 1',
      );
      expectArchzooError(
        () => new RNNCell({ inputSize: -1, hiddenSize: 6 }),
        'RNNCell',
        'inputSize',
        'got -1',
      );
    });

    it('sequence input: rank and size', () => {
      const lstm = keep(new LSTM({ inputSize: 4, hiddenSize: 6 }));
      expectArchzooError(
        () => lstm.forward(t([5, 3, 4, 1])),
        'LSTM.forward',
        'input',
        'rank 2 or 3',
        'got rank 4',
      );
      expectArchzooError(
        () => lstm.forward(t([5, 3, 5])),
        'LSTM.forward',
        'input',
        'last dimension (inputSize) of size 4',
        'got 5',
      );
      expectArchzooError(
        () => lstm.forward(t([5, 3, 4], 'int32')),
        'LSTM.forward',
        'input',
        'dtype float32',
        'got dtype int32',
      );
      expectArchzooError(
        () => lstm.forward(t([0, 3, 4])),
        'LSTM.forward',
        'input',
        'at least one time step',
        'got [0, 3, 4]',
      );
      expectArchzooError(
        () => lstm.forward([1, 2] as never),
        'LSTM.forward',
        'input',
        'a tf.Tensor',
      );
    });

    it('initial states: shape [D * numLayers, B, H]', () => {
      const lstm = keep(new LSTM({ inputSize: 4, hiddenSize: 6, numLayers: 2 }));
      const x = t([5, 3, 4]);
      expectArchzooError(
        () => lstm.forward(x, { h0: t([1, 3, 6]) }),
        'LSTM.forward',
        'h0',
        'shape [2, 3, 6]',
        'got shape [1, 3, 6]',
      );
      expectArchzooError(
        () => lstm.forward(x, { c0: t([2, 3, 5]) }),
        'LSTM.forward',
        'c0',
        'shape [2, 3, 6]',
        'got shape [2, 3, 5]',
      );
      const proj = keep(
        new LSTM({ inputSize: 4, hiddenSize: 6, projSize: 2, bidirectional: true }),
      );
      expectArchzooError(
        () => proj.forward(x, { h0: t([2, 3, 6]) }),
        'LSTM.forward',
        'h0',
        'shape [2, 3, 2]',
        'got shape [2, 3, 6]',
      );
      const gru = keep(new GRU({ inputSize: 4, hiddenSize: 6, batchFirst: true }));
      expectArchzooError(
        () => gru.forward(t([3, 5, 4]), { h0: t([1, 5, 6]) }),
        'GRU.forward',
        'h0',
        'shape [1, 3, 6]',
        'got shape [1, 5, 6]',
      );
    });

    it('lengths: one integer in [0, T] per sample', () => {
      const rnn = keep(new RNN({ inputSize: 4, hiddenSize: 6 }));
      const x = t([5, 3, 4]);
      expectArchzooError(
        () => rnn.forward(x, { lengths: [5, 6, 1] }),
        'RNN.forward',
        'lengths[1]',
        'an integer in [0, 5]',
        'got 6',
      );
      expectArchzooError(
        () => rnn.forward(x, { lengths: [5, -1, 1] }),
        'RNN.forward',
        'lengths[1]',
        'got -1',
      );
      expectArchzooError(
        () => rnn.forward(x, { lengths: [5, 2.5, 1] }),
        'RNN.forward',
        'lengths[1]',
        'got 2.5',
      );
      expectArchzooError(
        () => rnn.forward(x, { lengths: [5, 2] }),
        'RNN.forward',
        'lengths',
        '3 entries',
        'got 2',
      );
      expectArchzooError(
        () => rnn.forward(x, { lengths: t([3]) }),
        'RNN.forward',
        'lengths',
        'dtype int32',
        'got dtype float32',
      );
      const big = tf.tensor1d([1, 9, 2], 'int32');
      made.push(big);
      expectArchzooError(
        () => rnn.forward(x, { lengths: big }),
        'RNN.forward',
        'lengths[1]',
        'got 9',
      );
      expectArchzooError(
        () => rnn.forward(x, { lengths: [1, 1, 1], mask: t([5, 3]) }),
        'RNN.forward',
        'lengths or mask, not both',
      );
    });

    it('mask: [T, B], or [B, T] when batchFirst', () => {
      const rnn = keep(new RNN({ inputSize: 4, hiddenSize: 6 }));
      expectArchzooError(
        () => rnn.forward(t([5, 3, 4]), { mask: t([3, 5]) }),
        'RNN.forward',
        'mask',
        'shape [5, 3] [T, B]',
        'got shape [3, 5]',
      );
      const bf = keep(new RNN({ inputSize: 4, hiddenSize: 6, batchFirst: true }));
      expectArchzooError(
        () => bf.forward(t([3, 5, 4]), { mask: t([5, 3]) }),
        'RNN.forward',
        'mask',
        'shape [3, 5] [B, T] (batchFirst)',
        'got shape [5, 3]',
      );
    });

    it('cells: input and state shapes', () => {
      const rnn = keep(new RNNCell({ inputSize: 4, hiddenSize: 6 }));
      expectArchzooError(
        () => rnn.forward(t([3, 5])),
        'RNNCell.forward',
        'input',
        'inputSize) of size 4',
        'got 5',
      );
      expectArchzooError(
        () => rnn.forward(t([3, 4]), t([2, 6])),
        'RNNCell.forward',
        'h',
        'shape [3, 6]',
        'got shape [2, 6]',
      );
      const lstm = keep(new LSTMCell({ inputSize: 4, hiddenSize: 6, projSize: 2 }));
      expectArchzooError(
        () => lstm.forward(t([3, 4, 1])),
        'LSTMCell.forward',
        'input',
        'rank 1 or 2',
        'got rank 3',
      );
      expectArchzooError(
        () => lstm.forward(t([3, 4]), [t([3, 6]), t([3, 6])]),
        'LSTMCell.forward',
        'h',
        'shape [3, 2]',
        'got shape [3, 6]',
      );
      expectArchzooError(
        () => lstm.forward(t([3, 4]), [t([3, 2])] as never),
        'LSTMCell.forward',
        'state',
        '[h, c]',
      );
      const gru = keep(new GRUCell({ inputSize: 4, hiddenSize: 6 }));
      expectArchzooError(
        () => gru.forward(t([4]), t([3, 6])),
        'GRUCell.forward',
        'h',
        'shape [6]',
        'got shape [3, 6]',
      );
    });

    it('a failed loadStateDict lists every problem and leaves the model untouched', () => {
      const lstm = keep(new LSTM({ inputSize: 4, hiddenSize: 6, bidirectional: true }));
      const before = lstm.stateDict();
      const other = keep(new LSTM({ inputSize: 4, hiddenSize: 5, bidirectional: true }));
      const bad = other.stateDict();
      delete bad.bias_hh_l0_reverse;
      let message = '';
      try {
        lstm.loadStateDict(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(ArchzooError);
        message = (e as Error).message;
      }
      expect(message).toContain('LSTM.loadStateDict');
      expect(message).toContain('weight_ih_l0: shape mismatch, expected [24, 4], got [20, 4]');
      expect(message).toContain("missing key 'bias_hh_l0_reverse'");
      const after = lstm.stateDict();
      for (const [k, v] of Object.entries(before)) {
        expect(Array.from(after[k]!.dataSync()), k).toEqual(Array.from(v.dataSync()));
      }
      tf.dispose([...Object.values(before), ...Object.values(after), ...Object.values(bad)]);
    });
  });
}
