import { GRU, gruSequence } from '@archzoo/recurrent';
import type { Workload } from '../harness.js';
import type { RnnSizes } from './rnn_common.js';
import { rnnWorkload } from './rnn_impls.js';

/** `gru_b32_t50_h128`: batch 32, 50 steps, 32 input features, 128 hidden. */
export const GRU_SIZES: RnnSizes = { kind: 'gru', B: 32, T: 50, I: 32, H: 128 };

/**
 * ROADMAP workload `gru_b32_t50_h128`: one GRU layer (input 32, hidden 128) over 50 steps of a
 * batch of 32, MSE of the last hidden state against a fixed target, Adam (lr 1e-3), float32.
 * Rows: archzoo (`gruSequence`, the reference), archzoo.GRU, tfjs-layers (twice), PyTorch.
 */
export const gruB32T50H128: Workload = rnnWorkload({
  name: 'gru_b32_t50_h128',
  description:
    'GRU (input 32, hidden 128) training step over 50 steps x batch 32, MSE on the last h, Adam',
  sizes: GRU_SIZES,
  gates: 3, // [r, z, n]
  sequenceName: 'gruSequence',
  sequence: gruSequence,
  layerName: 'GRU',
  rnnLayer: (opts) => new GRU(opts),
});
