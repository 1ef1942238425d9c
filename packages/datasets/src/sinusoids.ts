import { fail, finiteNumber, nonNegativeInt } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { generatorFrom, type SeedOptions } from './random.js';

/** Options of `makeSinusoids`. */
export interface SinusoidsOptions extends SeedOptions {
  /** Number of (x, y) pairs. Default 200. */
  nSamples?: number;
  /** Frequencies f_k in cycles per unit of x. Default [1]. */
  frequencies?: readonly number[];
  /** Amplitudes a_k, one per frequency. Default: 1 for each. */
  amplitudes?: readonly number[];
  /** Phases phi_k in radians, one per frequency. Default: 0 for each. */
  phases?: readonly number[];
  /** x is drawn uniformly from `[low, high)`. Default [-1, 1]. */
  xRange?: readonly [number, number];
  /** Standard deviation of Gaussian noise added to y. Default 0. */
  noise?: number;
  /** Sort the samples by x (handy for plotting). Default false. */
  sorted?: boolean;
}

/**
 * A regression task: y = sum_k a_k sin(2 pi f_k x + phi_k) + N(0, noise^2), x ~ U(xRange).
 * x float32 `[N, 1]`, y float32 `[N, 1]`, owned by the caller.
 *
 * @example
 * const { x, y } = makeSinusoids({ nSamples: 256, frequencies: [1, 3], amplitudes: [1, 0.3], noise: 0.05 });
 */
export function makeSinusoids(opts: SinusoidsOptions = {}): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const where = 'makeSinusoids';
  const n = nonNegativeInt(where, 'nSamples', opts.nSamples ?? 200);
  const freqs = [...(opts.frequencies ?? [1])];
  const k = freqs.length;
  const amps = [...(opts.amplitudes ?? new Array<number>(k).fill(1))];
  const phases = [...(opts.phases ?? new Array<number>(k).fill(0))];
  if (k === 0) fail(where, 'option frequencies', 'at least one frequency', freqs);
  if (amps.length !== k) fail(where, 'option amplitudes', `${k} numbers (one per frequency)`, amps);
  if (phases.length !== k) fail(where, 'option phases', `${k} numbers (one per frequency)`, phases);
  freqs.forEach((f, i) => finiteNumber(where, `frequencies[${i}]`, f));
  amps.forEach((a, i) => finiteNumber(where, `amplitudes[${i}]`, a));
  phases.forEach((p, i) => finiteNumber(where, `phases[${i}]`, p));
  const [lo, hi] = opts.xRange ?? [-1, 1];
  finiteNumber(where, 'xRange[0]', lo);
  finiteNumber(where, 'xRange[1]', hi, lo);
  const noise = finiteNumber(where, 'noise', opts.noise ?? 0, 0);
  const g = generatorFrom(opts);

  const xs = Float64Array.from({ length: n }, () => lo + (hi - lo) * g.random());
  if (opts.sorted) xs.sort();
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let y = 0;
    for (let j = 0; j < k; j++)
      y += amps[j]! * Math.sin(2 * Math.PI * freqs[j]! * xs[i]! + phases[j]!);
    ys[i] = y + (noise > 0 ? noise * g.normal() : 0);
  }
  return { x: tf.tensor2d(Float32Array.from(xs), [n, 1]), y: tf.tensor2d(ys, [n, 1]) };
}
