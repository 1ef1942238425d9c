/**
 * `fusedGruSequence`: a whole GRU layer pass over a sequence as ONE tfjs op with a hand-written
 * backward pass (BPTT), on the cpu and wasm backends. See gru_kernels.ts for the math.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { SequenceArgs, SequenceResult } from '../sequence_types.js';
import { GRU_SEQUENCE } from './gru_kernels.js';
import { runSequenceKernel } from './run_sequence.js';

/**
 * Arguments of a GRU sequence pass: x `[T, B, I]`, h0 `[B, H]`, wIh `[3H, I]` (gate blocks r, z,
 * n), wHh `[3H, H]`, biases `[3H]`, mask `[T, B]`.
 */
export type GruSequenceArgs = SequenceArgs;

/** Results of a GRU sequence pass: output `[T, B, H]` and the last hidden state h `[B, H]`. */
export type GruSequenceResult = SequenceResult;

/**
 * A one-layer, one-direction GRU (Cho et al. 2014; PyTorch's `nn.GRU` math and weight layout,
 * with b_hn inside the reset product) over a whole sequence, fused like `fusedLstmSequence`: the
 * candidate's input projection in one product, per step one product for r and z over
 * [h | x_t | 1] and one for h W_hn^T, one pass of the gates, a hand-written BPTT.
 * Differentiable w.r.t. x, h0, the weights and the biases. cpu and wasm backends only (see
 * `fusedSequenceSupported`); `gruSequence` of sequence_ops.ts dispatches here where it can.
 *
 * x `[T, B, I]`, h0 `[B, H]` -> output `[T, B, H]`, h `[B, H]`.
 *
 * @example
 * const { output, h } = fusedGruSequence({ x, h0, wIh, wHh, bIh, bHh });
 */
export function fusedGruSequence(a: GruSequenceArgs): GruSequenceResult {
  const o = { kernelName: GRU_SEQUENCE, where: 'fusedGruSequence', gates: 3, cellState: false };
  const [output, h] = runSequenceKernel(o, a);
  return { output: output as tf.Tensor3D, h: h as tf.Tensor2D };
}
