/**
 * Keras's VarianceScaling, of which Glorot, He and LeCun are special cases:
 * Var[W] = scale / n with n = fan_in, fan_out or (fan_in + fan_out) / 2.
 *
 * | init | scale | mode |
 * |---|---|---|
 * | Glorot/Xavier | 1 | fan_avg |
 * | He/Kaiming (ReLU) | 2 | fan_in |
 * | LeCun | 1 | fan_in |
 */
import type * as tf from '@tensorflow/tfjs-core';
import { normal, truncatedNormal, uniform } from './basic.js';
import { truncatedNormalMoments } from './gaussian.js';
import { type FanOptions, resolveFans } from './options.js';

/** Options of `varianceScaling`, named as in Keras. */
export interface VarianceScalingOptions extends FanOptions {
  /** Default 1. */
  scale?: number;
  /** Default 'fan_in'. */
  mode?: 'fan_in' | 'fan_out' | 'fan_avg';
  /** Default 'truncated_normal' (Keras's default). */
  distribution?: 'truncated_normal' | 'untruncated_normal' | 'uniform';
}

/** Std of a standard normal truncated to [-2, 2]: 0.87962566103423978 (Keras's constant). */
const TRUNCATED_STD = Math.sqrt(truncatedNormalMoments(-2, 2).variance);

/**
 * Var[W] = scale / n, n = fan_in | fan_out | (fan_in + fan_out) / 2, drawn as
 * - 'uniform': U(-limit, limit), limit = sqrt(3 scale / n);
 * - 'untruncated_normal': N(0, scale / n);
 * - 'truncated_normal': N(0, s^2) truncated at +-2 s with s = sqrt(scale / n) / 0.87962566,
 *   so that the variance after truncation is scale / n.
 *
 * @example
 * varianceScaling([3, 3, 64, 64], { scale: 2, mode: 'fan_in', layout: 'archzoo' }); // He
 */
export function varianceScaling(
  shape: readonly number[],
  opts: VarianceScalingOptions = {},
): tf.Tensor {
  const { fanIn, fanOut } = resolveFans(shape, opts);
  const scale = opts.scale ?? 1;
  if (!(scale > 0)) throw new RangeError(`varianceScaling: scale expected > 0, got ${scale}`);
  const mode = opts.mode ?? 'fan_in';
  const n = mode === 'fan_in' ? fanIn : mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
  const variance = scale / Math.max(1, n);
  const generator = opts.generator;
  switch (opts.distribution ?? 'truncated_normal') {
    case 'uniform': {
      const limit = Math.sqrt(3 * variance);
      return uniform(shape, { low: -limit, high: limit, generator });
    }
    case 'untruncated_normal':
      return normal(shape, { std: Math.sqrt(variance), generator });
    case 'truncated_normal':
      return truncatedNormal(shape, {
        std: Math.sqrt(variance) / TRUNCATED_STD,
        bounds: 'std',
        generator,
      });
  }
}
