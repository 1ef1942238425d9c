import { fail, finiteNumber, nonNegativeInt, positiveInt } from '@archzoo/core';
import type * as tf from '@tensorflow/tfjs-core';
import { points } from './moons.js';
import { apportion, generatorFrom, permutation, type SeedOptions } from './random.js';

/** Options of `makeGaussianMixture`. */
export interface GaussianMixtureOptions extends SeedOptions {
  /** Total points. Default 300. */
  nSamples?: number;
  /**
   * Component means: a count (means drawn uniformly in `centerBox`^2) or explicit `[x, y]` pairs.
   * Default 3.
   */
  centers?: number | readonly (readonly [number, number])[];
  /** Standard deviation of each component (isotropic), one for all or one per component. Default 1. */
  std?: number | readonly number[];
  /** Mixture weights (any positive numbers; normalized). Default equal. */
  weights?: readonly number[];
  /** Box `[low, high]` the drawn centers lie in. Default [-10, 10] (as scikit-learn's make_blobs). */
  centerBox?: readonly [number, number];
  /** Shuffle the points (otherwise grouped by component). Default true. */
  shuffle?: boolean;
}

/** A 2-D Gaussian mixture sample: x float32 `[N, 2]`, y int32 `[N]` (component ids) and the means. */
export interface GaussianMixture {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
  /** The component means, `[K][2]`. */
  centers: [number, number][];
}

/**
 * Points from a mixture of isotropic 2-D Gaussians N(mu_k, std_k^2 I) (scikit-learn's
 * `make_blobs` with mixture weights). Component k gets its weight's share of nSamples exactly
 * (largest remainder), so class proportions are deterministic. x float32 `[N, 2]`, y int32 `[N]`.
 *
 * @example
 * const { x, y, centers } = makeGaussianMixture({ nSamples: 500, centers: 4, std: 0.5, seed: 2 });
 */
export function makeGaussianMixture(opts: GaussianMixtureOptions = {}): GaussianMixture {
  const where = 'makeGaussianMixture';
  const n = nonNegativeInt(where, 'nSamples', opts.nSamples ?? 300);
  const g = generatorFrom(opts);
  const spec = opts.centers ?? 3;
  let centers: [number, number][];
  if (typeof spec === 'number') {
    const k = positiveInt(where, 'centers', spec);
    const [lo, hi] = opts.centerBox ?? [-10, 10];
    finiteNumber(where, 'centerBox[0]', lo);
    finiteNumber(where, 'centerBox[1]', hi, lo);
    centers = Array.from({ length: k }, () => [
      lo + (hi - lo) * g.random(),
      lo + (hi - lo) * g.random(),
    ]);
  } else {
    if (!Array.isArray(spec) || spec.length === 0)
      fail(where, 'option centers', 'a positive integer or [x, y] pairs', spec);
    centers = spec.map((c, i) => {
      if (!Array.isArray(c) || c.length !== 2)
        fail(where, `option centers[${i}]`, 'an [x, y] pair', c);
      return [
        finiteNumber(where, `centers[${i}][0]`, c[0]),
        finiteNumber(where, `centers[${i}][1]`, c[1]),
      ];
    });
  }
  const k = centers.length;
  const stds =
    typeof opts.std === 'object' ? [...opts.std] : new Array<number>(k).fill(opts.std ?? 1);
  if (stds.length !== k) fail(where, 'option std', `a number or ${k} numbers`, opts.std);
  stds.forEach((s, i) => finiteNumber(where, `std[${i}]`, s, 0));
  const weights = opts.weights ? [...opts.weights] : new Array<number>(k).fill(1);
  if (weights.length !== k) fail(where, 'option weights', `${k} positive numbers`, opts.weights);
  weights.forEach((w, i) => {
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0)
      fail(where, `option weights[${i}]`, 'a positive number', w);
  });

  const counts = apportion(n, weights);
  const xs = new Float32Array(2 * n);
  const labels = new Int32Array(n);
  let at = 0;
  counts.forEach((count, c) => {
    const [mx, my] = centers[c]!;
    for (let i = 0; i < count; i++, at++) {
      xs[2 * at] = mx + stds[c]! * g.normal();
      xs[2 * at + 1] = my + stds[c]! * g.normal();
      labels[at] = c;
    }
  });
  return { ...points(xs, labels, 2, (opts.shuffle ?? true) ? permutation(n, g) : null), centers };
}
