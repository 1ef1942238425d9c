/**
 * Comparisons the fused sequence tests share: forward values and every gradient of a fused op
 * against its tf-ops reference, and central finite differences.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { LstmSequenceArgs } from '../lstm_sequence.js';
import { differentiable } from './reference.js';

/** A sequence op under test: the fused one or its reference (GRU results have no `c`). */
export type SequenceOp = (a: LstmSequenceArgs) => {
  output: tf.Tensor3D;
  h: tf.Tensor2D;
  c?: tf.Tensor2D;
};

/** Which results the test loss reads (the others then get no gradient: null dys). */
export interface LossTerms {
  output: boolean;
  h: boolean;
  c: boolean;
}

const ALL: LossTerms = { output: true, h: true, c: true };

/**
 * A scalar loss of the op's results with fixed pseudo-random weights (so that every result gets a
 * distinct gradient): sum(output * Wy) + sum(h * Wh) + sum(c * Wc), the terms asked for.
 */
export function weightedLoss(op: SequenceOp, args: LstmSequenceArgs, terms: LossTerms = ALL) {
  const [T, B] = args.x.shape;
  const H = args.h0.shape[1];
  const weight = (n: number, shape: number[], k: number) =>
    tf.tensor(
      Float32Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + k)),
      shape,
    );
  return (named: Record<string, tf.Tensor>): tf.Scalar =>
    tf.tidy(() => {
      const r = op({ ...args, ...named } as LstmSequenceArgs);
      const parts: tf.Tensor[] = [];
      if (terms.output) parts.push(tf.sum(tf.mul(r.output, weight(T * B * H, [T, B, H], 0))));
      if (terms.h) parts.push(tf.sum(tf.mul(r.h, weight(B * H, [B, H], 1))));
      if (terms.c && r.c) parts.push(tf.sum(tf.mul(r.c, weight(B * H, [B, H], 2))));
      return tf.addN(parts) as tf.Scalar;
    });
}

/** The gradients of `loss` w.r.t. each tensor of `wrt`, by name, as arrays. */
export function gradsOf(
  loss: (named: Record<string, tf.Tensor>) => tf.Scalar,
  wrt: Record<string, tf.Tensor>,
): Record<string, Float32Array> {
  const names = Object.keys(wrt);
  const grads = tf.grads((...vals: tf.Tensor[]) =>
    loss(Object.fromEntries(names.map((n, i) => [n, vals[i]!]))),
  )(names.map((n) => wrt[n]!));
  const out = Object.fromEntries(names.map((n, i) => [n, grads[i]!.dataSync() as Float32Array]));
  tf.dispose(grads);
  return out;
}

/** The op's results as arrays (`c` empty for the GRU). */
export function resultsOf(op: SequenceOp, args: LstmSequenceArgs): Float32Array[] {
  const r = op(args);
  const out = [r.output, r.h, r.c].map((t) =>
    t ? (t.dataSync() as Float32Array) : new Float32Array(),
  );
  tf.dispose([r.output, r.h, r.c ?? []]);
  return out;
}

/** max |a - b| */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxDiff: sizes differ (${a.length} vs ${b.length})`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d; // NaN wins
  }
  return m;
}

/**
 * The worst disagreement between analytic gradients and float32 central differences
 * (L(v + eps) - L(v - eps)) / 2 eps, over `perInput` entries of each tensor of `wrt`, as
 * |analytic - numeric| / (1 + |numeric|).
 */
export function finiteDifferenceError(
  loss: (named: Record<string, tf.Tensor>) => tf.Scalar,
  wrt: Record<string, tf.Tensor>,
  eps: number,
  perInput: number,
): { error: number; where: string } {
  const analytic = gradsOf(loss, wrt);
  let worst = { error: 0, where: '' };
  for (const [name, t] of Object.entries(wrt)) {
    const base = t.dataSync() as Float32Array;
    const stride = Math.max(1, Math.floor(base.length / perInput));
    for (let k = 0; k < base.length; k += stride) {
      const at = (delta: number) => {
        const v = base.slice();
        v[k]! += delta;
        const moved = tf.tensor(v, t.shape);
        const l = loss({ [name]: moved });
        const value = l.dataSync()[0]!;
        tf.dispose([moved, l]);
        return value;
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      const error = Math.abs(analytic[name]![k]! - numeric) / (1 + Math.abs(numeric));
      if (!(error <= worst.error)) worst = { error, where: `${name}[${k}]` };
    }
  }
  return worst;
}

/**
 * How close an op's results (`forward`) and gradients (`gradient`) must come to the reference's:
 * float32 rounding on cpu and wasm; webgl computes in its own float32 shaders.
 */
export function tolerance(backend: string): { forward: number; gradient: number } {
  return backend === 'webgl'
    ? { forward: 1e-4, gradient: 1e-3 }
    : { forward: 1e-5, gradient: 1e-4 };
}

/**
 * Expects the gradients of `weightedLoss` (the `terms` asked for) through `op` and through
 * `reference` w.r.t. each tensor of `wrt` to agree to `tol`; a failure names the tensor (and the
 * terms, where not all).
 */
export function expectSameGradients(
  op: SequenceOp,
  reference: SequenceOp,
  args: LstmSequenceArgs,
  wrt: Record<string, tf.Tensor>,
  tol: number,
  terms: LossTerms = ALL,
): void {
  const got = gradsOf(weightedLoss(op, args, terms), wrt);
  const want = gradsOf(weightedLoss(reference, args, terms), wrt);
  const which = terms === ALL ? '' : ` ${JSON.stringify(terms)}`;
  for (const name of Object.keys(wrt)) {
    expect(maxDiff(got[name]!, want[name]!), `${name}${which}`).toBeLessThan(tol);
  }
}

/** How `expectMatchesReference` compares. */
export interface MatchOptions {
  /** Whether the op reads c0 (the LSTM) and so has a gradient w.r.t. it. */
  withC0: boolean;
  /** Largest |op - reference| of a result (output, h, c). */
  forward: number;
  /** Largest |op - reference| of a gradient. */
  gradient: number;
}

/**
 * Expects `op` to give `reference`'s results (output, h and, for the LSTM, c) and gradients of
 * `weightedLoss` w.r.t. every differentiable argument (`differentiable`).
 */
export function expectMatchesReference(
  op: SequenceOp,
  reference: SequenceOp,
  args: LstmSequenceArgs,
  o: MatchOptions,
): void {
  const got = resultsOf(op, args);
  const want = resultsOf(reference, args);
  for (const [k, name] of ['output', 'h', 'c'].entries()) {
    expect(maxDiff(got[k]!, want[k]!), name).toBeLessThan(o.forward);
  }
  expectSameGradients(op, reference, args, differentiable(args, o.withC0), o.gradient);
}
