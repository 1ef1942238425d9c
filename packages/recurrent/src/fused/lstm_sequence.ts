/**
 * `fusedLstmSequence`: a whole LSTM layer pass over a sequence as ONE tfjs op with a hand-written
 * backward pass (BPTT), on the cpu and wasm backends. See lstm_kernels.ts for the math.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { LstmSequenceArgs, LstmSequenceResult } from '../sequence_types.js';
import { LSTM_SEQUENCE } from './lstm_kernels.js';
import { runSequenceKernel } from './run_sequence.js';

/**
 * Arguments of an LSTM sequence pass: x `[T, B, I]`, h0 and c0 `[B, H]`, wIh `[4H, I]` (gate blocks
 * i, f, g, o), wHh `[4H, H]`, biases `[4H]`, mask; results: output `[T, B, H]`, h and c `[B, H]`.
 */
export type { LstmSequenceArgs, LstmSequenceResult } from '../sequence_types.js';

/**
 * A one-layer, one-direction LSTM (Hochreiter & Schmidhuber 1997; PyTorch's `nn.LSTM` math and
 * weight layout) over a whole sequence, fused: per step one product [h | x_t | 1] against the
 * stacked weights and biases and one pass of the gate nonlinearities and state update, and a
 * hand-written backpropagation through time whose weight gradients are one product in all.
 * Differentiable w.r.t. x, h0, c0, the weights and the biases. cpu and wasm backends only (see
 * `fusedSequenceSupported`); `lstmSequence` of sequence_ops.ts dispatches here where it can.
 *
 * x `[T, B, I]`, h0 and c0 `[B, H]` -> output `[T, B, H]`, h and c `[B, H]`.
 *
 * @example
 * const { output, h, c } = fusedLstmSequence({ x, h0, c0, wIh, wHh, bIh, bHh });
 */
export function fusedLstmSequence(a: LstmSequenceArgs): LstmSequenceResult {
  const o = { kernelName: LSTM_SEQUENCE, where: 'fusedLstmSequence', gates: 4, cellState: true };
  const [output, h, c] = runSequenceKernel(o, a);
  return { output: output as tf.Tensor3D, h: h as tf.Tensor2D, c: c as tf.Tensor2D };
}
