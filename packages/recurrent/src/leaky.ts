import { fail, oneOf, parameter } from '@archzoo/core';
import type { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { affine, HiddenStateCell, openUnit, recurrentBias, recurrentWeight } from './cell_utils.js';

/** Parameters of `leakyRnnCell`, archzoo layout (`[in, out]` weights). */
export interface LeakyRnnParams {
  /** `[inputSize, hiddenSize]` (PyTorch `weight_ih` `[hidden, input]`). */
  weightIh: tf.Tensor;
  /** `[hiddenSize, hiddenSize]` (PyTorch `weight_hh`). */
  weightHh: tf.Tensor;
  biasIh?: tf.Tensor | null;
  biasHh?: tf.Tensor | null;
  /** The leak rate a in (0, 1]: a number, or a `[hiddenSize]` tensor (one rate per unit). */
  alpha: number | tf.Tensor;
  /** f. Default 'tanh'. */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * One step of the leaky RNN: h' = (1 - a) ⊙ h + a ⊙ f(x W_ih + b_ih + h W_hh + b_hh).
 * x `[B, in]`, h `[B, hidden]` -> h' `[B, hidden]`.
 */
export function leakyRnnCell(x: tf.Tensor, h: tf.Tensor, p: LeakyRnnParams): tf.Tensor {
  return tf.tidy(() => {
    const pre = tf.add(affine(x, p.weightIh, p.biasIh), affine(h, p.weightHh, p.biasHh)); // [B, H]
    const cand = p.nonlinearity === 'relu' ? tf.relu(pre) : tf.tanh(pre);
    // h + a (f - h) = (1 - a) h + a f
    return tf.add(h, tf.mul(p.alpha, tf.sub(cand, h)));
  });
}

export interface LeakyRNNCellOptions {
  /** Features of one input step. */
  inputSize: number;
  /** Features of the hidden state. */
  hiddenSize: number;
  /**
   * Leak rate a in (0, 1]: the fraction of the state renewed per step (a = dt / tau of a leaky
   * integrator; a = 1 is the plain Elman RNN). With `learnAlpha`, the initial value of every
   * unit's rate, in (0, 1). Default 0.5.
   */
  alpha?: number;
  /** Learn one rate per unit, a = sigmoid(alpha_logit), which keeps it in (0, 1). Default false. */
  learnAlpha?: boolean;
  /** f. Default 'tanh'. */
  nonlinearity?: 'tanh' | 'relu';
  /** Learn b_ih and b_hh. Default true. */
  bias?: boolean;
  /** Randomness for the initialization. Default: the global generator. */
  generator?: Generator;
}

/**
 * Leaky RNN cell ("get leaky: progressive update of the memory", in the notes): a leaky
 * integrator whose state moves only a fraction a towards the Elman update,
 *
 *   h' = (1 - a) ⊙ h + a ⊙ f(W_ih x + b_ih + W_hh h + b_hh),
 *
 * so information decays over about 1/a steps instead of being overwritten at each one
 * (Jaeger et al. 2007, "Optimization and applications of echo state networks with leaky-integrator
 * neurons"; Bengio et al. 2013, "Advances in optimizing recurrent networks"). With
 * `learnAlpha`, a = sigmoid(alpha_logit) per unit, initialized to `alpha`.
 *
 * Shapes: x `[B, inputSize]`, state `[h]` with h `[B, hiddenSize]`; output h'.
 * Parameters (PyTorch names and layouts, as `torch.nn.RNNCell`): weight_ih `[hidden, input]`,
 * weight_hh `[hidden, hidden]`, bias_ih, bias_hh `[hidden]`, all U(-1/sqrt(hidden), 1/sqrt(hidden));
 * alpha_logit `[hidden]` = log(a / (1 - a)) when learned.
 *
 * @example
 * const cell = new LeakyRNNCell({ inputSize: 3, hiddenSize: 8, alpha: 0.2 });
 * const { output, state } = cell.step(tf.ones([2, 3]), cell.initialState(2)); // output [2, 8]
 */
export class LeakyRNNCell extends HiddenStateCell {
  readonly nonlinearity: 'tanh' | 'relu';
  /** The fixed rate (when not learned). */
  readonly alpha: number;
  weight_ih: tf.Variable;
  weight_hh: tf.Variable;
  bias_ih: tf.Variable | null;
  bias_hh: tf.Variable | null;
  /** `[hidden]`, a = sigmoid(alpha_logit); null when a is fixed. */
  alpha_logit: tf.Variable | null;

  constructor(opts: LeakyRNNCellOptions) {
    super(opts);
    const n = this.typeName;
    this.nonlinearity = oneOf(n, 'nonlinearity', opts.nonlinearity ?? 'tanh', ['tanh', 'relu']);
    const alpha = opts.alpha ?? 0.5;
    // a learned rate is a sigmoid, so its initial value must lie strictly inside (0, 1)
    if (opts.learnAlpha) this.alpha = openUnit(n, 'alpha', alpha);
    else if (typeof alpha === 'number' && alpha > 0 && alpha <= 1) this.alpha = alpha;
    else fail(n, 'option alpha', 'a number in (0, 1]', String(alpha));
    const [i, h, g] = [this.inputSize, this.hiddenSize, opts.generator];
    this.weight_ih = recurrentWeight(i, h, h, g);
    this.weight_hh = recurrentWeight(h, h, h, g);
    const bias = opts.bias ?? true;
    this.bias_ih = bias ? recurrentBias(h, h, g) : null;
    this.bias_hh = bias ? recurrentBias(h, h, g) : null;
    // logit(a) = log(a / (1 - a)), so that sigmoid(alpha_logit) = a at initialization
    this.alpha_logit = opts.learnAlpha
      ? parameter(tf.fill([h], Math.log(this.alpha / (1 - this.alpha))))
      : null;
  }

  protected next(x: tf.Tensor, h: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      leakyRnnCell(x, h, {
        weightIh: this.weight_ih,
        weightHh: this.weight_hh,
        biasIh: this.bias_ih,
        biasHh: this.bias_hh,
        alpha: this.alpha_logit ? tf.sigmoid(this.alpha_logit) : this.alpha,
        nonlinearity: this.nonlinearity,
      }),
    );
  }

  override extraRepr(): string {
    const a = this.alpha_logit ? `learned, init ${this.alpha}` : `${this.alpha}`;
    return `inputSize=${this.inputSize}, hiddenSize=${this.hiddenSize}, alpha=${a}, nonlinearity=${this.nonlinearity}`;
  }
}
