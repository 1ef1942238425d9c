/**
 * The arguments and results of the whole-sequence recurrences (sequence_ops.ts) and of the fused
 * sequence ops (fused/), one layer in one direction, PyTorch's weight layout with G gate blocks
 * (1 for the Elman RNN; LSTM: 4, i, f, g, o; GRU: 3, r, z, n).
 */
import type * as tf from '@tensorflow/tfjs-core';

/** What every sequence op takes. */
export interface SequenceArgs {
  /** Input, time-first: `[T, B, I]`. */
  x: tf.Tensor3D;
  /** Initial hidden state `[B, H]` (`[B, P]` for a projected LSTM). */
  h0: tf.Tensor2D;
  /** `[G * H, I]`, PyTorch layout (`weight_ih_l0`). */
  wIh: tf.Tensor2D;
  /** `[G * H, H]` (`[G * H, P]` for a projected LSTM; PyTorch's `weight_hh_l0`). */
  wHh: tf.Tensor2D;
  /** `[G * H]`; absent or null: no bias. */
  bIh?: tf.Tensor1D | null;
  /** `[G * H]`; absent or null: no bias. */
  bHh?: tf.Tensor1D | null;
  /** `[T, B]` float32 0/1: at 0 the state is carried unchanged and the output is 0. */
  mask?: tf.Tensor2D | null;
}

/** Output of the single-state recurrences. */
export interface SequenceResult {
  /** `[T, B, H]`: h of every step (zero at masked steps). */
  output: tf.Tensor3D;
  /** Final hidden state `[B, H]`. */
  h: tf.Tensor2D;
}

/** An LSTM's arguments: those of every sequence op and the initial cell state. */
export interface LstmSequenceArgs extends SequenceArgs {
  /** Initial cell state `[B, H]`. */
  c0: tf.Tensor2D;
}

/** An LSTM's results: those of every sequence op and the final cell state. */
export interface LstmSequenceResult extends SequenceResult {
  /** Final cell state `[B, H]`. */
  c: tf.Tensor2D;
}
