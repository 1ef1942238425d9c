import { oneOf } from '@archzoo/core';
import type * as tf from '@tensorflow/tfjs-core';
import { type Nonlinearity, recurrentWeights } from './functional.js';
import {
  type DirectionWeights,
  type RecurrentForwardOptions,
  RecurrentLayer,
  type RecurrentLayerOptions,
} from './recurrent_layer.js';
import { rnnSequence } from './sequence_ops.js';

/** Options of `RNN`: the shared ones plus the nonlinearity. */
export interface RNNOptions extends RecurrentLayerOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: Nonlinearity;
}

/** What `RNN.forward` and `GRU.forward` return. */
export interface RNNOutput {
  /** `[T, B, D * H]` (`[B, T, D * H]` batchFirst, `[T, D * H]` unbatched); zero at padded steps. */
  output: tf.Tensor;
  /** Final hidden state of every layer and direction, `[D * numLayers, B, H]`. */
  h: tf.Tensor;
}

/**
 * Elman (1990) recurrent network, `torch.nn.RNN`: for each layer and time step
 *   h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),  act = tanh or relu,
 * with layer k > 0 reading layer k - 1's output (after dropout in training mode).
 * Input `[T, B, inputSize]` (`[B, T, inputSize]` with batchFirst, `[T, inputSize]` unbatched).
 * State dict as PyTorch's: weight_ih_l{k} `[H, I_k]`, weight_hh_l{k} `[H, H]`, bias_ih_l{k},
 * bias_hh_l{k} `[H]`, `_reverse` for the backward direction; all ~ U(-1/sqrt(H), 1/sqrt(H)).
 *
 * @example
 * const rnn = new RNN({ inputSize: 4, hiddenSize: 8, numLayers: 2 });
 * const { output, h } = rnn.forward(tf.ones([5, 3, 4])); // [5, 3, 8], [2, 3, 8]
 */
export class RNN extends RecurrentLayer {
  readonly nonlinearity: Nonlinearity;

  constructor(opts: RNNOptions) {
    super(opts, { mode: 'RNN' });
    this.nonlinearity = oneOf('RNN', 'nonlinearity', opts.nonlinearity ?? 'tanh', ['tanh', 'relu']);
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
    const { output, h } = rnnSequence({
      x,
      h0: h0!,
      ...recurrentWeights(w),
      mask,
      nonlinearity: this.nonlinearity,
    });
    return { output, state: [h] };
  }

  override extraRepr(): string {
    const nl = this.nonlinearity === 'tanh' ? '' : `, nonlinearity='${this.nonlinearity}'`;
    return super.extraRepr() + nl;
  }
}
