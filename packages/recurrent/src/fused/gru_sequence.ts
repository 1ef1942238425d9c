/**
 * `fusedGruSequence`: a whole GRU layer pass over a sequence as ONE tfjs op with a hand-written
 * backward pass (BPTT), on the cpu and wasm backends. See gru_kernels.ts for the math.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { GRU_SEQUENCE } from './gru_kernels.js';
import { runSequenceKernel } from './run_sequence.js';

/** Arguments of a GRU sequence pass, PyTorch's layout (one layer, one direction). */
export interface GruSequenceArgs {
  /** Inputs `[T, B, I]`, time first. */
  x: tf.Tensor3D;
  /** Initial hidden state `[B, H]`. */
  h0: tf.Tensor2D;
  /** `[3H, I]`, gate blocks r, z, n (PyTorch's `weight_ih_l0`). */
  wIh: tf.Tensor2D;
  /** `[3H, H]` (PyTorch's `weight_hh_l0`). */
  wHh: tf.Tensor2D;
  /** `[3H]`; absent or null: no bias. */
  bIh?: tf.Tensor1D | null;
  /** `[3H]`; absent or null: no bias. */
  bHh?: tf.Tensor1D | null;
  /** `[T, B]` float32 0/1: where 0, the state is carried unchanged and the output is 0. */
  mask?: tf.Tensor2D | null;
}

export interface GruSequenceResult {
  /** `[T, B, H]`: h of every step (0 where masked). */
  output: tf.Tensor3D;
  /** `[B, H]`: the last hidden state. */
  h: tf.Tensor2D;
}

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
