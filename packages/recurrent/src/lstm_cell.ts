import { fail, Module, nonNegativeInt, positiveInt } from '@archzoo/core';
import type { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import type { CellState, RecurrentCell } from './cell.js';
import { checkCellInput, checkState } from './checks.js';
import { lstmCell } from './functional.js';
import { type Bias, type ChronoInit, gateBiases, uniformParameter } from './init.js';

/** Options of `LSTMCell` (PyTorch's `nn.LSTMCell` arguments plus projection, peepholes, chrono). */
export interface LSTMCellOptions {
  /** Features of the input x. */
  inputSize: number;
  /** Features of the cell state c (and of h without projection). */
  hiddenSize: number;
  /** Add the biases b_ih and b_hh. Default true. */
  bias?: boolean;
  /** P > 0: project h to P features, h = W_hr (o * tanh(c)) (PyTorch's LSTM `proj_size`). Default 0. */
  projSize?: number;
  /** Peephole connections (Gers & Schmidhuber 2000): weight_ci, weight_cf, weight_co `[H]`. Default false. */
  peepholes?: boolean;
  /** Chrono initialization of the gate biases (Tallec & Ollivier 2018). Default: none. */
  chrono?: ChronoInit;
  /** Randomness for the initialization. Default: the global generator. */
  generator?: Generator;
}

/**
 * Long short-term memory cell (Hochreiter & Schmidhuber 1997; forget gate: Gers, Schmidhuber &
 * Cummins 2000), `torch.nn.LSTMCell`, gate order [i, f, g, o]:
 *   [a_i, a_f, a_g, a_o] = x W_ih^T + b_ih + h W_hh^T + b_hh
 *   i = sigma(a_i), f = sigma(a_f), g = tanh(a_g), o = sigma(a_o)
 *   c' = f * c + i * g,  h' = o * tanh(c')
 * With `peepholes` (Gers & Schmidhuber 2000; archzoo only): i and f add w_ci * c and w_cf * c,
 * o adds w_co * c'. With `projSize` P: h' = (o * tanh(c')) W_hr^T `[B, P]` (Sak et al. 2014).
 * Input x `[B, I]` (or `[I]`), state [h `[B, P or H]`, c `[B, H]`] (default zeros) -> [h', c'].
 * Parameters: weight_ih `[4H, I]`, weight_hh `[4H, P or H]`, bias_ih, bias_hh `[4H]`, weight_hr
 * `[P, H]`, weight_ci, weight_cf, weight_co `[H]`; all ~ U(-1/sqrt(H), 1/sqrt(H)).
 *
 * @example
 * const cell = new LSTMCell({ inputSize: 4, hiddenSize: 8 });
 * const [h, c] = cell.forward(tf.ones([2, 4])); // [2, 8], [2, 8]
 * const [h2, c2] = cell.forward(tf.ones([2, 4]), [h, c]);
 */
export class LSTMCell extends Module implements RecurrentCell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** P (0 without projection). */
  readonly projSize: number;
  /** `[4H, I]` */
  weight_ih: tf.Variable<tf.Rank.R2>;
  /** `[4H, P or H]` */
  weight_hh: tf.Variable<tf.Rank.R2>;
  /** `[4H]` */
  bias_ih: Bias;
  /** `[4H]` */
  bias_hh: Bias;
  /** `[P, H]` */
  weight_hr: tf.Variable<tf.Rank.R2> | null;
  /** `[H]` */
  weight_ci: Bias;
  /** `[H]` */
  weight_cf: Bias;
  /** `[H]` */
  weight_co: Bias;

  constructor(opts: LSTMCellOptions) {
    super();
    const where = 'LSTMCell';
    this.inputSize = positiveInt(where, 'inputSize', opts.inputSize);
    const h = positiveInt(where, 'hiddenSize', opts.hiddenSize);
    this.hiddenSize = h;
    this.projSize = nonNegativeInt(where, 'projSize', opts.projSize ?? 0);
    if (this.projSize >= h && this.projSize > 0) {
      fail(where, 'option projSize', `a value smaller than hiddenSize (${h})`, this.projSize);
    }
    const g = opts.generator;
    this.weight_ih = uniformParameter([4 * h, this.inputSize], h, g);
    this.weight_hh = uniformParameter([4 * h, this.projSize || h], h, g);
    const b = gateBiases(where, 'LSTM', h, opts.bias ?? true, opts.chrono, g);
    this.bias_ih = b.bias_ih;
    this.bias_hh = b.bias_hh;
    this.weight_hr = this.projSize > 0 ? uniformParameter([this.projSize, h], h, g) : null;
    const peep = opts.peepholes === true;
    this.weight_ci = peep ? uniformParameter([h], h, g) : null;
    this.weight_cf = peep ? uniformParameter([h], h, g) : null;
    this.weight_co = peep ? uniformParameter([h], h, g) : null;
  }

  /** Width of h: P with a projection, else H. */
  get outputSize(): number {
    return this.projSize || this.hiddenSize;
  }

  initialState(batch: number): CellState {
    return [tf.zeros([batch, this.outputSize]), tf.zeros([batch, this.hiddenSize])];
  }

  step(x: tf.Tensor, state: CellState): { output: tf.Tensor; state: CellState } {
    const [h, c] = this.forward(x, state as [tf.Tensor, tf.Tensor]);
    return { output: h, state: [h, c] };
  }

  /** One step: x `[B, I]` (or `[I]`), [h, c] (default zeros) -> [h', c'] (batched like x). */
  forward(x: tf.Tensor, state?: readonly [tf.Tensor, tf.Tensor] | null): [tf.Tensor, tf.Tensor] {
    const where = 'LSTMCell.forward';
    checkCellInput(where, x, this.inputSize);
    const lead = x.shape.slice(0, -1);
    if (state != null) {
      if (!Array.isArray(state) || state.length !== 2) fail(where, 'state', '[h, c]', state);
      checkState(where, 'h', state[0], [...lead, this.outputSize]);
      checkState(where, 'c', state[1], [...lead, this.hiddenSize]);
    }
    const out = tf.tidy(() => {
      const x2 = (x.rank === 1 ? tf.expandDims(x, 0) : x) as tf.Tensor2D; // [B, I]
      const b = x2.shape[0];
      const [h0, c0] = (
        state
          ? [tf.reshape(state[0], [b, this.outputSize]), tf.reshape(state[1], [b, this.hiddenSize])]
          : [tf.zeros([b, this.outputSize]), tf.zeros([b, this.hiddenSize])]
      ) as [tf.Tensor2D, tf.Tensor2D];
      const { h, c } = lstmCell(x2, h0, c0, {
        wIh: this.weight_ih,
        wHh: this.weight_hh,
        bIh: this.bias_ih,
        bHh: this.bias_hh,
        wHr: this.weight_hr,
        wCi: this.weight_ci,
        wCf: this.weight_cf,
        wCo: this.weight_co,
      });
      return x.rank === 1 ? [tf.squeeze(h, [0]), tf.squeeze(c, [0])] : [h, c];
    });
    return out as [tf.Tensor, tf.Tensor];
  }

  override extraRepr(): string {
    const proj = this.projSize > 0 ? `, projSize=${this.projSize}` : '';
    const peep = this.weight_ci ? ', peepholes=true' : '';
    return `${this.inputSize}, ${this.hiddenSize}, bias=${this.bias_ih !== null}${proj}${peep}`;
  }
}
