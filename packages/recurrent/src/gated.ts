import type { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { affine, HiddenStateCell, recurrentBias, recurrentWeight } from './cell_utils.js';

/** Parameters of `gatedRnnCell`, archzoo layout; the 2H columns are [update u | candidate]. */
export interface GatedRnnParams {
  /** `[inputSize, 2 hidden]` (PyTorch `weight_ih` `[2 hidden, input]`). */
  weightIh: tf.Tensor;
  /** `[hidden, 2 hidden]` (PyTorch `weight_hh` `[2 hidden, hidden]`). */
  weightHh: tf.Tensor;
  biasIh?: tf.Tensor | null;
  biasHh?: tf.Tensor | null;
}

/**
 * One step of the gated RNN:
 *   u  = sigmoid(W_iu x + b_iu + W_hu h + b_hu)
 *   h~ = tanh(W_ic x + b_ic + W_hc h + b_hc)
 *   h' = (1 - u) ⊙ h + u ⊙ h~
 * x `[B, in]`, h `[B, hidden]` -> h' `[B, hidden]`.
 */
export function gatedRnnCell(x: tf.Tensor, h: tf.Tensor, p: GatedRnnParams): tf.Tensor {
  return tf.tidy(() => {
    const gi = affine(x, p.weightIh, p.biasIh); // [B, 2H]
    const gh = affine(h, p.weightHh, p.biasHh); // [B, 2H]
    const [ui, ci] = tf.split(gi, 2, 1);
    const [uh, ch] = tf.split(gh, 2, 1);
    const u = tf.sigmoid(tf.add(ui!, uh!)); // [B, H]
    const cand = tf.tanh(tf.add(ci!, ch!)); // [B, H]
    return tf.add(h, tf.mul(u, tf.sub(cand, h))); // (1 - u) h + u h~
  });
}

export interface GatedRNNCellOptions {
  /** Features of one input step. */
  inputSize: number;
  /** Features of the hidden state. */
  hiddenSize: number;
  /** Learn b_ih and b_hh. Default true. */
  bias?: boolean;
  /** Randomness for the initialization. Default: the global generator. */
  generator?: Generator;
}

/**
 * Gated RNN cell: the leaky RNN whose leak rate depends on the context ("get gated: make the
 * update amount dependent on the context", in the notes),
 *
 *   u  = σ(W_iu x + b_iu + W_hu h + b_hu)            update gate, per unit, in (0, 1)
 *   h' = (1 - u) ⊙ h + u ⊙ tanh(W_ic x + b_ic + W_hc h + b_hc)
 *
 * i.e. a GRU without its reset gate (Cho et al. 2014, "Learning phrase representations using RNN
 * encoder-decoder"; Chung et al. 2014 for the GRU).
 *
 * Shapes: x `[B, inputSize]`, state `[h]` with h `[B, hiddenSize]`; output h'.
 * Parameters (PyTorch names, GRUCell-style stacking, gate order [u, candidate]): weight_ih
 * `[2 hidden, input]`, weight_hh `[2 hidden, hidden]`, bias_ih, bias_hh `[2 hidden]`, all
 * U(-1/sqrt(hidden), 1/sqrt(hidden)).
 *
 * @example
 * const cell = new GatedRNNCell({ inputSize: 3, hiddenSize: 8 });
 * const { output } = cell.step(tf.ones([2, 3]), cell.initialState(2)); // [2, 8]
 */
export class GatedRNNCell extends HiddenStateCell {
  weight_ih: tf.Variable;
  weight_hh: tf.Variable;
  bias_ih: tf.Variable | null;
  bias_hh: tf.Variable | null;

  constructor(opts: GatedRNNCellOptions) {
    super(opts);
    const [i, h, g] = [this.inputSize, this.hiddenSize, opts.generator];
    this.weight_ih = recurrentWeight(i, 2 * h, h, g);
    this.weight_hh = recurrentWeight(h, 2 * h, h, g);
    const bias = opts.bias ?? true;
    this.bias_ih = bias ? recurrentBias(2 * h, h, g) : null;
    this.bias_hh = bias ? recurrentBias(2 * h, h, g) : null;
  }

  protected next(x: tf.Tensor, h: tf.Tensor): tf.Tensor {
    return gatedRnnCell(x, h, {
      weightIh: this.weight_ih,
      weightHh: this.weight_hh,
      biasIh: this.bias_ih,
      biasHh: this.bias_hh,
    });
  }

  override extraRepr(): string {
    return `inputSize=${this.inputSize}, hiddenSize=${this.hiddenSize}, bias=${this.bias_ih !== null}`;
  }
}
