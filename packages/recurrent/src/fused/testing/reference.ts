/**
 * Test helpers of the fused sequences: a plain tf-ops LSTM and GRU (one op per line, autodiff for
 * the gradients) that the fused kernels must match, and seeded arguments.
 */
import { uniformTensor } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import type { GruSequenceArgs, GruSequenceResult } from '../gru_sequence.js';
import type { LstmSequenceArgs, LstmSequenceResult } from '../lstm_sequence.js';

/** x_t W^T (+ b): `[B, in]` -> `[B, out]`. */
function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D | null): tf.Tensor2D {
  const y: tf.Tensor = tf.matMul(x, w, false, true);
  return b ? (tf.add(y, b) as tf.Tensor2D) : (y as tf.Tensor2D);
}

/** Step t of x `[T, B, I]` as `[B, I]`, and of the mask as `[B, 1]`. */
function at(a: { x: tf.Tensor3D; mask?: tf.Tensor2D | null }, t: number) {
  const [, B, I] = a.x.shape;
  const xt = tf.reshape(tf.slice(a.x, [t, 0, 0], [1, B, I]), [B, I]) as tf.Tensor2D;
  const m = a.mask ? tf.reshape(tf.slice(a.mask, [t, 0], [1, B]), [B, 1]) : null;
  return { xt, m };
}

/** m new + (1 - m) old */
const blend = (m: tf.Tensor, next: tf.Tensor2D, old: tf.Tensor2D) =>
  tf.add(tf.mul(m, next), tf.mul(tf.sub(1, m), old)) as tf.Tensor2D;

/** PyTorch's LSTM written with tf ops, step by step. */
export function lstmReference(a: LstmSequenceArgs): LstmSequenceResult {
  return tf.tidy(() => {
    let h = a.h0;
    let c = a.c0;
    const ys: tf.Tensor2D[] = [];
    for (let t = 0; t < a.x.shape[0]; t++) {
      const { xt, m } = at(a, t);
      const z = tf.add(linear(xt, a.wIh, a.bIh), linear(h, a.wHh, a.bHh));
      const [ai, af, ag, ao] = tf.split(z, 4, 1);
      const cn = tf.add(
        tf.mul(tf.sigmoid(af!), c),
        tf.mul(tf.sigmoid(ai!), tf.tanh(ag!)),
      ) as tf.Tensor2D;
      const hn = tf.mul(tf.sigmoid(ao!), tf.tanh(cn)) as tf.Tensor2D;
      ys.push(m ? tf.mul(m, hn) : hn);
      h = m ? blend(m, hn, h) : hn;
      c = m ? blend(m, cn, c) : cn;
    }
    return { output: tf.stack(ys) as tf.Tensor3D, h, c };
  });
}

/** PyTorch's GRU written with tf ops, step by step. */
export function gruReference(a: GruSequenceArgs): GruSequenceResult {
  return tf.tidy(() => {
    let h = a.h0;
    const ys: tf.Tensor2D[] = [];
    for (let t = 0; t < a.x.shape[0]; t++) {
      const { xt, m } = at(a, t);
      const [xr, xz, xn] = tf.split(linear(xt, a.wIh, a.bIh), 3, 1);
      const [hr, hz, hn] = tf.split(linear(h, a.wHh, a.bHh), 3, 1);
      const r = tf.sigmoid(tf.add(xr!, hr!));
      const z = tf.sigmoid(tf.add(xz!, hz!));
      const n = tf.tanh(tf.add(xn!, tf.mul(r, hn!)));
      const next = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h)) as tf.Tensor2D;
      ys.push(m ? tf.mul(m, next) : next);
      h = m ? blend(m, next, h) : next;
    }
    return { output: tf.stack(ys) as tf.Tensor3D, h };
  });
}

export interface SizeOptions {
  T: number;
  B: number;
  I: number;
  H: number;
  /** Gate blocks: 4 (LSTM) or 3 (GRU). */
  gates: number;
  biases: boolean;
  mask: boolean;
  seed: number;
}

/**
 * The sizes a fused op is compared with its reference at: with and without biases and mask, and a
 * single step; each at H = 6 (the JavaScript step passes) and H = 8 (on wasm the WebAssembly SIMD
 * ones, steps.ts).
 */
export const CASES = [
  { name: 'biases and mask', T: 5, B: 3, biases: true, mask: true },
  { name: 'no biases, no mask', T: 5, B: 3, biases: false, mask: false },
  { name: 'biases, no mask', T: 4, B: 2, biases: true, mask: false },
  { name: 'mask, no biases', T: 4, B: 3, biases: false, mask: true },
  { name: 'T = 1', T: 1, B: 2, biases: true, mask: false },
  { name: 'T = 1 with mask', T: 1, B: 3, biases: true, mask: true },
].flatMap((c) => [6, 8].map((H) => ({ ...c, H })));

/** Seeded arguments of a sequence op (the caller disposes them); the mask has zeros inside. */
export function randomArgs(o: SizeOptions): LstmSequenceArgs {
  const G = o.gates * o.H;
  // each tensor from its own seed: uniform in [-scale, scale)
  const uniform = (k: number, shape: number[], scale: number) =>
    uniformTensor(shape, 16 * o.seed + k, -scale, scale);
  const mask = o.mask
    ? tf.tensor2d(
        Float32Array.from({ length: o.T * o.B }, (_, k) => (k % 3 === 1 ? 0 : 1)),
        [o.T, o.B],
      )
    : undefined;
  return {
    x: uniform(0, [o.T, o.B, o.I], 1) as tf.Tensor3D,
    h0: uniform(1, [o.B, o.H], 0.5) as tf.Tensor2D,
    c0: uniform(2, [o.B, o.H], 0.5) as tf.Tensor2D,
    wIh: uniform(3, [G, o.I], 0.6) as tf.Tensor2D,
    wHh: uniform(4, [G, o.H], 0.6) as tf.Tensor2D,
    bIh: o.biases ? (uniform(5, [G], 0.3) as tf.Tensor1D) : undefined,
    bHh: o.biases ? (uniform(6, [G], 0.3) as tf.Tensor1D) : undefined,
    mask,
  };
}

/** Disposes the tensors of `args` (those of `randomArgs`). */
export function disposeArgs(args: LstmSequenceArgs): void {
  tf.dispose(Object.values(args).filter((t) => t instanceof tf.Tensor) as tf.Tensor[]);
}

/** The differentiable tensors of `args`, by name (absent biases left out). */
export function differentiable(args: LstmSequenceArgs, withC0: boolean): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {
    x: args.x,
    h0: args.h0,
    wIh: args.wIh,
    wHh: args.wHh,
  };
  if (withC0) out.c0 = args.c0;
  if (args.bIh) out.bIh = args.bIh;
  if (args.bHh) out.bHh = args.bHh;
  return out;
}
