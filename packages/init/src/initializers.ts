import * as tf from '@tensorflow/tfjs-core';
import { calculateFanInAndFanOut, calculateGain, type Nonlinearity } from './fans.js';
import { defaultGenerator, type Generator } from './random.js';

/** Options shared by every random initializer. */
export interface RandomOptions {
  /** Source of randomness; default: the global generator (see `manualSeed`). */
  generator?: Generator;
}

/** Options for the fan-based initializers (Kaiming/He, Glorot/Xavier). */
export interface FanOptions extends RandomOptions {
  /**
   * Fans to use. Default: computed from `shape` read as a PyTorch-layout weight
   * (`calculateFanInAndFanOut`). Pass them when the tensor is in another layout.
   */
  fanIn?: number;
  fanOut?: number;
}

function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`init: shape expected non-negative integers, got [${shape.join(', ')}]`);
    }
    n *= d;
  }
  return n;
}

function fans(shape: readonly number[], opts: FanOptions): { fanIn: number; fanOut: number } {
  if (opts.fanIn !== undefined && opts.fanOut !== undefined) {
    return { fanIn: opts.fanIn, fanOut: opts.fanOut };
  }
  const f = calculateFanInAndFanOut(shape);
  return { fanIn: opts.fanIn ?? f.fanIn, fanOut: opts.fanOut ?? f.fanOut };
}

/** Float32 values drawn from U(low, high). */
export function uniformValues(n: number, low: number, high: number, g: Generator): Float32Array {
  const out = new Float32Array(n);
  const width = high - low;
  for (let i = 0; i < n; i++) out[i] = low + width * g.random();
  return out;
}

/** Float32 values drawn from N(mean, std^2). */
export function normalValues(n: number, mean: number, std: number, g: Generator): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + std * g.normal();
  return out;
}

/** All zeros. */
export function zeros(shape: readonly number[]): tf.Tensor {
  return tf.zeros(shape as number[]);
}

/** All ones. */
export function ones(shape: readonly number[]): tf.Tensor {
  return tf.ones(shape as number[]);
}

/** Every entry equal to `value`. */
export function constant(shape: readonly number[], value: number): tf.Tensor {
  return tf.fill(shape as number[], value);
}

/** W ~ U(low, high). Defaults: low = 0, high = 1 (as `torch.nn.init.uniform_`). */
export function uniform(
  shape: readonly number[],
  opts: RandomOptions & { low?: number; high?: number } = {},
): tf.Tensor {
  const low = opts.low ?? 0;
  const high = opts.high ?? 1;
  if (!(high >= low)) {
    throw new RangeError(`uniform: expected low <= high, got low=${low}, high=${high}`);
  }
  const g = opts.generator ?? defaultGenerator();
  return tf.tensor(uniformValues(size(shape), low, high, g), shape as number[], 'float32');
}

/** W ~ N(mean, std^2). Defaults: mean = 0, std = 1 (as `torch.nn.init.normal_`). */
export function normal(
  shape: readonly number[],
  opts: RandomOptions & { mean?: number; std?: number } = {},
): tf.Tensor {
  const mean = opts.mean ?? 0;
  const std = opts.std ?? 1;
  if (!(std >= 0)) throw new RangeError(`normal: std expected >= 0, got ${std}`);
  const g = opts.generator ?? defaultGenerator();
  return tf.tensor(normalValues(size(shape), mean, std, g), shape as number[], 'float32');
}

/** Options of the Kaiming (He et al. 2015) initializers, named as in PyTorch. */
export interface KaimingOptions extends FanOptions {
  /** Negative slope of the rectifier after this layer (only for 'leaky_relu'). Default 0. */
  a?: number;
  /** Preserve the variance of the forward pass ('fan_in', default) or of the backward pass ('fan_out'). */
  mode?: 'fan_in' | 'fan_out';
  /** Nonlinearity whose gain scales the std. Default 'leaky_relu' (with a = 0 that is ReLU's sqrt(2)). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(shape: readonly number[], opts: KaimingOptions): number {
  const { fanIn, fanOut } = fans(shape, opts);
  const fan = (opts.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  // std = gain / sqrt(fan)
  return gain / Math.sqrt(fan);
}

/**
 * He et al. 2015, "Delving Deep into Rectifiers": W ~ U(-bound, bound) with
 * bound = gain * sqrt(3 / fan), gain from `calculateGain(nonlinearity, a)`.
 */
export function kaimingUniform(shape: readonly number[], opts: KaimingOptions = {}): tf.Tensor {
  const bound = Math.sqrt(3) * kaimingStd(shape, opts);
  return uniform(shape, { low: -bound, high: bound, generator: opts.generator });
}

/** He et al. 2015: W ~ N(0, std^2) with std = gain / sqrt(fan). */
export function kaimingNormal(shape: readonly number[], opts: KaimingOptions = {}): tf.Tensor {
  return normal(shape, { std: kaimingStd(shape, opts), generator: opts.generator });
}

/**
 * Glorot & Bengio 2010: W ~ U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).
 */
export function xavierUniform(
  shape: readonly number[],
  opts: FanOptions & { gain?: number } = {},
): tf.Tensor {
  const { fanIn, fanOut } = fans(shape, opts);
  const a = (opts.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(shape, { low: -a, high: a, generator: opts.generator });
}

/** Glorot & Bengio 2010: W ~ N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)). */
export function xavierNormal(
  shape: readonly number[],
  opts: FanOptions & { gain?: number } = {},
): tf.Tensor {
  const { fanIn, fanOut } = fans(shape, opts);
  const std = (opts.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  return normal(shape, { std, generator: opts.generator });
}

/**
 * PyTorch's default for Linear and ConvNd weights and biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 * (In torch this is written `kaiming_uniform_(w, a=sqrt(5))`, which works out to the same bound:
 * gain = sqrt(2 / (1 + 5)) = sqrt(1/3), bound = gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in).)
 */
export function torchDefaultUniform(
  shape: readonly number[],
  fanIn: number,
  opts: RandomOptions = {},
): tf.Tensor {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform(shape, { low: -bound, high: bound, generator: opts.generator });
}
