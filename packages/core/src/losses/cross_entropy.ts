import * as tf from '@tensorflow/tfjs-core';
import { checkTensor, fail, finiteNumber, shapeString } from '../errors.js';
import { Module } from '../module.js';
import { logSoftmaxLast, type Reduction, reductionOption } from './reduction.js';

// Class axis: archzoo is channels-last, so the classes are the LAST axis of the logits
// ([N, C] or [N, d1, ..., C]); PyTorch puts them on axis 1 ([N, C, d1, ...]). Index targets are
// [N, d1, ...] in both. A rank-1 input [C] is one unbatched sample with a scalar target.

export interface NllLossOptions {
  /** Rescaling weight per class, `[C]`. Default: all ones. */
  weight?: tf.Tensor | null;
  /** Target value that contributes neither loss nor gradient nor weight. Default -100 (PyTorch). */
  ignoreIndex?: number;
  /** Default `'mean'`: the weighted mean, sum_i w[y_i] l_i / sum_i w[y_i] over non-ignored i. */
  reduction?: Reduction;
  /**
   * Check that every index is in [0, C) or equals `ignoreIndex` (PyTorch raises on CPU too).
   * Reads the targets back from the device: free on cpu/wasm, one small transfer on webgl.
   * Default true.
   */
  validateTargets?: boolean;
}

export interface CrossEntropyOptions extends NllLossOptions {
  /**
   * Mixes the target with the uniform distribution (Szegedy et al. 2016):
   * q = (1 - eps) onehot(y) + eps / C. Default 0.
   */
  labelSmoothing?: number;
}

interface Resolved {
  weight: tf.Tensor | null;
  ignoreIndex: number;
  reduction: Reduction;
  labelSmoothing: number;
  validate: boolean;
}

function resolveOpts(where: string, opts: CrossEntropyOptions, C: number | null): Resolved {
  let weight: tf.Tensor | null = null;
  if (opts.weight != null) {
    weight = checkTensor(where, 'weight', opts.weight, { rank: 1, layout: '[C]' });
    if (C !== null && weight.shape[0] !== C) {
      fail(where, 'weight', `one value per class ([${C}])`, `shape ${shapeString(weight.shape)}`);
    }
  }
  const ignoreIndex = opts.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) fail(where, 'option ignoreIndex', 'an integer', ignoreIndex);
  return {
    weight,
    ignoreIndex,
    reduction: reductionOption(where, opts.reduction),
    labelSmoothing: finiteNumber(where, 'labelSmoothing', opts.labelSmoothing ?? 0, 0, 1),
    validate: opts.validateTargets ?? true,
  };
}

function resolve(where: string, input: unknown, opts: CrossEntropyOptions): [tf.Tensor, Resolved] {
  const x = checkTensor(where, 'input', input, { rank: [1, 2, 3, 4, 5, 6], layout: '[N, ..., C]' });
  return [x, resolveOpts(where, opts, x.shape[x.rank - 1]!)];
}

function checkIndexTarget(where: string, x: tf.Tensor, target: tf.Tensor, o: Resolved): void {
  const want = x.shape.slice(0, -1);
  if (shapeString(target.shape) !== shapeString(want)) {
    fail(
      where,
      'target',
      `class indices of shape ${shapeString(want)} (input ${shapeString(x.shape)} without its class axis)`,
      `shape ${shapeString(target.shape)}`,
    );
  }
  if (!o.validate) return;
  const C = x.shape[x.rank - 1]!;
  const idx = target.dataSync();
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i]!;
    if ((v < 0 || v >= C) && v !== o.ignoreIndex) {
      fail(
        where,
        'target',
        `class indices in [0, ${C - 1}] or ignoreIndex (${o.ignoreIndex})`,
        `${v} at flat position ${i}`,
      );
    }
  }
}

/**
 * Negative log-likelihood of index targets given log-probabilities `logp` `[M, C]`, with label
 * smoothing. Returns the per-sample loss `[M]` and the mean's denominator sum_i w[y_i].
 */
