import { finiteNumber, nonNegativeInt, positiveInt } from '@archzoo/core';
import { type Points2d, points } from './moons.js';
import { apportion, generatorFrom, permutation, type SeedOptions } from './random.js';

/** Options of `makeSpirals`. */
export interface SpiralsOptions extends SeedOptions {
  /** Total points, split as evenly as possible between the arms. Default 300. */
  nSamples?: number;
  /** Arms (= classes). Default 2. */
  nClasses?: number;
  /** Revolutions each arm makes from the centre to radius 1. Default 1. */
  turns?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate. Default 0. */
  noise?: number;
  /** Shuffle the points (otherwise grouped by class). Default true. */
  shuffle?: boolean;
}

/**
 * Interleaved spiral arms, one per class (the classic non-linearly-separable toy problem, e.g.
 * CS231n's spiral data). Point i of the n_k points of arm k has radius r = i / (n_k - 1) and
 * angle theta = 2 pi (k / nClasses + turns r); x = r (cos theta, sin theta) + N(0, noise^2 I).
 * x float32 `[N, 2]`, y int32 `[N]` in [0, nClasses).
 *
 * @example
 * const { x, y } = makeSpirals({ nSamples: 300, nClasses: 3, noise: 0.05, seed: 1 });
 */
export function makeSpirals(opts: SpiralsOptions = {}): Points2d {
  const n = nonNegativeInt('makeSpirals', 'nSamples', opts.nSamples ?? 300);
  const k = positiveInt('makeSpirals', 'nClasses', opts.nClasses ?? 2);
  const turns = finiteNumber('makeSpirals', 'turns', opts.turns ?? 1);
  const noise = finiteNumber('makeSpirals', 'noise', opts.noise ?? 0, 0);
  const g = generatorFrom(opts);
  const counts = apportion(n, new Array<number>(k).fill(1));
  const xs = new Float32Array(2 * n);
  const labels = new Int32Array(n);
  let at = 0;
  counts.forEach((count, c) => {
    for (let i = 0; i < count; i++, at++) {
      const r = count === 1 ? 0 : i / (count - 1);
      const theta = 2 * Math.PI * (c / k + turns * r);
      xs[2 * at] = r * Math.cos(theta) + (noise > 0 ? noise * g.normal() : 0);
      xs[2 * at + 1] = r * Math.sin(theta) + (noise > 0 ? noise * g.normal() : 0);
      labels[at] = c;
    }
  });
  return points(xs, labels, 2, (opts.shuffle ?? true) ? permutation(n, g) : null);
}
