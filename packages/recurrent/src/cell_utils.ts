import { checkTensor, fail, LINEAR_WEIGHT, Module, parameter, positiveInt } from '@archzoo/core';
import { type Generator, torchDefaultUniform } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import type { CellState, RecurrentCell } from './cell.js';
import { checkCellInput, checkState } from './checks.js';
import { type Bias, type ChronoInit, gateBiases, uniformParameter } from './init.js';

// Helpers shared by the cells of this package: weight creation in PyTorch's RNN style and
// step-input checks for the exotic cells (leaky, gated, minimal, ConvLSTM, Social LSTM, ACT), and
// the parameters and batched-or-unbatched step that RNNCell and GRUCell share.

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

/**
 * Base of the vector cells whose state is `[h]` alone (leaky, gated and minimal RNN): validates
 * the sizes, gives the zero state, checks each step (x `[B, inputSize]`, h `[B, hiddenSize]`) and
 * emits h' as both the output and the new state. A subclass supplies only `next`, its equations.
 */
export abstract class HiddenStateCell extends Module implements RecurrentCell {
  readonly inputSize: number;
  readonly hiddenSize: number;

  protected constructor(opts: { inputSize: number; hiddenSize: number }) {
    super();
    this.inputSize = positiveInt(this.typeName, 'inputSize', opts.inputSize);
    this.hiddenSize = positiveInt(this.typeName, 'hiddenSize', opts.hiddenSize);
  }

  /** h' `[B, hiddenSize]` from x `[B, inputSize]` and h `[B, hiddenSize]` (already checked). */
  protected abstract next(x: tf.Tensor, h: tf.Tensor): tf.Tensor;

  initialState(batch: number): CellState {
    return zerosState([batch, this.hiddenSize]);
  }

  step(x: tf.Tensor, state: CellState): { output: tf.Tensor; state: CellState } {
    checkVectorStep(`${this.typeName}.step`, x, state, this.inputSize, this.hiddenSize);
    const h = this.next(x, state[0]!);
    return { output: h, state: [h] };
  }

  /** One step from `state` (default: zeros); the same as `step`. */
  forward(x: tf.Tensor, state?: CellState): { output: tf.Tensor; state: CellState } {
    return stepFrom(this, x, state);
  }
}

/**
 * Base of `RNNCell` and `GRUCell` (`torch.nn.RNNCell`, `torch.nn.GRUCell`): the sizes, PyTorch's
 * four parameters in state-dict order (weight_ih `[G * H, I]`, weight_hh `[G * H, H]`, bias_ih,
 * bias_hh `[G * H]`; G = 1 for 'RNN', 3 for 'GRU'), all ~ U(-1/sqrt(H), 1/sqrt(H)) (or chrono's
 * biases), and the step on batched or unbatched input. A subclass supplies only `cell`, its math.
 */
export abstract class TorchHiddenCell extends Module implements RecurrentCell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** `[G * H, I]` */
  weight_ih: tf.Variable<tf.Rank.R2>;
  /** `[G * H, H]` */
  weight_hh: tf.Variable<tf.Rank.R2>;
  /** `[G * H]` */
  bias_ih: Bias;
  /** `[G * H]` */
  bias_hh: Bias;

  protected constructor(
    mode: 'RNN' | 'GRU',
    opts: {
      inputSize: number;
      hiddenSize: number;
      bias?: boolean;
      chrono?: ChronoInit;
      generator?: Generator;
    },
  ) {
    super();
    const where = `${mode}Cell`;
    const gates = mode === 'GRU' ? 3 : 1;
    this.inputSize = positiveInt(where, 'inputSize', opts.inputSize);
    const h = positiveInt(where, 'hiddenSize', opts.hiddenSize);
    this.hiddenSize = h;
    const g = opts.generator;
    this.weight_ih = uniformParameter([gates * h, this.inputSize], h, g);
    this.weight_hh = uniformParameter([gates * h, h], h, g);
    const b = gateBiases(where, mode, h, opts.bias ?? true, opts.chrono, g);
    this.bias_ih = b.bias_ih;
    this.bias_hh = b.bias_hh;
  }

  /** h' `[B, H]` from x `[B, I]` and h `[B, H]` (already checked and batched). */
  protected abstract cell(x: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D;

  initialState(batch: number): CellState {
    return [tf.zeros([batch, this.hiddenSize])];
  }

  step(x: tf.Tensor, state: CellState): { output: tf.Tensor; state: CellState } {
    const h = this.forward(x, state[0]);
    return { output: h, state: [h] };
  }

  /** One step: x `[B, I]` (or `[I]`), h `[B, H]` (or `[H]`; default zeros) -> h' of h's shape. */
  forward(x: tf.Tensor, h?: tf.Tensor | null): tf.Tensor {
    const where = `${this.typeName}.forward`;
    checkCellInput(where, x, this.inputSize);
    const lead = x.shape.slice(0, -1);
    if (h != null) checkState(where, 'h', h, [...lead, this.hiddenSize]);
    return tf.tidy(() => {
      const x2 = (x.rank === 1 ? tf.expandDims(x, 0) : x) as tf.Tensor2D; // [B, I]
      const b = x2.shape[0];
      const h2 = (
        h ? tf.reshape(h, [b, this.hiddenSize]) : tf.zeros([b, this.hiddenSize])
      ) as tf.Tensor2D; // [B, H]
      const out = this.cell(x2, h2); // [B, H]
      return x.rank === 1 ? tf.squeeze(out, [0]) : out;
    });
  }
}
