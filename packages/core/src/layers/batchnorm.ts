import * as tf from '@tensorflow/tfjs-core';
import { checkTensor, fail, finiteNumber, positiveInt } from '../errors.js';
import { buffer, Module, parameter } from '../module.js';

export interface BatchNormOptions {
  /** Channels C (the last axis: archzoo is channels-last). */
  numFeatures: number;
  /** Added to the variance for stability. Default 1e-5. */
  eps?: number;
  /**
   * Running-statistics update weight: r = (1 - momentum) r + momentum batchStat. `null` uses a
   * cumulative average (weight 1 / num_batches_tracked). Default 0.1 (PyTorch's).
   */
  momentum?: number | null;
  /** Learn weight (gamma, init 1) and bias (beta, init 0). Default true. */
  affine?: boolean;
  /** Keep running mean/variance for eval mode. Default true. */
  trackRunningStats?: boolean;
}

/**
 * Batch normalization (Ioffe & Szegedy 2015) over every axis but the last (channels).
 * Training: normalizes with the batch mean and biased variance and updates the running mean and
 * the running *unbiased* variance (n / (n - 1)), as PyTorch does. Eval: uses the running statistics.
 */
export abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  weight: tf.Variable | null;
  bias: tf.Variable | null;
  // Buffers are named as in PyTorch's state dict (a field's name is its state-dict key).
  running_mean: tf.Variable | null;
  running_var: tf.Variable | null;
  num_batches_tracked: tf.Variable | null;

  protected abstract readonly ranks: readonly number[];
  protected abstract readonly layout: string;

  constructor(opts: BatchNormOptions) {
    super();
    const n = this.typeName;
    this.numFeatures = positiveInt(n, 'numFeatures', opts.numFeatures);
    this.eps = finiteNumber(n, 'eps', opts.eps ?? 1e-5, 0);
    this.momentum =
      opts.momentum === null ? null : finiteNumber(n, 'momentum', opts.momentum ?? 0.1, 0, 1);
    const affine = opts.affine ?? true;
    const track = opts.trackRunningStats ?? true;
    const c = this.numFeatures;
    this.weight = affine ? parameter(tf.ones([c])) : null;
    this.bias = affine ? parameter(tf.zeros([c])) : null;
    this.running_mean = track ? buffer(tf.zeros([c])) : null;
    this.running_var = track ? buffer(tf.ones([c])) : null;
    this.num_batches_tracked = track ? buffer(tf.scalar(0, 'int32')) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkTensor(`${this.typeName}.forward`, 'input', x, {
      rank: this.ranks,
      layout: this.layout,
      dims: { [-1]: this.numFeatures },
      dimNames: { [-1]: 'channel dimension (last)' },
    });
    const useBatch = this.training || this.running_mean === null;
    const axes = [...Array(x.rank - 1).keys()];
    const count = x.size / this.numFeatures;
    if (this.training && count <= 1) {
      fail(
        `${this.typeName}.forward`,
        'input',
        'more than 1 value per channel in training',
        `shape [${x.shape.join(', ')}]`,
      );
    }
    return tf.tidy(() => {
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (useBatch) {
        const m = tf.moments(x, axes);
        mean = m.mean;
        variance = m.variance; // biased
        if (this.training && this.running_mean && this.running_var && this.num_batches_tracked) {
          this.updateRunningStats(mean, variance, count);
        }
      } else {
        mean = this.running_mean!;
        variance = this.running_var!;
      }
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      if (this.weight) y = tf.mul(y, this.weight);
      if (this.bias) y = tf.add(y, this.bias);
      return y;
    });
  }

  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const nbt = this.num_batches_tracked!;
    nbt.assign(tf.add(nbt, tf.scalar(1, 'int32')));
    // momentum null: cumulative average, weight 1 / num_batches_tracked (kept on device, no sync).
    const m: tf.Tensor | number =
      this.momentum === null ? tf.div(1, tf.cast(nbt, 'float32')) : this.momentum;
    const unbiased = tf.mul(variance, count / (count - 1));
    // r = (1 - m) r + m stat; no gradient flows into the buffers.
    this.running_mean!.assign(tf.add(tf.mul(tf.sub(1, m), this.running_mean!), tf.mul(m, mean)));
    this.running_var!.assign(tf.add(tf.mul(tf.sub(1, m), this.running_var!), tf.mul(m, unbiased)));
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.running_mean !== null}`;
  }
}

/** `torch.nn.BatchNorm1d`: input `[N, C]` or `[N, L, C]` (channels last). */
export class BatchNorm1d extends BatchNormBase {
  protected readonly ranks = [2, 3];
  protected readonly layout = '[N, C] or [N, L, C] (channels last)';
}

/** `torch.nn.BatchNorm2d`: input `[N, H, W, C]` (NHWC). */
export class BatchNorm2d extends BatchNormBase {
  protected readonly ranks = [4];
  protected readonly layout = '[N, H, W, C] (NHWC)';
}
