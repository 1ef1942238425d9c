import { checkTensor, fail, LINEAR_WEIGHT, parameter } from '@archzoo/core';
import { type Generator, torchDefaultUniform } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import type { CellState, RecurrentCell } from './cell.js';

// Helpers shared by the cells of this package that are not RNN/LSTM/GRU (leaky, gated, minimal,
// ConvLSTM, Social LSTM, ACT): weight creation in PyTorch's RNN style and step-input checks.

/**
 * A recurrent weight matrix held `[in, out]` (PyTorch's `[out, in]` in the state dict), drawn
 * like every parameter of `torch.nn.RNN`: U(-1/sqrt(hidden), 1/sqrt(hidden)).
 */
export function recurrentWeight(
  inFeatures: number,
  outFeatures: number,
  hiddenSize: number,
  generator?: Generator,
): tf.Variable {
  // bound = 1 / sqrt(hiddenSize), as torch.nn.RNNCell's reset_parameters
  return parameter(torchDefaultUniform([inFeatures, outFeatures], hiddenSize, { generator }), {
    layout: LINEAR_WEIGHT,
  });
}

/** A recurrent bias `[size]` ~ U(-1/sqrt(hidden), 1/sqrt(hidden)). */
export function recurrentBias(
  size: number,
  hiddenSize: number,
  generator?: Generator,
): tf.Variable {
  return parameter(torchDefaultUniform([size], hiddenSize, { generator }));
}

/** x W (+ b) for x `[B, in]`, W `[in, out]`: `[B, out]`. */
export function affine(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor | null): tf.Tensor {
  const y = tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
  return b ? tf.add(y, b) : y;
}

/**
 * Validates one step of a vector cell: `x` `[B, inputSize]` and `state` = `count` tensors
 * `[B, hiddenSize]` with the same B. Errors name the module, the argument, expected vs actual.
 */
export function checkVectorStep(
  where: string,
  x: unknown,
  state: unknown,
  inputSize: number,
  hiddenSize: number,
  count = 1,
): void {
  const xt = checkTensor(where, 'input', x, {
    rank: 2,
    layout: '[B, inputSize]',
    dims: { 1: inputSize },
    dimNames: { 1: 'feature dimension (inputSize)' },
  });
  checkStateList(where, state, count);
  (state as tf.Tensor[]).forEach((s, k) => {
    checkTensor(where, `state[${k}]`, s, {
      rank: 2,
      layout: '[B, hiddenSize]',
      dims: { 0: xt.shape[0]!, 1: hiddenSize },
      dimNames: { 0: 'batch dimension (that of the input)', 1: 'dimension 1 (hiddenSize)' },
    });
  });
}

/** `state` is an array of `count` entries. */
export function checkStateList(where: string, state: unknown, count: number): void {
  if (!Array.isArray(state) || state.length !== count) {
    const got = Array.isArray(state) ? `an array of ${state.length}` : typeof state;
    fail(where, 'state', `an array of ${count} tensor(s)`, got);
  }
}

/** The zero state: `count` tensors of shape `shape`. */
export function zerosState(shape: number[], count = 1): CellState {
  return Array.from({ length: count }, () => tf.zeros(shape));
}

/** A probability-like option in the open interval (0, 1). */
export function openUnit(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0 && v < 1)) {
    fail(where, `option ${name}`, 'a number in (0, 1)', typeof v === 'number' ? String(v) : v);
  }
  return v;
}

/**
 * One step of `cell` from `state`, or from its zero state (built and freed here) when absent:
 * what each cell's `forward(x, state?)` does. `spatial` is passed to `initialState`.
 */
export function stepFrom(
  cell: RecurrentCell,
  x: tf.Tensor,
  state: CellState | undefined,
  spatial?: readonly [number, number],
): { output: tf.Tensor; state: CellState } {
  if (state) return cell.step(x, state);
  const shape = (x as { shape?: unknown }).shape;
  const batch = Array.isArray(shape) && typeof shape[0] === 'number' ? shape[0] : 1;
  const s = cell.initialState(batch, spatial);
  try {
    return cell.step(x, s);
  } finally {
    tf.dispose(s);
  }
}
