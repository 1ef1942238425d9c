import * as tf from '@tensorflow/tfjs-core';
import { fail, finiteNumber } from '../errors.js';
import { Module } from '../module.js';
import { absSignGrad, checkPair, type Reduction, reduce, reductionOption } from './reduction.js';

// Element-wise regression losses. Input and target must have the same shape (PyTorch broadcasts
// them with a warning; archzoo refuses, since a silent broadcast is almost always a bug).
// `'mean'` divides by the number of elements.

/**
 * `positive > 0 ? a : b`, as m a + (1 - m) b with m = step(positive) in {0, 1} (exact for finite
 * a, b). Not `tf.where(tf.less(...))`: tfjs has no gradient for `Less` and refuses to
 * differentiate through a condition computed from the input.
 */
function select(positive: tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const m = tf.step(positive); // 1 where positive > 0, else 0
  return tf.add(tf.mul(m, a), tf.mul(tf.sub(1, m), b));
}

export interface RegressionLossOptions {
  /** Default `'mean'` (over every element). */
  reduction?: Reduction;
}

/**
 * Mean squared error, `torch.nn.functional.mse_loss`: l = (x - y)^2.
 * Any shape; result `[]`, or the input's shape with `'none'`.
 *
 * @example
 * mseLoss(tf.tensor1d([1, 2]), tf.tensor1d([0, 0])); // 2.5
 */
export function mseLoss(
  input: tf.Tensor,
  target: tf.Tensor,
  opts: RegressionLossOptions = {},
): tf.Tensor {
  const [x, t] = checkPair('mseLoss', input, target);
  const reduction = reductionOption('mseLoss', opts.reduction);
  return tf.tidy(() => reduce(tf.squaredDifference(x, t), reduction));
}

/**
 * Mean absolute error, `torch.nn.functional.l1_loss`: l = |x - y|, gradient sign(x - y) (0 at a tie).
 *
 * @example
 * l1Loss(tf.tensor1d([1, -2]), tf.tensor1d([0, 0]), { reduction: 'sum' }); // 3
 */
export function l1Loss(
  input: tf.Tensor,
  target: tf.Tensor,
  opts: RegressionLossOptions = {},
): tf.Tensor {
  const [x, t] = checkPair('l1Loss', input, target);
  const reduction = reductionOption('l1Loss', opts.reduction);
  return tf.tidy(() => reduce(absSignGrad(tf.sub(x, t)), reduction));
}

export interface SmoothL1LossOptions extends RegressionLossOptions {
  /** Where the loss switches from quadratic to linear, >= 0. Default 1. beta = 0 is the L1 loss. */
  beta?: number;
}

/**
 * Smooth L1 loss (Girshick 2015, Fast R-CNN), `torch.nn.functional.smooth_l1_loss`, with d = x - y:
 * l = 0.5 d^2 / beta if |d| < beta, else |d| - 0.5 beta. The gradient at a tie (d = 0) is
 * 0, or -1 when beta = 0 (PyTorch's choice of subgradient there).
 *
 * @example
 * smoothL1Loss(tf.tensor1d([0.5, 3]), tf.tensor1d([0, 0]), { reduction: 'none' }); // [0.125, 2.5]
 */
export function smoothL1Loss(
  input: tf.Tensor,
  target: tf.Tensor,
  opts: SmoothL1LossOptions = {},
): tf.Tensor {
  const [x, t] = checkPair('smoothL1Loss', input, target);
  const reduction = reductionOption('smoothL1Loss', opts.reduction);
  const beta = finiteNumber('smoothL1Loss', 'beta', opts.beta ?? 1, 0);
  return tf.tidy(() => {
    const d = tf.sub(x, t);
    // beta = 0 is |d|, but with PyTorch's smooth-L1 subgradient at a tie: -1 (its kernel tests
    // d <= -beta first), which is what tfjs's own `abs` gives; l1Loss gives 0 there, as torch's.
    if (beta === 0) return reduce(tf.abs(d), reduction);
    const a = absSignGrad(d);
    const quad = tf.div(tf.mul(tf.mul(d, d), 0.5), beta);
    return reduce(select(tf.sub(beta, a), quad, tf.sub(a, 0.5 * beta)), reduction);
  });
}

