import { Module, positiveInt } from '@archzoo/core';
import type { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import type { CellState, RecurrentCell } from './cell.js';
import { checkCellInput, checkState } from './checks.js';
import { gruCell } from './functional.js';
import { type Bias, type ChronoInit, gateBiases, uniformParameter } from './init.js';

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
export class GRUCell extends Module implements RecurrentCell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** `[3H, I]` */
  weight_ih: tf.Variable<tf.Rank.R2>;
  /** `[3H, H]` */
  weight_hh: tf.Variable<tf.Rank.R2>;
  /** `[3H]` */
  bias_ih: Bias;
  /** `[3H]` */
  bias_hh: Bias;

  constructor(opts: GRUCellOptions) {
    super();
    const where = 'GRUCell';
    this.inputSize = positiveInt(where, 'inputSize', opts.inputSize);
    const h = positiveInt(where, 'hiddenSize', opts.hiddenSize);
    this.hiddenSize = h;
    const g = opts.generator;
    this.weight_ih = uniformParameter([3 * h, this.inputSize], h, g);
    this.weight_hh = uniformParameter([3 * h, h], h, g);
    const b = gateBiases(where, 'GRU', h, opts.bias ?? true, opts.chrono, g);
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
    const where = 'GRUCell.forward';
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
      const out = gruCell(x2, h2, w); // [B, H]
      return x.rank === 1 ? tf.squeeze(out, [0]) : out;
    });
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}, bias=${this.bias_ih !== null}`;
  }
}
