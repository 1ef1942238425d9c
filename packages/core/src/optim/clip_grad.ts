import * as tf from '@tensorflow/tfjs-core';
import { ArchzooError, fail, finiteNumber } from '../errors.js';
import type { Gradients } from './optimizer.js';

export interface ClipGradNormOptions {
  /** Order p of the norm: a number > 0, or Infinity (max |g|). Default 2. */
  normType?: number;
  /** Throw if the total norm is NaN or infinite (nothing is changed then). Default false, as in PyTorch 1.13. */
  errorIfNonfinite?: boolean;
}

function entries(where: string, grads: Gradients): [string | tf.Variable, tf.Tensor][] {
  if (grads == null || typeof grads !== 'object')
    fail(where, 'grads', 'a NamedTensorMap or a Map<tf.Variable, tf.Tensor>', grads);
  const list: [string | tf.Variable, tf.Tensor][] =
    grads instanceof Map ? [...grads.entries()] : Object.entries(grads);
  for (const [k, g] of list) {
    if (!(g instanceof tf.Tensor) || g.isDisposed)
      fail(where, `gradient '${typeof k === 'string' ? k : k.name}'`, 'a live tf.Tensor', g);
  }
  return list;
}

function replace(grads: Gradients, key: string | tf.Variable, value: tf.Tensor): void {
  if (grads instanceof Map) grads.set(key as tf.Variable, value);
  else grads[key as string] = value;
}

/**
 * Clips gradients by their global norm, `torch.nn.utils.clip_grad_norm_`: with the total norm
 * N = || (||g_1||_p, ..., ||g_k||_p) ||_p (the norm of all gradients concatenated), every gradient
 * is multiplied by min(1, maxNorm / (N + 1e-6)). Returns N.
 *
 * "In place", as far as tfjs allows: each tensor in `grads` is replaced by its clipped copy and
 * the old tensor is disposed, so the container (e.g. `tf.variableGrads(...).grads`) can go
 * straight to `optimizer.step`. Reading N back is one device sync.
 *
 * @example
 * const { value, grads } = tf.variableGrads(lossFn, model.parameters());
 * const norm = clipGradNorm(grads, 1.0);
 * opt.step(grads);
 */
export function clipGradNorm(
  grads: Gradients,
  maxNorm: number,
  opts: ClipGradNormOptions = {},
): number {
  const where = 'clipGradNorm';
  finiteNumber(where, 'maxNorm', maxNorm, 0);
  const p = opts.normType ?? 2;
  if (typeof p !== 'number' || !(p > 0))
    fail(where, 'option normType', 'a number > 0 or Infinity', p);
  const list = entries(where, grads);
  if (list.length === 0) return 0;
  const [total, coef] = tf.tidy(() => {
    const norms = list.map(([, g]) => {
      const a = tf.abs(g);
      if (p === Infinity) return tf.max(a);
      if (p === 2) return tf.sqrt(tf.sum(tf.square(g)));
      if (p === 1) return tf.sum(a);
      return tf.pow(tf.sum(tf.pow(a, p)), 1 / p);
    });
    const n = tf.stack(norms); // [k]
    const totalNorm =
      p === Infinity
        ? tf.max(n)
        : p === 2
          ? tf.sqrt(tf.sum(tf.square(n)))
          : p === 1
            ? tf.sum(n)
            : tf.pow(tf.sum(tf.pow(n, p)), 1 / p);
    // clip_coef = maxNorm / (N + 1e-6), clamped to 1
    return [totalNorm, tf.minimum(tf.div(maxNorm, tf.add(totalNorm, 1e-6)), 1)];
  });
  const totalNorm = total.dataSync()[0]!;
  total.dispose();
  if (opts.errorIfNonfinite && !Number.isFinite(totalNorm)) {
    coef.dispose();
    throw new ArchzooError(
      `${where}: the total norm of order ${p} of the gradients is ${totalNorm}, so it cannot be clipped`,
    );
  }
  for (const [k, g] of list) {
    replace(grads, k, tf.mul(g, coef));
    g.dispose();
  }
  coef.dispose();
  return totalNorm;
}

/**
 * Clamps every gradient element to [-clipValue, clipValue], `torch.nn.utils.clip_grad_value_`.
 * Each tensor in `grads` is replaced by its clipped copy and the old tensor disposed.
 *
 * @example
 * clipGradValue(grads, 0.5);
 */
export function clipGradValue(grads: Gradients, clipValue: number): void {
  const where = 'clipGradValue';
  finiteNumber(where, 'clipValue', clipValue, 0);
  for (const [k, g] of entries(where, grads)) {
    replace(grads, k, tf.clipByValue(g, -clipValue, clipValue));
    g.dispose();
  }
}
