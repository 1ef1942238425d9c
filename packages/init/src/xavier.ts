/**
 * Glorot/Xavier initialization: Glorot & Bengio 2010, "Understanding the difficulty of training
 * deep feedforward neural networks" (AISTATS).
 *
 * Var[W] = 2 / (fan_in + fan_out) is the compromise between keeping the forward variance
 * (1 / fan_in) and the backward variance (1 / fan_out), for units that are linear near 0 (tanh).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { normal, uniform } from './basic.js';
import { type FanOptions, resolveFans } from './options.js';

/** Options of the Xavier initializers. */
export interface XavierOptions extends FanOptions {
  /** Multiplies the std (`calculateGain('tanh')` for tanh nets, as PyTorch suggests). Default 1. */
  gain?: number;
}

/**
 * std = gain * sqrt(2 / (fan_in + fan_out)) (`torch.nn.init.xavier_normal_`, same float ops).
 *
 * @example
 * xavierStd([300, 100]); // sqrt(2 / 400)
 */
export function xavierStd(shape: readonly number[], opts: XavierOptions = {}): number {
  const { fanIn, fanOut } = resolveFans(shape, opts);
  return (opts.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
}

/**
 * a = gain * sqrt(6 / (fan_in + fan_out)), computed as PyTorch does: sqrt(3) * std.
 *
 * @example
 * xavierUniformBound([300, 100]); // sqrt(6 / 400)
 */
export function xavierUniformBound(shape: readonly number[], opts: XavierOptions = {}): number {
  return Math.sqrt(3) * xavierStd(shape, opts);
}

/**
 * Glorot & Bengio 2010 (uniform): W ~ U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))
 * (`torch.nn.init.xavier_uniform_`).
 *
 * @example
 * xavierUniform([128, 64], { gain: calculateGain('tanh') }); // Linear(64, 128), torch layout
 */
export function xavierUniform(shape: readonly number[], opts: XavierOptions = {}): tf.Tensor {
  const a = xavierUniformBound(shape, opts);
  return uniform(shape, { low: -a, high: a, generator: opts.generator });
}

/**
 * Glorot & Bengio 2010 (normal): W ~ N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))
 * (`torch.nn.init.xavier_normal_`).
 *
 * @example
 * xavierNormal([64, 128], { layout: 'archzoo' }); // archzoo Linear(64, 128)
 */
export function xavierNormal(shape: readonly number[], opts: XavierOptions = {}): tf.Tensor {
  return normal(shape, { std: xavierStd(shape, opts), generator: opts.generator });
}
