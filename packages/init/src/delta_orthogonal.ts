/**
 * Delta-orthogonal initialization: Xiao, Bahri, Sohl-Dickstein, Schoenholz & Pennington 2018,
 * "Dynamical Isometry and a Mean Field Theory of CNNs: How to Train 10,000-Layer Vanilla
 * Convolutional Neural Networks" (ICML), Algorithm 2.
 *
 * The kernel is zero except at its spatial centre, where it holds an orthogonal matrix. With
 * c_out >= c_in the convolution is then an isometry of each pixel's channel vector, so the
 * input-output Jacobian of a deep linear (or critically initialized tanh) CNN has all its
 * singular values at (or near) 1: dynamical isometry.
 */
import * as tf from '@tensorflow/tfjs-core';
import { toTorchShape, type WeightLayout } from './fans.js';
import { weightIndex } from './identity.js';
import { type RandomOptions, sizeOf } from './options.js';
import { type OrthogonalMethod, randomOrthogonal } from './orthogonal.js';
import { defaultGenerator } from './random.js';

/** Options of `deltaOrthogonal`. */
export interface DeltaOrthogonalOptions extends RandomOptions {
  /** sigma_w: multiplies the orthogonal matrix (see `criticalTanhPoint`). Default 1. */
  gain?: number;
  /** Default 'torch': `[out, in/groups, ...k]`; 'archzoo': `[...k, in/groups, out]`. */
  layout?: WeightLayout;
  /** Each group gets its own (out/groups) x (in/groups) orthogonal block. Default 1. */
  groups?: number;
  /** See `OrthogonalMethod`. */
  method?: OrthogonalMethod;
}

/**
 * W[o, i, centre] = gain * H[o, i] with H an (out/groups) x (in/groups) Haar-orthogonal matrix
 * per group (orthonormal columns when out >= in: an isometry; orthonormal rows otherwise),
 * W = 0 at every other spatial position; centre = floor(k / 2) in every spatial dim.
 * Shapes: torch `[out, in/groups, ...k]`, archzoo `[...k, in/groups, out]` (1 to 3 spatial dims).
 *
 * @example
 * deltaOrthogonal([3, 3, 256, 256], { layout: 'archzoo', gain: 1.05 });
 */
export function deltaOrthogonal(
  shape: readonly number[],
  opts: DeltaOrthogonalOptions = {},
): tf.Tensor {
  const layout = opts.layout ?? 'torch';
  const groups = opts.groups ?? 1;
  const gain = opts.gain ?? 1;
  if (shape.length < 3 || shape.length > 5) {
    throw new RangeError(
      `deltaOrthogonal: expected a 3-5 dimensional conv weight, got [${shape.join(', ')}]`,
    );
  }
  const t = toTorchShape(shape, layout); // [out, in/groups, ...k]
  if (t[0]! % groups !== 0) {
    throw new RangeError(
      `deltaOrthogonal: out channels ${t[0]} expected divisible by groups ${groups}`,
    );
  }
  const outPerGroup = t[0]! / groups;
  const inPerGroup = t[1]!;
  const centre = t.slice(2).map((k) => Math.floor(k / 2));
  const g = opts.generator ?? defaultGenerator();
  const out = new Float32Array(sizeOf(shape));
  for (let gr = 0; gr < groups; gr++) {
    const h = randomOrthogonal(outPerGroup, inPerGroup, { generator: g, method: opts.method }); // [out/g, in/g]
    for (let o = 0; o < outPerGroup; o++) {
      for (let i = 0; i < inPerGroup; i++) {
        out[weightIndex(shape, layout, gr * outPerGroup + o, i, centre)] =
          gain * h[o * inPerGroup + i];
      }
    }
  }
  return tf.tensor(out, shape as number[], 'float32');
}
