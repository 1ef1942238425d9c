import { oneOf } from '@archzoo/core';
import type { Generator } from '@archzoo/init';
import type * as tf from '@tensorflow/tfjs-core';
import { TorchHiddenCell } from './cell_utils.js';
import { type Nonlinearity, recurrentWeights, rnnCell } from './functional.js';

/** Options of `RNNCell` (PyTorch's `nn.RNNCell` arguments, camelCase). */
export interface RNNCellOptions {
  /** Features of the input x. */
  inputSize: number;
  /** Features of the hidden state h. */
  hiddenSize: number;
  /** Add the biases b_ih and b_hh. Default true. */
  bias?: boolean;
  /** 'tanh' (default, Elman's squashing unit) or 'relu'. */
  nonlinearity?: Nonlinearity;
  /** Randomness for the initialization. Default: the global generator. */
  generator?: Generator;
}

/**
 * Elman (1990) recurrent cell, `torch.nn.RNNCell`:
 *   h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh),  act = tanh or relu.
 * Input x `[B, inputSize]` (or `[inputSize]`), h `[B, hiddenSize]` (default zeros) -> h'.
 * Parameters (PyTorch names and layout): weight_ih `[H, I]`, weight_hh `[H, H]`, bias_ih,
 * bias_hh `[H]`, all ~ U(-1/sqrt(H), 1/sqrt(H)).
 *
 * @example
 * const cell = new RNNCell({ inputSize: 4, hiddenSize: 8 });
 * const h1 = cell.forward(tf.ones([2, 4])); // [2, 8]
 * const h2 = cell.forward(tf.ones([2, 4]), h1);
 */
export class RNNCell extends TorchHiddenCell {
  readonly nonlinearity: Nonlinearity;

  constructor(opts: RNNCellOptions) {
    // checked before the parameters are created, so that a bad option leaves no variables behind
    const nonlinearity = oneOf('RNNCell', 'nonlinearity', opts.nonlinearity ?? 'tanh', [
      'tanh',
      'relu',
    ]);
    super('RNN', opts);
    this.nonlinearity = nonlinearity;
  }

  protected cell(x: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D {
    return rnnCell(x, h, recurrentWeights(this), this.nonlinearity);
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}, nonlinearity='${this.nonlinearity}', bias=${this.bias_ih !== null}`;
  }
}
