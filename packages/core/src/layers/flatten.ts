import * as tf from '@tensorflow/tfjs-core';
import { checkTensor, oneOf } from '../errors.js';
import { Module } from '../module.js';

/**
 * Flattens every axis after the batch axis: `[N, ...]` -> `[N, prod(...)]`.
 *
 * `order: 'torch'` (default) flattens a channels-last tensor `[N, ...spatial, C]` in PyTorch's
 * order (C first, then the spatial axes), exactly as `torch.flatten` does on the NCHW tensor, so a
 * Linear after Flatten loads a torch checkpoint unchanged. `order: 'native'` flattens the archzoo
 * tensor as it lies (no transpose; faster, but its Linear weights differ from torch's).
 */
export function flatten(x: tf.Tensor, order: 'torch' | 'native' = 'torch'): tf.Tensor2D {
  return tf.tidy(() => {
    const n = x.shape[0]!;
    if (order === 'native' || x.rank <= 2) return tf.reshape(x, [n, -1]) as tf.Tensor2D;
    const perm = [0, x.rank - 1, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 1)];
    return tf.reshape(tf.transpose(x, perm), [n, -1]) as tf.Tensor2D; // [N, C*H*W]
  });
}

/** `torch.nn.Flatten` for channels-last tensors; see `flatten` for `order`. */
export class Flatten extends Module {
  readonly order: 'torch' | 'native';
  constructor(opts: { order?: 'torch' | 'native' } = {}) {
    super();
    this.order = oneOf('Flatten', 'order', opts.order ?? 'torch', ['torch', 'native']);
  }
  forward(x: tf.Tensor): tf.Tensor2D {
    checkTensor('Flatten.forward', 'input', x, {
      rank: [1, 2, 3, 4, 5, 6],
      dtype: ['float32', 'int32', 'bool'],
    });
    return flatten(x, this.order);
  }
  override extraRepr(): string {
    return `order='${this.order}'`;
  }
}
