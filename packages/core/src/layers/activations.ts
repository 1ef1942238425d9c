import * as tf from '@tensorflow/tfjs-core';
import { checkTensor, fail, finiteNumber, oneOf } from '../errors.js';
import { Module } from '../module.js';

/** max(x, 0) */
export function relu(x: tf.Tensor): tf.Tensor {
  return tf.relu(x);
}

/** x if x >= 0 else negativeSlope * x (PyTorch default slope 0.01). */
export function leakyRelu(x: tf.Tensor, negativeSlope = 0.01): tf.Tensor {
  return tf.leakyRelu(x, negativeSlope);
}

/** x if x > 0 else alpha * (exp(x) - 1). */
export function elu(x: tf.Tensor, alpha = 1): tf.Tensor {
  if (alpha === 1) return tf.elu(x);
  // relu(x) + alpha * elu(min(x, 0)): elu(min(x, 0)) = exp(min(x, 0)) - 1
  return tf.tidy(() => tf.add(tf.relu(x), tf.mul(alpha, tf.elu(tf.minimum(x, 0)))));
}

/** scale * elu(x, alpha) with scale = 1.0507..., alpha = 1.6732... (Klambauer et al. 2017). */
export function selu(x: tf.Tensor): tf.Tensor {
  return tf.selu(x);
}

/**
 * GELU (Hendrycks & Gimpel 2016). 'none': x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2));
 * 'tanh': 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
 */
export function gelu(x: tf.Tensor, approximate: 'none' | 'tanh' = 'none'): tf.Tensor {
  return tf.tidy(() => {
    if (approximate === 'tanh') {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
    }
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  });
}

/** `dim` as an axis of a rank-`rank` tensor (negative counts from the end), or an error naming `where`. */
function checkAxis(where: string, dim: number, rank: number): number {
  const axis = dim < 0 ? rank + dim : dim;
  if (axis < 0 || axis >= rank) fail(where, 'dim', `an axis in [-${rank}, ${rank - 1}]`, dim);
  return axis;
}

function moveAxisLast(
  where: string,
  x: tf.Tensor,
  dim: number,
  fn: (t: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  const axis = checkAxis(where, dim, x.rank);
  if (axis === x.rank - 1) return fn(x);
  return tf.tidy(() => {
    const perm = [...Array(x.rank).keys()];
    perm[axis] = x.rank - 1;
    perm[x.rank - 1] = axis;
    return tf.transpose(fn(tf.transpose(x, perm)), perm);
  });
}

/** softmax along `dim` (an axis of the archzoo tensor; default the last). */
export function softmax(x: tf.Tensor, dim = -1): tf.Tensor {
  return moveAxisLast('softmax', x, dim, (t) => tf.softmax(t));
}

/** log(softmax(x)) along `dim`, computed stably. */
export function logSoftmax(x: tf.Tensor, dim = -1): tf.Tensor {
  // x - logsumexp(x) (logSumExp subtracts the max first). Not tf.logSoftmax: its customGrad saves
  // a tensor, which tfjs's IS_TEST kernel-leak check reports as a leak on wasm.
  return moveAxisLast('logSoftmax', x, dim, (t) =>
    tf.tidy(() => tf.sub(t, tf.logSumExp(t, -1, true))),
  );
}

const F32 = { dtype: 'float32' as const };

/** An activation module: a thin wrapper of one of the functions above. */
abstract class Activation extends Module {
  protected abstract fn(x: tf.Tensor): tf.Tensor;
  forward(x: tf.Tensor): tf.Tensor {
    checkTensor(`${this.typeName}.forward`, 'input', x, F32);
    return this.fn(x);
  }
}

/** `torch.nn.ReLU`. Any shape. */
export class ReLU extends Activation {
  protected fn(x: tf.Tensor) {
    return relu(x);
  }
}

/** `torch.nn.LeakyReLU({ negativeSlope = 0.01 })`. Any shape. */
export class LeakyReLU extends Activation {
  readonly negativeSlope: number;
  constructor(opts: { negativeSlope?: number } = {}) {
    super();
    this.negativeSlope = finiteNumber('LeakyReLU', 'negativeSlope', opts.negativeSlope ?? 0.01);
  }
  protected fn(x: tf.Tensor) {
    return leakyRelu(x, this.negativeSlope);
  }
  override extraRepr() {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** `torch.nn.ELU({ alpha = 1 })`. Any shape. */
export class ELU extends Activation {
  readonly alpha: number;
  constructor(opts: { alpha?: number } = {}) {
    super();
    this.alpha = finiteNumber('ELU', 'alpha', opts.alpha ?? 1);
  }
  protected fn(x: tf.Tensor) {
    return elu(x, this.alpha);
  }
  override extraRepr() {
    return `alpha=${this.alpha}`;
  }
}

/** `torch.nn.SELU`. Any shape. */
export class SELU extends Activation {
  protected fn(x: tf.Tensor) {
    return selu(x);
  }
}

/** `torch.nn.GELU({ approximate = 'none' })`. Any shape. */
export class GELU extends Activation {
  readonly approximate: 'none' | 'tanh';
  constructor(opts: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    this.approximate = oneOf('GELU', 'approximate', opts.approximate ?? 'none', ['none', 'tanh']);
  }
  protected fn(x: tf.Tensor) {
    return gelu(x, this.approximate);
  }
  override extraRepr() {
    return `approximate='${this.approximate}'`;
  }
}

/** `torch.nn.Tanh`. Any shape. */
export class Tanh extends Activation {
  protected fn(x: tf.Tensor) {
    return tf.tanh(x);
  }
}

/** `torch.nn.Sigmoid`. Any shape. */
export class Sigmoid extends Activation {
  protected fn(x: tf.Tensor) {
    return tf.sigmoid(x);
  }
}

/** `torch.nn.Softmax({ dim = -1 })`: `dim` is an axis of the archzoo (channels-last) tensor. */
export class Softmax extends Activation {
  readonly dim: number;
  constructor(opts: { dim?: number } = {}) {
    super();
    this.dim = opts.dim ?? -1;
    if (!Number.isInteger(this.dim)) fail('Softmax', 'option dim', 'an integer axis', opts.dim);
  }
  protected fn(x: tf.Tensor) {
    checkAxis(`${this.typeName}.forward`, this.dim, x.rank);
    return softmax(x, this.dim);
  }
  override extraRepr() {
    return `dim=${this.dim}`;
  }
}

/** `torch.nn.LogSoftmax({ dim = -1 })`: `dim` is an axis of the archzoo (channels-last) tensor. */
export class LogSoftmax extends Activation {
  readonly dim: number;
  constructor(opts: { dim?: number } = {}) {
    super();
    this.dim = opts.dim ?? -1;
    if (!Number.isInteger(this.dim)) fail('LogSoftmax', 'option dim', 'an integer axis', opts.dim);
  }
  protected fn(x: tf.Tensor) {
    checkAxis(`${this.typeName}.forward`, this.dim, x.rank);
    return logSoftmax(x, this.dim);
  }
  override extraRepr() {
    return `dim=${this.dim}`;
  }
}
