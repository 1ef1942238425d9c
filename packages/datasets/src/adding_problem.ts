import { fail, nonNegativeInt, positiveInt } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { generatorFrom, type SeedOptions } from './random.js';

/** Options of `makeAddingProblem`. */
export interface AddingProblemOptions extends SeedOptions {
  /** Number of sequences. Default 128. */
  nSamples?: number;
  /** Sequence length T (>= 2). Default 50. */
  seqLength?: number;
}

/**
 * The adding problem (Hochreiter & Schmidhuber 1997, experiment 4; in the form used by Le, Jaitly
 * & Hinton 2015 and Arjovsky et al. 2016): each step is a pair (value, marker) with value ~ U(0, 1);
 * exactly two markers are 1, one at a uniform position in the first half [0, floor(T/2)) and one
 * in the second half [floor(T/2), T). The target is the sum of the two marked values.
 * x float32 `[N, T, 2]` (channel 0 values, channel 1 markers), y float32 `[N, 1]`. Predicting 1
 * always gives mean squared error 1/6, the baseline to beat.
 *
 * @example
 * const { x, y } = makeAddingProblem({ nSamples: 256, seqLength: 100, seed: 0 }); // [256, 100, 2], [256, 1]
 */
export function makeAddingProblem(opts: AddingProblemOptions = {}): {
  x: tf.Tensor3D;
  y: tf.Tensor2D;
} {
  const where = 'makeAddingProblem';
  const n = nonNegativeInt(where, 'nSamples', opts.nSamples ?? 128);
  const t = positiveInt(where, 'seqLength', opts.seqLength ?? 50);
  if (t < 2) fail(where, 'option seqLength', 'at least 2 (one marker per half)', t);
  const g = generatorFrom(opts);
  const half = Math.floor(t / 2);
  const x = new Float32Array(n * t * 2); // [N, T, 2]
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < t; s++) x[(i * t + s) * 2] = g.random();
    const a = g.randint(half);
    const b = half + g.randint(t - half);
    x[(i * t + a) * 2 + 1] = 1;
    x[(i * t + b) * 2 + 1] = 1;
    y[i] = x[(i * t + a) * 2]! + x[(i * t + b) * 2]!;
  }
  return { x: tf.tensor3d(x, [n, t, 2]), y: tf.tensor2d(y, [n, 1]) };
}