function nllCore(
  logp: tf.Tensor,
  target: tf.Tensor,
  o: Resolved,
): { loss: tf.Tensor; denom: tf.Tensor } {
  const C = logp.shape[logp.rank - 1]!;
  const valid = tf.notEqual(target, o.ignoreIndex); // [M] bool
  const safe = tf.where(valid, target, tf.zerosLike(target)); // ignored -> class 0, masked below
  const validF = tf.cast(valid, 'float32');
  const onehot = tf.cast(tf.oneHot(safe, C), 'float32'); // [M, C]
  const wy = o.weight ? tf.mul(tf.gather(o.weight, safe), validF) : validF; // [M]: w[y_i], 0 if ignored
  // l_i = -w[y_i] logp[i, y_i]
  let loss = tf.mul(tf.neg(tf.sum(tf.mul(logp, onehot), -1)), wy);
  if (o.labelSmoothing > 0) {
    // smooth_i = -sum_c w_c logp[i, c] (0 if ignored); l_i = (1 - eps) l_i + eps / C smooth_i
    const wlogp = o.weight ? tf.mul(logp, o.weight) : logp;
    const smooth = tf.mul(tf.neg(tf.sum(wlogp, -1)), validF);
    loss = tf.add(tf.mul(loss, 1 - o.labelSmoothing), tf.mul(smooth, o.labelSmoothing / C));
  }
  return { loss, denom: tf.sum(wy) };
}

function reduceWeighted(loss: tf.Tensor, denom: tf.Tensor, reduction: Reduction): tf.Tensor {
  if (reduction === 'none') return loss;
  const total = tf.sum(loss);
  if (reduction === 'sum') return total;
  // 0 / 0 must be NaN, as in PyTorch; webgl's division shader returns 1 when a == b, so the
  // all-ignored case is made explicit.
  return tf.where(tf.equal(denom, 0), tf.scalar(Number.NaN), tf.div(total, denom));
}

/** Runs `fn` on `[M, C]` / `[M]` views and gives 'none' results the batch shape back. */
function flatRun(
  x: tf.Tensor,
  target: tf.Tensor | null,
  o: Resolved,
  fn: (x2: tf.Tensor, t2: tf.Tensor | null) => tf.Tensor,
): tf.Tensor {
  return tf.tidy(() => {
    const C = x.shape[x.rank - 1]!;
    const batch = x.shape.slice(0, -1); // [N, ...]
    const x2 = tf.reshape(x, [-1, C]); // [M, C]
    const t2 =
      target === null
        ? null
        : target.dtype === 'int32'
          ? tf.reshape(target, [-1])
          : tf.reshape(target, [-1, C]);
    const out = fn(x2, t2);
    return o.reduction === 'none' ? tf.reshape(out, batch) : out;
  });
}

/**
 * Cross-entropy from unnormalized logits, `torch.nn.functional.cross_entropy`, class axis LAST.
 *
 * logp = logSoftmax(logits) (log-sum-exp, stable for logits of any magnitude).
 * - Index targets (int32 `[N, ...]`, values in [0, C) or `ignoreIndex`):
 *   l_i = -(1 - eps) w[y_i] logp[i, y_i] - (eps / C) sum_c w_c logp[i, c], and 0 where y_i is
 *   ignored; `'mean'` = sum_i l_i / sum_{i not ignored} w[y_i] (NaN if every target is ignored,
 *   as in PyTorch).
 * - Probability targets (float32, same shape as the logits): q = (1 - eps) t + eps / C,
 *   l_i = -sum_c w_c q[i, c] logp[i, c]; `'mean'` = sum_i l_i / M (M = numel / C, weights do not
 *   enter the denominator); `ignoreIndex` must stay negative (PyTorch refuses it too).
 *
 * Shapes: logits `[N, C]`, `[N, d1, ..., C]` or `[C]`; result `[]`, or the target's batch shape
 * `[N, d1, ...]` with `'none'`.
 *
 * @example
 * const loss = crossEntropy(tf.tensor2d([[2, 0, -1]]), tf.tensor1d([0], 'int32')); // 0.1698
 */
