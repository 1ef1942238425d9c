import { oneOf } from '@archzoo/core';
import type { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { affine, HiddenStateCell, recurrentBias, recurrentWeight } from './cell_utils.js';

/** Parameters of `minimalRnnCell`, archzoo layout (`[in, out]` weights). */
export interface MinimalRnnParams {
  /** W_x `[inputSize, hidden]` (PyTorch `weight_xz` `[hidden, input]`). */
  weightXz: tf.Tensor;
  /** b_z `[hidden]`. */
  biasZ?: tf.Tensor | null;
  /** U_h `[hidden, hidden]`. */
  weightHu: tf.Tensor;
  /** U_z `[hidden, hidden]`. */
  weightZu: tf.Tensor;
  /** b_u `[hidden]`. */
  biasU?: tf.Tensor | null;
  /** Φ: 'tanh' (z = tanh(W_x x + b_z), the paper's choice) or 'linear' (z = W_x x + b_z). Default 'tanh'. */
  phi?: 'tanh' | 'linear';
}

/**
 * One step of MinimalRNN (Chen 2017):
 *   z  = Φ(x) = tanh(W_x x + b_z)
 *   u  = σ(U_h h + U_z z + b_u)
 *   h' = u ⊙ h + (1 - u) ⊙ z
 * x `[B, in]`, h `[B, hidden]` -> h' `[B, hidden]`.
 */
export function minimalRnnCell(x: tf.Tensor, h: tf.Tensor, p: MinimalRnnParams): tf.Tensor {
  return tf.tidy(() => {
    const zPre = affine(x, p.weightXz, p.biasZ); // [B, H]
    const z = p.phi === 'linear' ? zPre : tf.tanh(zPre);
    const u = tf.sigmoid(
      affine(tf.concat([h, z], 1), tf.concat([p.weightHu, p.weightZu], 0), p.biasU),
    ); // [B, H]
    return tf.add(z, tf.mul(u, tf.sub(h, z))); // u h + (1 - u) z
  });
}

export interface MinimalRNNCellOptions {
  /** Features of one input step. */
  inputSize: number;
  /** Features of the hidden state (and of the latent z). */
  hiddenSize: number;
  /** Φ, the input encoder: 'tanh' (z = tanh(W_x x + b_z)) or 'linear'. Default 'tanh'. */
  phi?: 'tanh' | 'linear';
  /** Learn b_z and b_u. Default true. */
  bias?: boolean;
  /** Randomness for the initialization. Default: the global generator. */
  generator?: Generator;
}

/**
 * MinimalRNN cell (Minmin Chen, "MinimalRNN: Toward More Interpretable and Trainable Recurrent
 * Neural Networks", NIPS 2017 Symposium on Interpretable ML). The input is first mapped to a
 * latent space, z = Φ(x); the state only ever moves towards the latest z, by a gate computed from
 * the state and z ("update = f(last input only)", in the notes):
 *
 *   z  = Φ(x) = tanh(W_x x + b_z)
 *   u  = σ(U_h h + U_z z + b_u)
 *   h' = u ⊙ h + (1 - u) ⊙ z
 *
 * Shapes: x `[B, inputSize]`, state `[h]` with h `[B, hiddenSize]`; output h'.
 * Parameters (PyTorch-style names and `[out, in]` layouts): weight_xz `[hidden, input]`,
 * bias_z `[hidden]`, weight_hu `[hidden, hidden]`, weight_zu `[hidden, hidden]`, bias_u
 * `[hidden]`, all U(-1/sqrt(hidden), 1/sqrt(hidden)) like `torch.nn.RNNCell`.
 *
 * @example
 * const cell = new MinimalRNNCell({ inputSize: 3, hiddenSize: 8 });
 * const { output } = cell.step(tf.ones([2, 3]), cell.initialState(2)); // [2, 8]
 */
export class MinimalRNNCell extends HiddenStateCell {
  readonly phi: 'tanh' | 'linear';
  weight_xz: tf.Variable;
  bias_z: tf.Variable | null;
  weight_hu: tf.Variable;
  weight_zu: tf.Variable;
  bias_u: tf.Variable | null;

  constructor(opts: MinimalRNNCellOptions) {
    super(opts);
    const n = this.typeName;
    this.phi = oneOf(n, 'phi', opts.phi ?? 'tanh', ['tanh', 'linear']);
    const [i, h, g] = [this.inputSize, this.hiddenSize, opts.generator];
    const bias = opts.bias ?? true;
    this.weight_xz = recurrentWeight(i, h, h, g);
    this.bias_z = bias ? recurrentBias(h, h, g) : null;
    this.weight_hu = recurrentWeight(h, h, h, g);
    this.weight_zu = recurrentWeight(h, h, h, g);
    this.bias_u = bias ? recurrentBias(h, h, g) : null;
  }

  protected next(x: tf.Tensor, h: tf.Tensor): tf.Tensor {
    return minimalRnnCell(x, h, {
      weightXz: this.weight_xz,
      biasZ: this.bias_z,
      weightHu: this.weight_hu,
      weightZu: this.weight_zu,
      biasU: this.bias_u,
      phi: this.phi,
    });
  }

  override extraRepr(): string {
    return `inputSize=${this.inputSize}, hiddenSize=${this.hiddenSize}, phi=${this.phi}`;
  }
}
