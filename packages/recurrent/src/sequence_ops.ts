/**
 * Whole-sequence recurrences of one layer in one direction: every RNN, LSTM and GRU layer of this
 * package runs through these functions, so a faster implementation (fused kernels with a
 * hand-written backward pass) can replace them in one place.
 *
 * All take time-first input x `[T, B, I]`, the initial state `[B, H]`, weights in PyTorch's layout
 * (`W_ih` `[G * H, I]`, `W_hh` `[G * H, H]`, biases `[G * H]`) and an optional mask `[T, B]`
 * (float32 0/1): at a 0 the state is carried unchanged and the output is 0, so the final state is
 * the state after each sample's last unmasked step (what `pack_padded_sequence` gives in PyTorch).
 * The input projection x W_ih^T + b_ih (+ b_hh) of all steps is one matmul up front; the loop then
 * does one `[B, H] x [H, G * H]` matmul per step. Everything is plain differentiable tf ops.
 * Inputs are not disposed; the results are new tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  carry,
  gruStep,
  type LstmExtras,
  lstmStep,
  type Nonlinearity,
  rnnStep,
  unstack0,
} from './functional.js';
import { fusedGruSequence } from './fused/gru_sequence.js';
import { fusedLstmSequence } from './fused/lstm_sequence.js';
import { fusedSequenceSupported } from './fused/register.js';
import type {
  LstmSequenceArgs,
  LstmSequenceResult,
  SequenceArgs,
  SequenceResult,
} from './sequence_types.js';

export type { SequenceArgs, SequenceResult } from './sequence_types.js';

/** x W_ih^T + bias for all steps in one matmul, split by step: T x `[B, G * H]`. */
function projectInputs(x: tf.Tensor3D, wIh: tf.Tensor2D, bias: tf.Tensor1D | null): tf.Tensor2D[] {
  const [t, b, i] = x.shape;
  let xp = tf.matMul(tf.reshape(x, [t * b, i]) as tf.Tensor2D, wIh, false, true); // [T*B, G*H]
  if (bias) xp = tf.add(xp, bias);
  return unstack0(tf.reshape(xp, [t, b, -1])) as tf.Tensor2D[]; // T x [B, G*H]
}

/** b_ih + b_hh (either may be absent), folded into the up-front projection. */
function sumBiases(a: tf.Tensor1D | null | undefined, b: tf.Tensor1D | null | undefined) {
  if (a && b) return tf.add(a, b) as tf.Tensor1D;
  return a ?? b ?? null;
}

/**
 * The time loop: `step(t, state)` gives the new state (whose first entry is the step's output);
 * a mask carries the state through masked steps and zeroes their output.
 */
function scan(
  steps: number,
  mask: tf.Tensor2D | null | undefined,
  state0: tf.Tensor2D[],
  step: (t: number, state: tf.Tensor2D[]) => tf.Tensor2D[],
): { output: tf.Tensor3D; state: tf.Tensor2D[] } {
  const m = mask ? (unstack0(tf.expandDims(mask, 2)) as tf.Tensor2D[]) : null; // T x [B, 1]
  const notM = m ? m.map((mt) => tf.sub(1, mt) as tf.Tensor2D) : null;
  let state = state0;
  const outputs: tf.Tensor2D[] = [];
  for (let t = 0; t < steps; t++) {
    const next = step(t, state);
    if (m && notM) {
      outputs.push(tf.mul(next[0]!, m[t]!));
      state = next.map((s, k) => carry(state[k]!, s, m[t]!, notM[t]!));
    } else {
      outputs.push(next[0]!);
      state = next;
    }
  }
  return { output: tf.stack(outputs) as tf.Tensor3D, state }; // [T, B, H]
}

/**
 * Elman RNN over a sequence: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).
 * Weights `[H, I]`, `[H, H]`; returns output `[T, B, H]` and the final h `[B, H]`.
 */
export function rnnSequence(a: SequenceArgs & { nonlinearity: Nonlinearity }): SequenceResult {
  return tf.tidy(() => {
    const xp = projectInputs(a.x, a.wIh, sumBiases(a.bIh, a.bHh));
    const { output, state } = scan(xp.length, a.mask, [a.h0], (t, [h]) => [
      rnnStep(xp[t]!, h!, a.wHh, null, a.nonlinearity),
    ]);
    return { output, h: state[0]! };
  });
}

/**
 * LSTM over a sequence, PyTorch's gate order [i, f, g, o] (`W_ih` `[4H, I]`, `W_hh` `[4H, H]`):
 * see `lstmStep`. Returns output `[T, B, H]` (the h_t) and the final h and c `[B, H]`.
 */
export function lstmSequence(a: LstmSequenceArgs): LstmSequenceResult {
  // cpu and wasm: the fused kernels with hand-written BPTT (fused/); lstmSequenceExtended is the reference.
  if (fusedSequenceSupported()) return fusedLstmSequence(a);
  return lstmSequenceExtended(a);
}

/**
 * LSTM over a sequence with peepholes and/or a projection (`W_hr` `[P, H]`, then h, h0 and the
 * output are `[.., P]` and `W_hh` is `[4H, P]`); without extras it is `lstmSequence`.
 */
export function lstmSequenceExtended(a: LstmSequenceArgs & LstmExtras): LstmSequenceResult {
  return tf.tidy(() => {
    const xp = projectInputs(a.x, a.wIh, sumBiases(a.bIh, a.bHh));
    const { output, state } = scan(xp.length, a.mask, [a.h0, a.c0], (t, [h, c]) => {
      const next = lstmStep(xp[t]!, h!, c!, a.wHh, null, a);
      return [next.h, next.c];
    });
    return { output, h: state[0]!, c: state[1]! };
  });
}

/**
 * GRU over a sequence, PyTorch's formulation and gate order [r, z, n] (`W_ih` `[3H, I]`,
 * `W_hh` `[3H, H]`): see `gruStep`. Returns output `[T, B, H]` and the final h `[B, H]`.
 */
export function gruSequence(a: SequenceArgs): SequenceResult {
  // cpu and wasm: the fused kernels with hand-written BPTT (fused/); gruSequenceUnfused is the reference.
  if (fusedSequenceSupported()) return fusedGruSequence(a);
  return gruSequenceUnfused(a);
}

/** `gruSequence` with plain tf ops on every backend: the reference of the fused GRU. */
export function gruSequenceUnfused(a: SequenceArgs): SequenceResult {
  return tf.tidy(() => {
    const xp = projectInputs(a.x, a.wIh, a.bIh ?? null);
    const { output, state } = scan(xp.length, a.mask, [a.h0], (t, [h]) => [
      gruStep(xp[t]!, h!, a.wHh, a.bHh),
    ]);
    return { output, h: state[0]! };
  });
}
