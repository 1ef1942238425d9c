import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { lstmSequence } from '../sequence_ops.js';
import { fusedLstmSequence } from './lstm_sequence.js';
import { disposeArgs, lstmReference, randomArgs } from './testing/reference.js';
import { sequenceSuite } from './testing/suite.js';

// The suite of testing/suite.ts (reference values and gradients, finite differences, memory) on
// the LSTM, with the LSTM's shape check.
sequenceSuite({
  cell: 'LSTM',
  fused: { name: 'fusedLstmSequence', op: fusedLstmSequence },
  dispatching: { name: 'lstmSequence', op: lstmSequence },
  reference: lstmReference,
  seeds: { cases: 1, partial: 2, finiteDifferences: 3, leak: 4, inference: 21, dispatching: 21 },
  partial: {
    name: 'gives the right gradients when only some results are used (null upstream gradients)',
    terms: [
      { output: true, h: false, c: false },
      { output: false, h: true, c: false },
      { output: false, h: false, c: true },
    ],
  },
  moreFusedTests: () =>
    it('rejects inconsistent shapes with a clear message', () => {
      const sizes = { T: 2, B: 2, I: 3, H: 4, seed: 5 };
      const args = randomArgs({ ...sizes, gates: 4, biases: false, mask: false });
      const bad = tf.zeros([12, 3]) as tf.Tensor2D; // 3H rows: a GRU's weight
      expect(() => fusedLstmSequence({ ...args, wIh: bad })).toThrow(/wIh/);
      bad.dispose();
      disposeArgs(args);
    }),
});
