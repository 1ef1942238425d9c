/**
 * LeCun initialization: LeCun, Bottou, Orr & Mueller 1998, "Efficient BackProp" (Neural
 * Networks: Tricks of the Trade), section 4.6; the init SELU networks need (Klambauer et al.
 * 2017, "Self-Normalizing Neural Networks"). PyTorch has no function for it; Keras names it
 * `lecun_uniform` / `lecun_normal`.
 *
 * Var[W] = 1 / fan_in: a sum of fan_in unit-variance inputs keeps unit variance.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { normal, uniform } from './basic.js';
import { type FanOptions, resolveFans } from './options.js';

/**
 * std = sqrt(1 / fan_in).
 *
 * @example
 * lecunStd([10, 100]); // 0.1
 */
export function lecunStd(shape: readonly number[], opts: FanOptions = {}): number {
  return Math.sqrt(1 / resolveFans(shape, opts).fanIn);
}

/**
 * bound = sqrt(3 / fan_in).
 *
 * @example
 * lecunUniformBound([10, 300]); // 0.1
 */
export function lecunUniformBound(shape: readonly number[], opts: FanOptions = {}): number {
  return Math.sqrt(3 / resolveFans(shape, opts).fanIn);
}

/**
 * LeCun 1998 (uniform): W ~ U(-sqrt(3 / fan_in), sqrt(3 / fan_in)) (Keras `lecun_uniform`).
 *
 * @example
 * lecunUniform([64, 32]); // Linear(32, 64), torch layout
 */
export function lecunUniform(shape: readonly number[], opts: FanOptions = {}): tf.Tensor {
  const bound = lecunUniformBound(shape, opts);
  return uniform(shape, { low: -bound, high: bound, generator: opts.generator });
}

/**
 * LeCun 1998 (normal): W ~ N(0, 1 / fan_in). Keras's `lecun_normal` instead draws a normal
 * truncated at 2 std and rescaled to the same variance: that is
 * `varianceScaling(shape, { scale: 1, mode: 'fan_in', distribution: 'truncated_normal' })`.
 *
 * @example
 * lecunNormal([3, 3, 16, 16], { layout: 'archzoo' }); // for a SELU conv net
 */
export function lecunNormal(shape: readonly number[], opts: FanOptions = {}): tf.Tensor {
  return normal(shape, { std: lecunStd(shape, opts), generator: opts.generator });
}
