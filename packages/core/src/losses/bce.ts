import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';
import {
  checkBroadcastWeight,
  checkPair,
  type Reduction,
  reduce,
  reductionOption,
} from './reduction.js';

export interface BceWithLogitsOptions {
  /** Rescaling weight per element, broadcastable to the input's shape. Default none. */
  weight?: tf.Tensor | null;
  /**
   * Weight of the positive term, broadcastable to the input's shape; a `[C]` vector weights
   * each class of a channels-last `[N, ..., C]` input. Default none (1).
   */
  posWeight?: tf.Tensor | null;
  /** Default `'mean'` (over every element; `weight` does not enter the denominator). */
  reduction?: Reduction;
}

/**
 * Binary cross-entropy on logits, `torch.nn.functional.binary_cross_entropy_with_logits`:
 *
 * l = -w [p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))]
 *   = w [(1 - y) x + (1 + (p - 1) y) softplus(-x)]   (w = weight, p = posWeight),
 * with a stable softplus (finite for x = +-1e4). Its gradient is PyTorch's closed form
 * dl/dx = w [(p y + 1 - y) sigmoid(x) - p y].
 *
 * Shapes: input and target equal, any shape; result `[]`, or that shape with `'none'`.
 *
 * @example
 * bceWithLogits(tf.tensor1d([0]), tf.tensor1d([1])); // log 2 = 0.6931
 */
export function bceWithLogits(
  input: tf.Tensor,
  target: tf.Tensor,
  opts: BceWithLogitsOptions = {},
): tf.Tensor {
  const where = 'bceWithLogits';
  const [x, t] = checkPair(where, input, target);
  const reduction = reductionOption(where, opts.reduction);
  const w = checkBroadcastWeight(where, 'weight', opts.weight, x.shape);
  const p = checkBroadcastWeight(where, 'posWeight', opts.posWeight, x.shape);
  return tf.tidy(() => {
    // softplus(-x) = log(1 + exp(-x)): tfjs's kernel is stable and its gradient is -sigmoid(-x),
    // which makes the whole gradient PyTorch's closed form above, exact at x = 0 too.
    const sp = tf.softplus(tf.neg(x));
    const logWeight = p ? tf.add(tf.mul(tf.sub(p, 1), t), 1) : null; // 1 + (p - 1) y
    let l = tf.add(tf.mul(tf.sub(1, t), x), logWeight ? tf.mul(logWeight, sp) : sp);
    if (w) l = tf.mul(l, w);
    return reduce(l, reduction);
  });
}

/**
 * `torch.nn.BCEWithLogitsLoss({ weight, posWeight, reduction })`; see `bceWithLogits`.
 * The weight tensors are referenced, not copied or owned, and are not part of the state dict.
 *
 * @example
 * const criterion = new BCEWithLogitsLoss({ posWeight: tf.tensor1d([3, 1]) });
 * const loss = criterion.forward(logits, labels); // logits, labels [N, 2]
 */
export class BCEWithLogitsLoss extends Module {
  readonly opts: Readonly<BceWithLogitsOptions>;
  constructor(opts: BceWithLogitsOptions = {}) {
    super();
    reductionOption('BCEWithLogitsLoss', opts.reduction);
    this.opts = { ...opts };
  }
  forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return bceWithLogits(input, target, this.opts);
  }
  override extraRepr(): string {
    return `reduction='${this.opts.reduction ?? 'mean'}'`;
  }
}