export interface HuberLossOptions extends RegressionLossOptions {
  /** Where the loss switches from quadratic to linear, > 0. Default 1. */
  delta?: number;
}

/**
 * Huber loss (Huber 1964), `torch.nn.functional.huber_loss`, with d = x - y:
 * l = 0.5 d^2 if |d| < delta, else delta (|d| - 0.5 delta). Equals delta * smoothL1(beta = delta).
 *
 * @example
 * huberLoss(tf.tensor1d([0.5, 3]), tf.tensor1d([0, 0]), { delta: 2, reduction: 'none' }); // [0.125, 4]
 */
export function huberLoss(
  input: tf.Tensor,
  target: tf.Tensor,
  opts: HuberLossOptions = {},
): tf.Tensor {
  const [x, t] = checkPair('huberLoss', input, target);
  const reduction = reductionOption('huberLoss', opts.reduction);
  const delta = finiteNumber('huberLoss', 'delta', opts.delta ?? 1, 0);
  if (delta === 0) fail('huberLoss', 'option delta', 'a number > 0', delta);
  return tf.tidy(() => {
    const d = tf.sub(x, t);
    const a = absSignGrad(d);
    const quad = tf.mul(tf.mul(d, d), 0.5);
    return reduce(select(tf.sub(delta, a), quad, tf.mul(tf.sub(a, 0.5 * delta), delta)), reduction);
  });
}

/** `torch.nn.MSELoss({ reduction })`; see `mseLoss`. */
export class MSELoss extends Module {
  readonly reduction: Reduction;
  constructor(opts: RegressionLossOptions = {}) {
    super();
    this.reduction = reductionOption('MSELoss', opts.reduction);
  }
  forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return mseLoss(input, target, this);
  }
  override extraRepr(): string {
    return `reduction='${this.reduction}'`;
  }
}

/** `torch.nn.L1Loss({ reduction })`; see `l1Loss`. */
export class L1Loss extends Module {
  readonly reduction: Reduction;
  constructor(opts: RegressionLossOptions = {}) {
    super();
    this.reduction = reductionOption('L1Loss', opts.reduction);
  }
  forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return l1Loss(input, target, this);
  }
  override extraRepr(): string {
    return `reduction='${this.reduction}'`;
  }
}

/** `torch.nn.SmoothL1Loss({ reduction, beta = 1 })`; see `smoothL1Loss`. */
export class SmoothL1Loss extends Module {
  readonly reduction: Reduction;
  readonly beta: number;
  constructor(opts: SmoothL1LossOptions = {}) {
    super();
    this.reduction = reductionOption('SmoothL1Loss', opts.reduction);
    this.beta = finiteNumber('SmoothL1Loss', 'beta', opts.beta ?? 1, 0);
  }
  forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return smoothL1Loss(input, target, this);
  }
  override extraRepr(): string {
    return `reduction='${this.reduction}', beta=${this.beta}`;
  }
}

/** `torch.nn.HuberLoss({ reduction, delta = 1 })`; see `huberLoss`. */
export class HuberLoss extends Module {
  readonly reduction: Reduction;
  readonly delta: number;
  constructor(opts: HuberLossOptions = {}) {
    super();
    this.reduction = reductionOption('HuberLoss', opts.reduction);
    this.delta = finiteNumber('HuberLoss', 'delta', opts.delta ?? 1, Number.MIN_VALUE);
  }
  forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return huberLoss(input, target, this);
  }
  override extraRepr(): string {
    return `reduction='${this.reduction}', delta=${this.delta}`;
  }
}
