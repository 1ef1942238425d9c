import type * as tf from '@tensorflow/tfjs-core';
import { recurrentWeights } from './functional.js';
import type { ChronoInit } from './init.js';
import {
  type DirectionWeights,
  type RecurrentForwardOptions,
  RecurrentLayer,
  type RecurrentLayerOptions,
} from './recurrent_layer.js';
import type { RNNOutput } from './rnn.js';
import { gruSequence } from './sequence_ops.js';

/** Options of `GRU`: the shared ones plus chrono. */
export interface GRUOptions extends RecurrentLayerOptions {
  /** Chrono initialization of the update-gate biases (Tallec & Ollivier 2018). Default: none. */
  chrono?: ChronoInit;
}

/**
 * Gated recurrent unit network (Cho et al. 2014; Chung et al. 2014), `torch.nn.GRU`, in PyTorch's
 * formulation, gate order [r, z, n]: for each layer and time step
 *   r = sigma(W_ir x + b_ir + W_hr h + b_hr),  z = sigma(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h.
 * Input `[T, B, inputSize]` (`[B, T, inputSize]` with batchFirst, `[T, inputSize]` unbatched).
 * State dict as PyTorch's: weight_ih_l{k} `[3H, I_k]`, weight_hh_l{k} `[3H, H]`, bias_ih_l{k},
 * bias_hh_l{k} `[3H]`, `_reverse` for the backward direction; all ~ U(-1/sqrt(H), 1/sqrt(H)).
 *
 * @example
 * const gru = new GRU({ inputSize: 4, hiddenSize: 8, batchFirst: true });
 * const { output, h } = gru.forward(tf.ones([3, 5, 4])); // [3, 5, 8], [1, 3, 8]
 */
export class GRU extends RecurrentLayer {
  constructor(opts: GRUOptions) {
    super(opts, { mode: 'GRU', chrono: opts.chrono });
  }

  /** input -> { output, h }; `h0` `[D * numLayers, B, H]` defaults to zeros. */
  forward(input: tf.Tensor, opts: RecurrentForwardOptions = {}): RNNOutput {
    const { output, states } = this.run(input, [opts.h0], opts);
    return { output, h: states[0]! };
  }

  protected runDirection(
    w: DirectionWeights,
    x: tf.Tensor3D,
    [h0]: tf.Tensor2D[],
    mask: tf.Tensor2D | null,
  ): { output: tf.Tensor3D; state: tf.Tensor2D[] } {
    const { output, h } = gruSequence({
      x,
      h0: h0!,
      ...recurrentWeights(w),
      mask,
    });
    return { output, state: [h] };
  }
}
