import {
  Conv2d,
  checkTensor,
  conv2d,
  fail,
  intTuple,
  Module,
  parameter,
  permuteLayout,
  positiveInt,
} from '@archzoo/core';
import type { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import type { CellState, RecurrentCell } from './cell.js';
import { checkStateList, stepFrom, zerosState } from './cell_utils.js';

/** Peephole weights W_ci, W_cf, W_co, each `[H, W, hidden]` (PyTorch-style `[hidden, H, W]`). */
export interface ConvLstmPeepholes {
  ci: tf.Tensor;
  cf: tf.Tensor;
  co: tf.Tensor;
}

/** Parameters of `convLstmCell`, archzoo layout. */
export interface ConvLstmParams {
  /** `[kh, kw, inputSize + hidden, 4 hidden]`, output channels [i | f | g | o] (PyTorch Conv2d `[4 hidden, in + hidden, kh, kw]`). */
  weight: tf.Tensor;
  /** `[4 hidden]`. */
  bias?: tf.Tensor | null;
  /** Hadamard peepholes (Shi et al.'s W_c∘); none: the gates do not see c. */
  peepholes?: ConvLstmPeepholes | null;
}

/**
 * One ConvLSTM step (Shi et al. 2015, eq. 3), `*` a 'same'-padded convolution over [x, h]:
 *   i  = σ(W_xi * x + W_hi * h + W_ci ∘ c + b_i)
 *   f  = σ(W_xf * x + W_hf * h + W_cf ∘ c + b_f)
 *   c' = f ∘ c + i ∘ tanh(W_xc * x + W_hc * h + b_c)
 *   o  = σ(W_xo * x + W_ho * h + W_co ∘ c' + b_o)
 *   h' = o ∘ tanh(c')
 * x `[B, H, W, in]`, h and c `[B, H, W, hidden]` -> `{ h, c }`, each `[B, H, W, hidden]`.
 */
export function convLstmCell(
  x: tf.Tensor,
  h: tf.Tensor,
  c: tf.Tensor,
  p: ConvLstmParams,
): { h: tf.Tensor; c: tf.Tensor } {
  return tf.tidy(() => {
    const xh = tf.concat([x, h], 3) as tf.Tensor4D; // [B, H, W, in + hidden]
    const gates = conv2d(xh, p.weight as tf.Tensor4D, p.bias, { padding: 'same' }); // [B, H, W, 4 hidden]
    let [i, f, g, o] = tf.split(gates, 4, 3) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    if (p.peepholes) {
      i = tf.add(i, tf.mul(p.peepholes.ci, c));
      f = tf.add(f, tf.mul(p.peepholes.cf, c));
    }
    const cNext = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    if (p.peepholes) o = tf.add(o, tf.mul(p.peepholes.co, cNext));
    const hNext = tf.mul(tf.sigmoid(o), tf.tanh(cNext));
    return { h: hNext, c: cNext };
  });
}

export interface ConvLSTMCellOptions {
  /** Channels of one input frame (NHWC: its last axis). */
  inputSize: number;
  /** Channels of the hidden and cell states. */
  hiddenSize: number;
  /** Kernel of the input-to-state and state-to-state convolutions, one number or [kh, kw]. Default 3. */
  kernelSize?: number | [number, number];
  /** Learn the gate biases. Default true. */
  bias?: boolean;
  /** Hadamard peepholes W_ci, W_cf, W_co (as in the paper); they need `spatialSize`. Default false. */
  peephole?: boolean;
  /** `[H, W]` of the frames: the shape of the peephole weights. Required with `peephole`. */
  spatialSize?: [number, number];
  /** Randomness for the initialization. Default: the global generator. */
  generator?: Generator;
}

/** Peephole layout: internal `[H, W, hidden]`, PyTorch-style `[hidden, H, W]`. */
const PEEPHOLE_LAYOUT = permuteLayout([2, 0, 1]);

/**
 * ConvLSTM cell (Xingjian Shi, Zhourong Chen, Hao Wang, Dit-Yan Yeung, Wai-kin Wong, Wang-chun
 * Woo, "Convolutional LSTM Network: A Machine Learning Approach for Precipitation Nowcasting",
 * NIPS 2015): an LSTM whose states are feature maps and whose matrix products are convolutions,
 * for video and other spatio-temporal sequences ("auto-encoder + LSTM = conv-LSTM", in the notes).
 *
 *   [i, f, g, o] = conv_same([x, h]; W) + b        one convolution over the concatenation
 *   i = σ(i + W_ci ∘ c),  f = σ(f + W_cf ∘ c)         (peepholes optional)
 *   c' = f ∘ c + i ∘ tanh(g)
 *   o = σ(o + W_co ∘ c'),  h' = o ∘ tanh(c')
 *
 * One convolution over [x, h] equals the paper's separate W_x* x + W_h* h.
 * Shapes (NHWC): x `[B, H, W, inputSize]`, state `[h, c]`, each `[B, H, W, hiddenSize]`;
 * output h'. Parameters (PyTorch names): conv.weight `[4 hidden, input + hidden, kh, kw]` and
 * conv.bias `[4 hidden]` (gate order i, f, g, o as in `torch.nn.LSTM`; Conv2d's default init
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = (input + hidden) kh kw); with peepholes,
 * weight_ci, weight_cf, weight_co `[hidden, H, W]`, initialized to 0 (the cell starts as a
 * peephole-free ConvLSTM).
 *
 * @example
 * const cell = new ConvLSTMCell({ inputSize: 1, hiddenSize: 8, kernelSize: 3 });
 * const state = cell.initialState(2, [16, 16]);
 * const { output } = cell.step(tf.zeros([2, 16, 16, 1]), state); // [2, 16, 16, 8]
 */
export class ConvLSTMCell extends Module implements RecurrentCell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly kernelSize: [number, number];
  readonly spatialSize: [number, number] | null;
  conv: Conv2d;
  weight_ci: tf.Variable | null;
  weight_cf: tf.Variable | null;
  weight_co: tf.Variable | null;

  constructor(opts: ConvLSTMCellOptions) {
    super();
    const n = this.typeName;
    this.inputSize = positiveInt(n, 'inputSize', opts.inputSize);
    this.hiddenSize = positiveInt(n, 'hiddenSize', opts.hiddenSize);
    this.kernelSize = intTuple(n, 'kernelSize', opts.kernelSize ?? 3, 2, 1) as [number, number];
    this.conv = new Conv2d({
      inChannels: this.inputSize + this.hiddenSize,
      outChannels: 4 * this.hiddenSize,
      kernelSize: this.kernelSize,
      padding: 'same',
      bias: opts.bias ?? true,
      generator: opts.generator,
    });
    if (opts.peephole) {
      if (opts.spatialSize === undefined) {
        fail(n, 'option spatialSize', '[H, W] when peephole is true', 'undefined');
      }
      this.spatialSize = intTuple(n, 'spatialSize', opts.spatialSize, 2, 1) as [number, number];
      const shape = [...this.spatialSize, this.hiddenSize];
      const peep = () => parameter(tf.zeros(shape), { layout: PEEPHOLE_LAYOUT });
      this.weight_ci = peep();
      this.weight_cf = peep();
      this.weight_co = peep();
    } else {
      this.spatialSize = opts.spatialSize
        ? (intTuple(n, 'spatialSize', opts.spatialSize, 2, 1) as [number, number])
        : null;
      this.weight_ci = null;
      this.weight_cf = null;
      this.weight_co = null;
    }
  }

  /** Zero `[h, c]`, each `[batch, H, W, hidden]`; `spatial` defaults to `spatialSize`. */
  initialState(batch: number, spatial?: readonly [number, number]): CellState {
    const hw = spatial ?? this.spatialSize;
    if (!hw)
      fail(
        `${this.typeName}.initialState`,
        'spatial',
        '[H, W] (no spatialSize option was given)',
        'undefined',
      );
    return zerosState([batch, hw[0], hw[1], this.hiddenSize], 2);
  }

  step(x: tf.Tensor, state: CellState): { output: tf.Tensor; state: CellState } {
    const where = `${this.typeName}.step`;
    const dims: Record<number, number> = { 3: this.inputSize };
    if (this.spatialSize) [dims[1], dims[2]] = this.spatialSize;
    const xt = checkTensor(where, 'input', x, {
      rank: 4,
      layout: '[B, H, W, C] (NHWC)',
      dims,
      dimNames: {
        1: 'height (spatialSize[0])',
        2: 'width (spatialSize[1])',
        3: 'channel dimension (last, NHWC; inputSize)',
      },
    });
    checkStateList(where, state, 2);
    const [b, hh, ww] = xt.shape as [number, number, number, number];
    state.forEach((s, k) => {
      checkTensor(where, `state[${k}]`, s, {
        rank: 4,
        layout: '[B, H, W, hidden]',
        dims: { 0: b, 1: hh, 2: ww, 3: this.hiddenSize },
        dimNames: {
          0: 'batch (that of the input)',
          1: 'height (that of the input)',
          2: 'width (that of the input)',
          3: 'channels (hiddenSize)',
        },
      });
    });
    const peepholes =
      this.weight_ci && this.weight_cf && this.weight_co
        ? { ci: this.weight_ci, cf: this.weight_cf, co: this.weight_co }
        : null;
    const { h, c } = convLstmCell(x, state[0]!, state[1]!, {
      weight: this.conv.weight,
      bias: this.conv.bias,
      peepholes,
    });
    return { output: h, state: [h, c] };
  }

  /** One step from `state` (default: zeros of the input's size); the same as `step`. */
  forward(x: tf.Tensor, state?: CellState): { output: tf.Tensor; state: CellState } {
    const shape = (x as { shape?: number[] }).shape;
    const hw =
      Array.isArray(shape) && shape.length === 4
        ? ([shape[1]!, shape[2]!] as [number, number])
        : undefined;
    return stepFrom(this, x, state, hw);
  }

  override extraRepr(): string {
    return `inputSize=${this.inputSize}, hiddenSize=${this.hiddenSize}, kernelSize=[${this.kernelSize.join(', ')}], peephole=${this.weight_ci !== null}`;
  }
}
