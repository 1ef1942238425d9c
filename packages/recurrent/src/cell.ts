import type * as tf from '@tensorflow/tfjs-core';

/**
 * The state a recurrent cell carries from one step to the next, as a list of `[B, ...]` tensors:
 * `[h]` for Elman, leaky, gated and minimal RNNs and the GRU, `[h, c]` for the LSTM and ConvLSTM.
 * A list (not a per-cell record) so that generic wrappers (Adaptive Computation Time, masks,
 * stacking) can mix, mask and average states without knowing the cell.
 */
export type CellState = tf.Tensor[];

/**
 * One step of a recurrent cell: what every cell in this package implements, and what generic
 * wrappers (ACT, Social LSTM, sequence runners) take.
 *
 * Shapes: `x` is `[B, inputSize]` (or `[B, H, W, C]` for convolutional cells), every state tensor
 * is `[B, ...]`; `output` is what the step emits (usually the new `h`).
 */
export interface RecurrentCell {
  /** Features of one input step (channels for convolutional cells). */
  readonly inputSize: number;
  /** Features of the hidden state (channels for convolutional cells). */
  readonly hiddenSize: number;
  /** The zero state for a batch of `batch` (`spatial` = `[H, W]` for convolutional cells). */
  initialState(batch: number, spatial?: readonly [number, number]): CellState;
  /** One step: the new state from input `x` and the previous `state`. Does not dispose inputs. */
  step(x: tf.Tensor, state: CellState): { output: tf.Tensor; state: CellState };
}
