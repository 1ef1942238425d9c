/**
 * The distribution-only initializers: constants, uniform, normal, truncated normal.
 */
import * as tf from '@tensorflow/tfjs-core';
import { normalCdf, normalQuantile } from './gaussian.js';
import { type RandomOptions, sizeOf } from './options.js';
import { defaultGenerator, type Generator } from './random.js';

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

/**
 * All zeros (`torch.nn.init.zeros_`).
 *
 * @example
 * zeros([2, 3]); // [[0, 0, 0], [0, 0, 0]]
 */
export function zeros(shape: readonly number[]): tf.Tensor {
  return tf.zeros(shape as number[]);
}

/**
 * All ones (`torch.nn.init.ones_`).
 *
 * @example
 * ones([2]); // [1, 1]
 */
export function ones(shape: readonly number[]): tf.Tensor {
  return tf.ones(shape as number[]);
}

/**
 * Every entry equal to `value` (`torch.nn.init.constant_`).
 *
 * @example
 * constant([2], 0.1); // [0.1, 0.1]
 */
export function constant(shape: readonly number[], value: number): tf.Tensor {
  return tf.fill(shape as number[], value);
}

/**
 * W ~ U(low, high): mean (low + high) / 2, variance (high - low)^2 / 12.
 * Defaults low = 0, high = 1 (as `torch.nn.init.uniform_`).
 *
 * @example
 * uniform([3, 4], { low: -0.1, high: 0.1, generator: new Generator(0) });
 */
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
  return tf.tensor(uniformValues(sizeOf(shape), low, high, g), shape as number[], 'float32');
}

/**
 * W ~ N(mean, std^2). Defaults mean = 0, std = 1 (as `torch.nn.init.normal_`).
 *
 * @example
 * normal([3, 4], { std: 0.02, generator: new Generator(0) });
 */
export function normal(
  shape: readonly number[],
  opts: RandomOptions & { mean?: number; std?: number } = {},
): tf.Tensor {
  const mean = opts.mean ?? 0;
  const std = opts.std ?? 1;
  if (!(std >= 0)) throw new RangeError(`normal: std expected >= 0, got ${std}`);
  const g = opts.generator ?? defaultGenerator();
  return tf.tensor(normalValues(sizeOf(shape), mean, std, g), shape as number[], 'float32');
}

/** Options of `truncatedNormal`. */
export interface TruncatedNormalOptions extends RandomOptions {
  /** Mean of the normal before truncation. Default 0. */
  mean?: number;
  /** Standard deviation of the normal before truncation. Default 1. */
  std?: number;
  /** Lower bound. Default -2. Read according to `bounds`. */
  a?: number;
  /** Upper bound. Default 2. Read according to `bounds`. */
  b?: number;
  /**
   * How `a` and `b` are read:
   * - 'absolute' (default, PyTorch's `trunc_normal_`): the values lie in [a, b].
   *   Beware: `std: 0.02` with the default a = -2, b = 2 truncates at 100 standard deviations,
   *   that is not at all.
   * - 'std' (TensorFlow's `truncated_normal`, Keras's TruncatedNormal): the values lie in
   *   [mean + a * std, mean + b * std]; TF's fixed choice is a = -2, b = 2.
   */
  bounds?: 'absolute' | 'std';
}

/**
 * W ~ N(mean, std^2) conditioned on W in [lo, hi] (resampled, not clipped), where
 * [lo, hi] = [a, b] for `bounds: 'absolute'` (PyTorch) or [mean + a std, mean + b std] for
 * `bounds: 'std'` (TensorFlow). Sampled by inversion as PyTorch does:
 * W = mean + std * Phi^{-1}(U(Phi(alpha), Phi(beta))), alpha = (lo - mean) / std,
 * beta = (hi - mean) / std, then clamped to [lo, hi] against rounding.
 * The variance after truncation is smaller than std^2: for [-2, 2] std it is (0.87962566 std)^2
 * (see `truncatedNormalMoments`).
 *
 * @example
 * truncatedNormal([768, 768], { std: 0.02, a: -0.04, b: 0.04 }); // PyTorch ViT-style, absolute bounds
 * truncatedNormal([768, 768], { std: 0.02, bounds: 'std' });      // TF-style, at +-2 std
 */
export function truncatedNormal(
  shape: readonly number[],
  opts: TruncatedNormalOptions = {},
): tf.Tensor {
  const mean = opts.mean ?? 0;
  const std = opts.std ?? 1;
  const a = opts.a ?? -2;
  const b = opts.b ?? 2;
  if (!(std > 0)) throw new RangeError(`truncatedNormal: std expected > 0, got ${std}`);
  if (!(a < b)) throw new RangeError(`truncatedNormal: expected a < b, got a=${a}, b=${b}`);
  const lo = opts.bounds === 'std' ? mean + a * std : a;
  const hi = opts.bounds === 'std' ? mean + b * std : b;
  let alpha = (lo - mean) / std;
  let beta = (hi - mean) / std;
  // Sample the mirrored interval when it lies above the mean, where Phi loses precision.
  const flip = alpha > 0;
  if (flip) [alpha, beta] = [-beta, -alpha];
  const pLo = normalCdf(alpha);
  const pHi = normalCdf(beta);
  if (!(pHi > pLo)) {
    throw new RangeError(`truncatedNormal: [${lo}, ${hi}] has no mass under N(${mean}, ${std}^2)`);
  }
  const g = opts.generator ?? defaultGenerator();
  const n = sizeOf(shape);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const z = normalQuantile(pLo + (pHi - pLo) * g.random());
    const w = mean + std * (flip ? -z : z);
    out[i] = Math.min(Math.max(w, lo), hi);
  }
  return tf.tensor(out, shape as number[], 'float32');
}
