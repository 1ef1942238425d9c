import { fail, nonNegativeInt } from '@archzoo/core';
import type * as tf from '@tensorflow/tfjs-core';
import { recurrentWeights } from './functional.js';
import type { ChronoInit } from './init.js';
import {
  type DirectionWeights,
  type RecurrentForwardOptions,
  RecurrentLayer,
  type RecurrentLayerOptions,
} from './recurrent_layer.js';
import { lstmSequence, lstmSequenceExtended } from './sequence_ops.js';

/** Options of `LSTM`: the shared ones plus projection, peepholes and chrono. */
export interface LSTMOptions extends RecurrentLayerOptions {
  /** P > 0: project h to P < hiddenSize features, h_t = W_hr (o_t * tanh(c_t)) (`proj_size`). Default 0. */
  projSize?: number;
  /** Peephole connections (Gers & Schmidhuber 2000; archzoo only): weight_ci/cf/co_l{k} `[H]`. Default false. */
  peepholes?: boolean;
  /** Chrono initialization of the gate biases (Tallec & Ollivier 2018). Default: none. */
  chrono?: ChronoInit;
}

/** Per-call options of `LSTM.forward`. */
export interface LSTMForwardOptions extends RecurrentForwardOptions {
  /** Initial cell state `[D * numLayers, B, H]` (`[D * numLayers, H]` unbatched). Default zeros. */
  c0?: tf.Tensor | null;
}

/** What `LSTM.forward` returns. */
export interface LSTMOutput {
  /** `[T, B, D * H_out]` (`[B, T, D * H_out]` batchFirst, `[T, D * H_out]` unbatched), H_out = P or H. */
  output: tf.Tensor;
  /** Final hidden state `[D * numLayers, B, H_out]`. */
  h: tf.Tensor;
  /** Final cell state `[D * numLayers, B, H]`. */
  c: tf.Tensor;
}

/**
 * Long short-term memory network (Hochreiter & Schmidhuber 1997; forget gate: Gers et al. 2000),
 * `torch.nn.LSTM`, gate order [i, f, g, o]: for each layer and time step
 *   [a_i, a_f, a_g, a_o] = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh
 *   c_t = sigma(a_f) * c_{t-1} + sigma(a_i) * tanh(a_g),  h_t = sigma(a_o) * tanh(c_t)
 * optionally with peepholes and a projection h_t = W_hr (sigma(a_o) * tanh(c_t)) (Sak et al. 2014).
 * Input `[T, B, inputSize]` (`[B, T, inputSize]` with batchFirst, `[T, inputSize]` unbatched).
 * State dict as PyTorch's: weight_ih_l{k} `[4H, I_k]`, weight_hh_l{k} `[4H, H_out]`, bias_ih_l{k},
 * bias_hh_l{k} `[4H]`, weight_hr_l{k} `[P, H]`, `_reverse` for the backward direction; all
 * ~ U(-1/sqrt(H), 1/sqrt(H)).
 *
 * @example
 * const lstm = new LSTM({ inputSize: 4, hiddenSize: 8, bidirectional: true });
 * const { output, h, c } = lstm.forward(tf.ones([5, 3, 4]), { lengths: [5, 2, 4] });
 * // output [5, 3, 16] (zero past each length), h and c [2, 3, 8]
 */
export class LSTM extends RecurrentLayer {
  readonly peepholes: boolean;

  constructor(opts: LSTMOptions) {
    const projSize = nonNegativeInt('LSTM', 'projSize', opts.projSize ?? 0);
    if (projSize > 0 && projSize >= opts.hiddenSize) {
      fail(
        'LSTM',
        'option projSize',
        `a value smaller than hiddenSize (${opts.hiddenSize})`,
        projSize,
      );
    }
    super(opts, { mode: 'LSTM', projSize, peepholes: opts.peepholes, chrono: opts.chrono });
    this.peepholes = opts.peepholes === true;
  }

  /** input -> { output, h, c }; `h0`, `c0` default to zeros. */
  forward(input: tf.Tensor, opts: LSTMForwardOptions = {}): LSTMOutput {
    const { output, states } = this.run(input, [opts.h0, opts.c0], opts);
    return { output, h: states[0]!, c: states[1]! };
  }

  protected override stateSpec(): [string, number][] {
    return [
      ['h0', this.outputSize],
      ['c0', this.hiddenSize],
    ];
  }

  protected runDirection(
    w: DirectionWeights,
    x: tf.Tensor3D,
    [h0, c0]: tf.Tensor2D[],
    mask: tf.Tensor2D | null,
  ): { output: tf.Tensor3D; state: tf.Tensor2D[] } {
    const args = {
      x,
      h0: h0!,
      c0: c0!,
      ...recurrentWeights(w),
      mask,
    };
    const plain = !this.peepholes && !w.weight_hr;
    const r = plain
      ? lstmSequence(args)
      : lstmSequenceExtended({
          ...args,
          wHr: w.weight_hr,
          wCi: w.weight_ci,
          wCf: w.weight_cf,
          wCo: w.weight_co,
        });
    return { output: r.output, state: [r.h, r.c] };
  }

  override extraRepr(): string {
    return super.extraRepr() + (this.peepholes ? ', peepholes=true' : '');
  }
}
