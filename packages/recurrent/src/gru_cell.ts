import type { Generator } from '@archzoo/init';
import type * as tf from '@tensorflow/tfjs-core';
import { TorchHiddenCell } from './cell_utils.js';
import { gruCell, recurrentWeights } from './functional.js';
import type { ChronoInit } from './init.js';

/** Options of `GRUCell` (PyTorch's `nn.GRUCell` arguments plus chrono). */
export interface GRUCellOptions {
  /** Features of the input x. */
  inputSize: number;
  /** Features of the hidden state h. */
  hiddenSize: number;
  /** Add the biases b_ih and b_hh. Default true. */
  bias?: boolean;
  /** Chrono initialization of the update-gate bias (Tallec & Ollivier 2018). Default: none. */
  chrono?: ChronoInit;
  /** Randomness for the initialization. Default: the global generator. */
  generator?: Generator;
}

/**
 * Gated recurrent unit (Cho et al. 2014; Chung et al. 2014), `torch.nn.GRUCell`, in PyTorch's
 * formulation (reset gate applied after the recurrent matmul), gate order [r, z, n]:
 *   r = sigma(W_ir x + b_ir + W_hr h + b_hr),  z = sigma(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h
 * Input x `[B, I]` (or `[I]`), h `[B, H]` (default zeros) -> h'.
 * Parameters: weight_ih `[3H, I]`, weight_hh `[3H, H]`, bias_ih, bias_hh `[3H]`, all
 * ~ U(-1/sqrt(H), 1/sqrt(H)).
 *
 * @example
 * const cell = new GRUCell({ inputSize: 4, hiddenSize: 8 });
 * const h1 = cell.forward(tf.ones([2, 4])); // [2, 8]
 */
export class GRUCell extends TorchHiddenCell {
  constructor(opts: GRUCellOptions) {
    super('GRU', opts);
  }

  protected cell(x: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D {
    return gruCell(x, h, recurrentWeights(this));
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}, bias=${this.bias_ih !== null}`;
  }
}
