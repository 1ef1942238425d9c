import * as tf from '@tensorflow/tfjs-core';
import { oneOf } from '../errors.js';
import { Module } from '../module.js';
import { checkPair, type Reduction } from './reduction.js';

/** KL divergence's reductions: PyTorch's plus `'batchmean'` (sum / N, the true KL per sample). */
export type KlDivReduction = Reduction | 'batchmean';

export interface KlDivOptions {
  /**
   * Default `'mean'` (PyTorch's default, the mean over every element, which is NOT the KL
   * divergence; `'batchmean'` divides the sum by the batch size N = shape[0] instead).
   */
  reduction?: KlDivReduction;
  /** The target is given as log-probabilities. Default false. */
  logTarget?: boolean;
}

/**
 * Kullback-Leibler divergence, `torch.nn.functional.kl_div`. As in PyTorch the INPUT is
 * log-probabilities log q and the target is probabilities p (or log p with `logTarget`):
 *
 * l = p (log p - log q), with 0 where p = 0 (xlogy); with `logTarget`: l = exp(t) (t - log q).
 *
 * Element-wise, so any shape works (the class axis can be anywhere); input and target must have
 * the same shape. Result `[]`, or the input's shape with `'none'`.
 *
 * @example
 * const kl = klDiv(tf.logSoftmax(logits), targetProbs, { reduction: 'batchmean' });
 */
export function klDiv(input: tf.Tensor, target: tf.Tensor, opts: KlDivOptions = {}): tf.Tensor {
  const where = 'klDiv';
  const [x, t] = checkPair(where, input, target);
  const reduction = oneOf(where, 'reduction', opts.reduction ?? 'mean', [
    'none',
    'mean',
    'sum',
    'batchmean',
  ]);
  return tf.tidy(() => {
    let l: tf.Tensor;
    if (opts.logTarget) {
      l = tf.mul(tf.exp(t), tf.sub(t, x));
    } else {
      // xlogy(p, p) = p log p, and 0 where p = 0 (log of 1 there keeps any gradient finite)
      const positive = tf.greater(t, 0);
      const plogp = tf.where(
        positive,
        tf.mul(t, tf.log(tf.where(positive, t, tf.onesLike(t)))),
        tf.zerosLike(t),
      );
      l = tf.sub(plogp, tf.mul(t, x));
    }
    if (reduction === 'none') return l;
    if (reduction === 'sum') return tf.sum(l);
    if (reduction === 'mean') return tf.mean(l);
    return tf.div(tf.sum(l), x.rank === 0 ? 1 : x.shape[0]!);
  });
}

/** `torch.nn.KLDivLoss({ reduction, logTarget })`; see `klDiv`. */
export class KLDivLoss extends Module {
  readonly reduction: KlDivReduction;
  readonly logTarget: boolean;
  constructor(opts: KlDivOptions = {}) {
    super();
    this.reduction = oneOf('KLDivLoss', 'reduction', opts.reduction ?? 'mean', [
      'none',
      'mean',
      'sum',
      'batchmean',
    ]);
    this.logTarget = opts.logTarget ?? false;
  }
  forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return klDiv(input, target, this);
  }
  override extraRepr(): string {
    return `reduction='${this.reduction}', logTarget=${this.logTarget}`;
  }
}
