/**
 * Identity initializations: a Linear layer that copies its input (`eye`) and a convolution that
 * copies its input channels (`dirac`). Deep networks started at the identity propagate signals
 * unchanged: the idea behind "initialized to identity" blocks (Highway networks, Srivastava et
 * al. 2015; Le, Jaitly & Hinton 2015 for RNNs) and behind delta-orthogonal kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { toTorchShape, type WeightLayout } from './fans.js';
import { sizeOf } from './options.js';

/**
 * W_ij = 1 if i = j else 0, for a 2-D weight of any (rectangular) shape, as
 * `torch.nn.init.eye_`. The same in both layouts ([out, in] and [in, out] both have ones at (i, i)).
 *
 * @example
 * eye([2, 3]); // [[1, 0, 0], [0, 1, 0]]
 */
export function eye(shape: readonly number[]): tf.Tensor {
  if (shape.length !== 2)
    throw new RangeError(`eye: only 2-D shapes are supported, got [${shape.join(', ')}]`);
  const [r, c] = shape as [number, number];
  const out = new Float32Array(sizeOf(shape));
  for (let i = 0; i < Math.min(r, c); i++) out[i * c + i] = 1;
  return tf.tensor(out, [r, c], 'float32');
}

/**
 * Flat index of the PyTorch index [o, i, ...k] in a tensor of the given layout.
 * `shape` is the tensor's own shape; archzoo stores [...k, i, o] row-major.
 */
export function weightIndex(
  shape: readonly number[],
  layout: WeightLayout,
  o: number,
  i: number,
  k: readonly number[],
): number {
  const n = shape.length;
  const idx = layout === 'torch' ? [o, i, ...k] : [...k, i, o];
  let flat = 0;
  for (let d = 0; d < n; d++) flat = flat * shape[d]! + idx[d]!;
  return flat;
}

/**
 * Dirac delta for a ConvNd weight (`torch.nn.init.dirac_`): with out/groups output channels per
 * group, W[g * (out/groups) + d, d, centre] = 1 for d < min(out/groups, in/groups) and every
 * group g, zero elsewhere; centre = floor(k / 2) in every spatial dim. The convolution then
 * copies its input channels (zero-padded "same" convolution).
 * Shapes: torch `[out, in/groups, ...k]`, archzoo `[...k, in/groups, out]`, with 1 to 3 spatial dims.
 *
 * @example
 * dirac([3, 3, 16, 16], { layout: 'archzoo' }); // a 3x3 Conv2d(16, 16) computing the identity
 */
export function dirac(
  shape: readonly number[],
  opts: { groups?: number; layout?: WeightLayout } = {},
): tf.Tensor {
  const layout = opts.layout ?? 'torch';
  const groups = opts.groups ?? 1;
  if (shape.length < 3 || shape.length > 5) {
    throw new RangeError(
      `dirac: only 3, 4 or 5 dimensional shapes are supported, got [${shape.join(', ')}]`,
    );
  }
  const t = toTorchShape(shape, layout); // [out, in/groups, ...k]
  if (t[0]! % groups !== 0)
    throw new RangeError(`dirac: out channels ${t[0]} expected divisible by groups ${groups}`);
  const outPerGroup = t[0]! / groups;
  const minDim = Math.min(outPerGroup, t[1]!);
  const centre = t.slice(2).map((k) => Math.floor(k / 2));
  const out = new Float32Array(sizeOf(shape));
  for (let g = 0; g < groups; g++) {
    for (let d = 0; d < minDim; d++)
      out[weightIndex(shape, layout, g * outPerGroup + d, d, centre)] = 1;
  }
  return tf.tensor(out, shape as number[], 'float32');
}
