import * as tf from '@tensorflow/tfjs-core';
import { checkTensor, fail, finiteNumber, positiveInt } from '../errors.js';
import { Module, parameter } from '../module.js';

/** (x - mean) / sqrt(var + eps) over the last `normalizedShape.length` axes, then weight and bias. */
export function layerNorm(
  x: tf.Tensor,
  normalizedShape: readonly number[],
  weight?: tf.Tensor | null,
  bias?: tf.Tensor | null,
  eps = 1e-5,
): tf.Tensor {
  return tf.tidy(() => {
    const axes = normalizedShape.map((_, i) => x.rank - normalizedShape.length + i);
    const { mean, variance } = tf.moments(x, axes, true);
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    if (weight) y = tf.mul(y, weight);
    if (bias) y = tf.add(y, bias);
    return y;
  });
}

export interface LayerNormOptions {
  /** Trailing shape to normalize over (a number means the last axis). */
  normalizedShape: number | number[];
  /** Default 1e-5. */
  eps?: number;
  /** Learn weight (init 1) and bias (init 0). Default true. */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, also learn the bias. Default true. */
  bias?: boolean;
}

/** `torch.nn.LayerNorm` (Ba et al. 2016). Input `[..., *normalizedShape]`, same output shape. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  weight: tf.Variable | null;
  bias: tf.Variable | null;

  constructor(opts: LayerNormOptions) {
    super();
    const shape =
      typeof opts.normalizedShape === 'number' ? [opts.normalizedShape] : opts.normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0)
      fail(
        'LayerNorm',
        'option normalizedShape',
        'a positive integer or a non-empty array of them',
        opts.normalizedShape,
      );
    this.normalizedShape = shape.map((d) => positiveInt('LayerNorm', 'normalizedShape', d));
    this.eps = finiteNumber('LayerNorm', 'eps', opts.eps ?? 1e-5, 0);
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? parameter(tf.ones(this.normalizedShape)) : null;
    this.bias = affine && (opts.bias ?? true) ? parameter(tf.zeros(this.normalizedShape)) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const k = this.normalizedShape.length;
    checkTensor('LayerNorm.forward', 'input', x);
    const tail = x.shape.slice(x.rank - k);
    if (x.rank < k || tail.join(',') !== this.normalizedShape.join(',')) {
      fail(
        'LayerNorm.forward',
        'input',
        `trailing shape [${this.normalizedShape.join(', ')}]`,
        `shape [${x.shape.join(', ')}]`,
      );
    }
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}

/**
 * Group normalization (Wu & He 2018) on channels-last input `[N, ..., C]`: channels split into
 * `numGroups` contiguous groups, each normalized over its channels and all spatial positions.
 */
export function groupNorm(
  x: tf.Tensor,
  numGroups: number,
  weight?: tf.Tensor | null,
  bias?: tf.Tensor | null,
  eps = 1e-5,
): tf.Tensor {
  return tf.tidy(() => {
    const c = x.shape[x.rank - 1]!;
    const n = x.shape[0]!;
    const xg = tf.reshape(x, [n, -1, numGroups, c / numGroups]); // [N, S, G, C/G]
    const { mean, variance } = tf.moments(xg, [1, 3], true);
    let y = tf.reshape(tf.mul(tf.sub(xg, mean), tf.rsqrt(tf.add(variance, eps))), x.shape);
    if (weight) y = tf.mul(y, weight);
    if (bias) y = tf.add(y, bias);
    return y;
  });
}

export interface GroupNormOptions {
  numGroups: number;
  /** Channels C (last axis); must divide by numGroups. */
  numChannels: number;
  /** Default 1e-5. */
  eps?: number;
  /** Learn per-channel weight (1) and bias (0). Default true. */
  affine?: boolean;
}

/** `torch.nn.GroupNorm` on channels-last input `[N, ..., C]`. */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  weight: tf.Variable | null;
  bias: tf.Variable | null;

  constructor(opts: GroupNormOptions) {
    super();
    this.numGroups = positiveInt('GroupNorm', 'numGroups', opts.numGroups);
    this.numChannels = positiveInt('GroupNorm', 'numChannels', opts.numChannels);
    if (this.numChannels % this.numGroups !== 0) {
      fail(
        'GroupNorm',
        'option numChannels',
        `a multiple of numGroups (${this.numGroups})`,
        this.numChannels,
      );
    }
    this.eps = finiteNumber('GroupNorm', 'eps', opts.eps ?? 1e-5, 0);
    const affine = opts.affine ?? true;
    this.weight = affine ? parameter(tf.ones([this.numChannels])) : null;
    this.bias = affine ? parameter(tf.zeros([this.numChannels])) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkTensor('GroupNorm.forward', 'input', x, {
      rank: [2, 3, 4, 5],
      layout: '[N, ..., C] (channels last)',
      dims: { [-1]: this.numChannels },
      dimNames: { [-1]: 'channel dimension (last)' },
    });
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.weight !== null}`;
  }
}
