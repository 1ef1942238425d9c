import { checkTensor, fail } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import type { CellState, RecurrentCell } from './cell.js';

export interface RunCellOptions {
  /** The state before the first step. Default: `cell.initialState(B, spatial)` (zeros). */
  state?: CellState;
  /**
   * `[T, B]`, 1 where step t of sample b is real and 0 where it is padding. At a padded step the
   * state is carried over unchanged and the output is zero. Default: every step is real.
   */
  mask?: tf.Tensor;
  /** `[H, W]` for convolutional cells' initial state. Default: the input's `[H, W]` when it is `[T, B, H, W, C]`. */
  spatial?: readonly [number, number];
}

/** What `runCell` returns: new tensors owned by the caller. */
export interface RunCellResult {
  /** `[T, B, ...]`: the step outputs, stacked over time. */
  outputs: tf.Tensor;
  /** The state after the last step (after the last real step, per sample, when masked). */
  state: CellState;
}

/** m `[B]` reshaped to broadcast against a `[B, ...]` tensor of rank `rank`. */
function batchMask(m: tf.Tensor, rank: number): tf.Tensor {
  return tf.reshape(m, [m.shape[0]!, ...new Array<number>(rank - 1).fill(1)]);
}

/** y `[B, ...]` times m `[B]` (float 0/1) per sample: zero where m = 0. */
export function maskOutput(y: tf.Tensor, m: tf.Tensor): tf.Tensor {
  return tf.mul(y, batchMask(m, y.rank));
}

/**
 * The masked state update, per sample with m `[B]` (float 0/1): m s' + (1 - m) s, exactly s'
 * where m = 1 and exactly s where m = 0.
 */
export function maskedState(next: CellState, prev: CellState, m: tf.Tensor): CellState {
  const keep = tf.sub(1, m);
  return next.map((s, k) =>
    tf.add(tf.mul(s, batchMask(m, s.rank)), tf.mul(prev[k]!, batchMask(keep, s.rank))),
  );
}

/**
 * Validates a time-major sequence `xs` `[T, B, ...]` (at least one step) and its optional 0/1
 * `mask` `[T, B]`; returns T, B and the spatial size `[H, W]` for the initial state of a
 * convolutional cell: `spatial` if given, else that of a `[T, B, H, W, C]` input.
 */
export function checkSequence(
  where: string,
  xs: tf.Tensor,
  mask: tf.Tensor | undefined,
  spatial: readonly [number, number] | undefined,
): { steps: number; batch: number; spatial: readonly [number, number] | undefined } {
  checkTensor(where, 'xs', xs, { rank: [3, 4, 5], layout: '[T, B, ...] (time major)' });
  const [T, B] = xs.shape as [number, number];
  if (T === 0) fail(where, 'xs', 'at least one time step', `shape [${xs.shape.join(', ')}]`);
  if (mask !== undefined) {
    checkTensor(where, 'mask', mask, {
      rank: 2,
      layout: '[T, B]',
      dtype: ['float32', 'int32', 'bool'],
      dims: { 0: T, 1: B },
      dimNames: { 0: 'time dimension (that of xs)', 1: 'batch dimension (that of xs)' },
    });
  }
  return {
    steps: T,
    batch: B,
    spatial:
      spatial ?? (xs.rank === 5 ? ([xs.shape[2]!, xs.shape[3]!] as [number, number]) : undefined),
  };
}

/**
 * Runs any `RecurrentCell` over a sequence, one `step` per time index, with an optional padding
 * mask: where mask[t, b] = 0 the sample's state is kept, s_t = m s'_t + (1 - m) s_{t-1}, and its
 * output is zero, y_t = m y'_t. Differentiable (BPTT through every step).
 *
 * Shapes: xs `[T, B, ...]` (time major: `[T, B, inputSize]`, or `[T, B, H, W, C]` for ConvLSTM)
 * -> outputs `[T, B, ...output]`, state: the cell's final state.
 *
 * @example
 * const cell = new GatedRNNCell({ inputSize: 3, hiddenSize: 8 });
 * const { outputs, state } = runCell(cell, tf.ones([5, 2, 3])); // outputs [5, 2, 8]
 */
export function runCell(
  cell: RecurrentCell,
  xs: tf.Tensor,
  opts: RunCellOptions = {},
): RunCellResult {
  const { batch: B, spatial } = checkSequence('runCell', xs, opts.mask, opts.spatial);
  const result = tf.tidy(() => {
    let state = opts.state ?? cell.initialState(B, spatial);
    const masks = opts.mask ? tf.unstack(tf.cast(opts.mask, 'float32')) : null; // T x [B]
    const outs: tf.Tensor[] = [];
    tf.unstack(xs).forEach((x, t) => {
      const { output, state: next } = cell.step(x, state);
      if (!masks) {
        outs.push(output);
        state = next;
        return;
      }
      outs.push(maskOutput(output, masks[t]!));
      state = maskedState(next, state, masks[t]!);
    });
    return { outputs: tf.stack(outs), state };
  });
  return result as RunCellResult;
}