export function crossEntropy(
  logits: tf.Tensor,
  target: tf.Tensor,
  opts: CrossEntropyOptions = {},
): tf.Tensor {
  const where = 'crossEntropy';
  const [x, o] = resolve(where, logits, opts);
  const t = checkTensor(where, 'target', target, { dtype: ['int32', 'float32'] });
  const C = x.shape[x.rank - 1]!;
  if (t.dtype === 'int32') {
    checkIndexTarget(where, x, t, o);
    return flatRun(x, t, o, (x2, t2) => {
      const { loss, denom } = nllCore(logSoftmaxLast(x2), t2!, o);
      return reduceWeighted(loss, denom, o.reduction);
    });
  }
  if (shapeString(t.shape) !== shapeString(x.shape)) {
    fail(
      where,
      'target',
      `int32 class indices ${shapeString(x.shape.slice(0, -1))} or float32 probabilities ${shapeString(x.shape)}`,
      `${t.dtype} of shape ${shapeString(t.shape)}`,
    );
  }
  if (o.ignoreIndex >= 0) {
    fail(
      where,
      'option ignoreIndex',
      'a negative value (the default) with probability targets',
      o.ignoreIndex,
    );
  }
  return flatRun(x, t, o, (x2, t2) => {
    const logp = logSoftmaxLast(x2); // [M, C]
    let q = t2!;
    if (o.labelSmoothing > 0) q = tf.add(tf.mul(q, 1 - o.labelSmoothing), o.labelSmoothing / C);
    let prod = tf.mul(logp, q);
    if (o.weight) prod = tf.mul(prod, o.weight);
    const loss = tf.neg(tf.sum(prod, -1)); // [M]
    if (o.reduction === 'none') return loss;
    const total = tf.sum(loss);
    return o.reduction === 'sum' ? total : tf.div(total, loss.shape[0]!);
  });
}

/**
 * Negative log-likelihood, `torch.nn.functional.nll_loss`, class axis LAST: the input is
 * log-probabilities `[N, C]`, `[N, d1, ..., C]` or `[C]`, the target int32 class indices `[N, ...]`.
 *
 * l_i = -w[y_i] input[i, y_i] (0 where y_i = ignoreIndex);
 * `'mean'` = sum_i l_i / sum_{i not ignored} w[y_i].
 *
 * @example
 * const loss = nllLoss(tf.logSoftmax(logits), labels, { reduction: 'sum' });
 */
export function nllLoss(
  logProbs: tf.Tensor,
  target: tf.Tensor,
  opts: NllLossOptions = {},
): tf.Tensor {
  const where = 'nllLoss';
  const [x, o] = resolve(where, logProbs, { ...opts, labelSmoothing: 0 });
  const t = checkTensor(where, 'target', target, { dtype: 'int32' });
  checkIndexTarget(where, x, t, o);
  return flatRun(x, t, o, (x2, t2) => {
    const { loss, denom } = nllCore(x2, t2!, o);
    return reduceWeighted(loss, denom, o.reduction);
  });
}

/**
 * `torch.nn.CrossEntropyLoss`: a module holding the options of `crossEntropy` (class axis last).
 * `weight` is referenced, not copied or owned, and is not part of the state dict.
 *
 * @example
 * const criterion = new CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const loss = criterion.forward(logits, labels); // []
 */
export class CrossEntropyLoss extends Module {
  readonly opts: Readonly<CrossEntropyOptions>;
  constructor(opts: CrossEntropyOptions = {}) {
    super();
    resolveOpts('CrossEntropyLoss', opts, null);
    this.opts = { ...opts };
  }
  forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return crossEntropy(input, target, this.opts);
  }
  override extraRepr(): string {
    return `reduction='${this.opts.reduction ?? 'mean'}', labelSmoothing=${this.opts.labelSmoothing ?? 0}`;
  }
}

/** `torch.nn.NLLLoss`: a module holding the options of `nllLoss` (class axis last). */
export class NLLLoss extends Module {
  readonly opts: Readonly<NllLossOptions>;
  constructor(opts: NllLossOptions = {}) {
    super();
    resolveOpts('NLLLoss', opts, null);
    this.opts = { ...opts };
  }
  forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return nllLoss(input, target, this.opts);
  }
  override extraRepr(): string {
    return `reduction='${this.opts.reduction ?? 'mean'}'`;
  }
}
