import { LSTM, lstmSequence } from '@archzoo/recurrent';
import type { Workload } from '../harness.js';
import type { RnnSizes } from './rnn_common.js';
import { rnnWorkload } from './rnn_impls.js';

/** `lstm_b32_t50_h128`: batch 32, 50 steps, 32 input features, 128 hidden. */
export const LSTM_SIZES: RnnSizes = { kind: 'lstm', B: 32, T: 50, I: 32, H: 128 };

/**
 * ROADMAP workload `lstm_b32_t50_h128`: one LSTM layer (input 32, hidden 128) over 50 steps of a
 * batch of 32, MSE of the last hidden state against a fixed target, Adam (lr 1e-3), float32.
 * Rows: archzoo (`lstmSequence`, the reference), archzoo.LSTM, tfjs-layers (twice), PyTorch.
 */
export const lstmB32T50H128: Workload = rnnWorkload({
  name: 'lstm_b32_t50_h128',
  description:
    'LSTM (input 32, hidden 128) training step over 50 steps x batch 32, MSE on the last h, Adam',
  sizes: LSTM_SIZES,
  gates: 4, // [i, f, g, o]
  sequenceName: 'lstmSequence',
  sequence: (a) => lstmSequence({ ...a, c0: a.h0 }), // c0 = h0 = zeros [B, H]
  layerName: 'LSTM',
  rnnLayer: (opts) => new LSTM(opts),
});
