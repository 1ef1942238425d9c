/**
 * Kaiming/He initialization: He, Zhang, Ren & Sun 2015, "Delving Deep into Rectifiers:
 * Surpassing Human-Level Performance on ImageNet Classification" (arXiv:1502.01852).
 *
 * A ReLU zeroes half of a symmetric pre-activation, halving its second moment; weights of
 * variance 2 / fan_in give it back, so Var[h_l] is the same at every depth. In general
 * std = gain / sqrt(fan) with gain from `calculateGain(nonlinearity, a)`.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { normal, uniform } from './basic.js';
import { calculateGain, type Nonlinearity } from './fans.js';
import { type FanOptions, resolveFans } from './options.js';

/** Options of the Kaiming initializers, named as in PyTorch. */
export interface KaimingOptions extends FanOptions {
  /** Negative slope of the rectifier after this layer (used by 'leaky_relu'). Default 0. */
  a?: number;
  /** Preserve the variance of the forward pass ('fan_in', default) or of the backward pass ('fan_out'). */
  mode?: 'fan_in' | 'fan_out';
  /** Nonlinearity whose gain scales the std. Default 'leaky_relu' (with a = 0 that is ReLU's sqrt(2)). */
  nonlinearity?: Nonlinearity;
}

/**
 * std = gain / sqrt(fan), fan = fan_in or fan_out by `mode`, gain = calculateGain(nonlinearity, a)
 * (computed in PyTorch's order of operations, so it equals torch's value bit for bit).
 *
 * @example
 * kaimingStd([256, 128]); // sqrt(2) / sqrt(128) = 0.125
 */
export function kaimingStd(shape: readonly number[], opts: KaimingOptions = {}): number {
  const { fanIn, fanOut } = resolveFans(shape, opts);
  const fan = (opts.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  return gain / Math.sqrt(fan);
}

/**
 * bound = sqrt(3) * std = gain * sqrt(3 / fan): U(-bound, bound) has variance gain^2 / fan.
 *
 * @example
 * kaimingUniformBound([256, 128]); // sqrt(6 / 128)
 */
export function kaimingUniformBound(shape: readonly number[], opts: KaimingOptions = {}): number {
  return Math.sqrt(3) * kaimingStd(shape, opts);
}

/**
 * He et al. 2015 (uniform): W ~ U(-bound, bound), bound = gain * sqrt(3 / fan)
 * (`torch.nn.init.kaiming_uniform_`). Shape: any, fans read in `opts.layout`.
 *
 * @example
 * kaimingUniform([3, 3, 64, 128], { layout: 'archzoo', nonlinearity: 'relu' }); // a Conv2d weight
 */
export function kaimingUniform(shape: readonly number[], opts: KaimingOptions = {}): tf.Tensor {
  const bound = kaimingUniformBound(shape, opts);
  return uniform(shape, { low: -bound, high: bound, generator: opts.generator });
}

/**
 * He et al. 2015 (normal): W ~ N(0, std^2), std = gain / sqrt(fan)
 * (`torch.nn.init.kaiming_normal_`).
 *
 * @example
 * kaimingNormal([512, 256], { mode: 'fan_out' }); // Linear(256, 512), torch layout
 */
export function kaimingNormal(shape: readonly number[], opts: KaimingOptions = {}): tf.Tensor {
  return normal(shape, { std: kaimingStd(shape, opts), generator: opts.generator });
}
