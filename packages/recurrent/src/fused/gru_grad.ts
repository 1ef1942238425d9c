/** The gradient (backpropagation through time) of the fused GRU sequence op. */
import * as tf from '@tensorflow/tfjs-core';
import { GRU_SEQUENCE, GRU_SEQUENCE_GRAD } from './gru_kernels.js';

/**
 * The gradient of `ArchzooGruSequence`: one backward kernel computes the gate gradients of all
 * steps, dh0 and the weight and bias gradients (eagerly, in the backward pass's scope, which frees
 * what no input asks for); dx = dA_x W_ih, one product, only when x needs it.
 */
export const gruSequenceGradConfig: tf.GradConfig = {
  kernelName: GRU_SEQUENCE,
  inputsToSave: ['x', 'wIh', 'wHh', 'mask'],
  outputsToSave: [false, false, true, true, true],
  gradFunc: (dys, saved) => {
    const [x, wIh, wHh, mask, gates, hpn, hPrev] = saved as tf.Tensor[];
    const [dy, dh] = dys as (tf.Tensor | null)[];
    const inputs: tf.NamedTensorMap = { gates, hpn, hPrev, x, wHh, mask } as tf.NamedTensorMap;
    if (dy) inputs.dy = dy;
    if (dh) inputs.dh = dh;
    const [dAxT, dh0, dWih, dWhh, dbIh, dbHh] = tf
      .engine()
      .runKernel(GRU_SEQUENCE_GRAD, inputs, {}) as tf.Tensor[];
    const [T, B, I] = x!.shape;
    return {
      x: () => tf.reshape(tf.matMul(dAxT!, wIh!, true, false), [T!, B!, I!]), // dA_x W_ih
      h0: () => dh0!,
      wIh: () => dWih!,
      wHh: () => dWhh!,
      bIh: () => dbIh!,
      bHh: () => dbHh!,
      mask: () => tf.zerosLike(mask!),
    };
  },
};
