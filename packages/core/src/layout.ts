import * as tf from '@tensorflow/tfjs-core';

/**
 * How a tensor held by archzoo maps to the tensor PyTorch's `state_dict()` holds.
 *
 * archzoo keeps weights in the layout its kernels want (NHWC convolutions: `[kh, kw, in, out]`;
 * Linear: `[in, out]` so the forward matMul needs no transpose). State dicts always speak
 * PyTorch's layout; a `TorchLayout` converts both ways.
 */
export interface TorchLayout {
  /** Short description, shown in summaries: e.g. 'permute(3,2,0,1)'. */
  readonly description: string;
  /** Internal tensor to PyTorch layout (a new tensor). */
  toTorch(t: tf.Tensor): tf.Tensor;
  /** PyTorch-layout tensor to internal layout (a new tensor). */
  fromTorch(t: tf.Tensor): tf.Tensor;
  /** The PyTorch shape of an internal shape. */
  torchShape(shape: readonly number[]): number[];
}

/** The layout whose PyTorch form is `transpose(internal, perm)`. */
export function permuteLayout(perm: readonly number[]): TorchLayout {
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inverse[p] = i;
  });
  return {
    description: `permute(${perm.join(',')})`,
    toTorch: (t) => tf.transpose(t, perm as number[]),
    fromTorch: (t) => tf.transpose(t, inverse),
    torchShape: (shape) => perm.map((p) => shape[p]!),
  };
}

/** Linear weight: internal `[in, out]`, PyTorch `[out, in]`. */
export const LINEAR_WEIGHT = permuteLayout([1, 0]);
/** Conv1d weight: internal `[k, in/groups, out]`, PyTorch `[out, in/groups, k]`. */
export const CONV1D_WEIGHT = permuteLayout([2, 1, 0]);
/**
 * Conv2d weight: internal `[kh, kw, in/groups, out]`, PyTorch `[out, in/groups, kh, kw]`.
 * ConvTranspose2d weight: internal `[kh, kw, out/groups, in]`, PyTorch `[in, out/groups, kh, kw]`
 * (the same permutation).
 */
export const CONV2D_WEIGHT = permuteLayout([3, 2, 0, 1]);
