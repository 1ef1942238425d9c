import { Module, oneOf, positiveInt } from '@archzoo/core';
import type { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import type { CellState, RecurrentCell } from './cell.js';
import { checkCellInput, checkState } from './checks.js';
import { type Nonlinearity, rnnCell } from './functional.js';
import { type Bias, gateBiases, uniformParameter } from './init.js';

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
export class RNNCell extends Module implements RecurrentCell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly nonlinearity: Nonlinearity;
  /** `[H, I]` */
  weight_ih: tf.Variable<tf.Rank.R2>;
  /** `[H, H]` */
  weight_hh: tf.Variable<tf.Rank.R2>;
  /** `[H]` */
  bias_ih: Bias;
  /** `[H]` */
  bias_hh: Bias;

  constructor(opts: RNNCellOptions) {
    super();
    const where = 'RNNCell';
    this.inputSize = positiveInt(where, 'inputSize', opts.inputSize);
    const h = positiveInt(where, 'hiddenSize', opts.hiddenSize);
    this.hiddenSize = h;
    this.nonlinearity = oneOf(where, 'nonlinearity', opts.nonlinearity ?? 'tanh', ['tanh', 'relu']);
    const g = opts.generator;
    this.weight_ih = uniformParameter([h, this.inputSize], h, g);
    this.weight_hh = uniformParameter([h, h], h, g);
    const b = gateBiases(where, 'RNN', h, opts.bias ?? true, undefined, g);
    this.bias_ih = b.bias_ih;
    this.bias_hh = b.bias_hh;
  }

  initialState(batch: number): CellState {
    return [tf.zeros([batch, this.hiddenSize])];
  }

  step(x: tf.Tensor, state: CellState): { output: tf.Tensor; state: CellState } {
    const h = this.forward(x, state[0]);
    return { output: h, state: [h] };
  }

  /** One step: x `[B, I]` (or `[I]`), h `[B, H]` (or `[H]`; default zeros) -> h' of h's shape. */
  forward(x: tf.Tensor, h?: tf.Tensor | null): tf.Tensor {
    const where = 'RNNCell.forward';
    checkCellInput(where, x, this.inputSize);
    const lead = x.shape.slice(0, -1);
    if (h != null) checkState(where, 'h', h, [...lead, this.hiddenSize]);
    return tf.tidy(() => {
      const x2 = (x.rank === 1 ? tf.expandDims(x, 0) : x) as tf.Tensor2D; // [B, I]
      const b = x2.shape[0];
      const h2 = (
        h ? tf.reshape(h, [b, this.hiddenSize]) : tf.zeros([b, this.hiddenSize])
      ) as tf.Tensor2D;
      const w = { wIh: this.weight_ih, wHh: this.weight_hh, bIh: this.bias_ih, bHh: this.bias_hh };
      const out = rnnCell(x2, h2, w, this.nonlinearity); // [B, H]
      return x.rank === 1 ? tf.squeeze(out, [0]) : out;
    });
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}, nonlinearity='${this.nonlinearity}', bias=${this.bias_ih !== null}`;
  }
}
