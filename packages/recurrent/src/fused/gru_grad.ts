/** The gradient (backpropagation through time) of the fused GRU sequence op. */
import * as tf from '@tensorflow/tfjs-core';
import { GRU_SEQUENCE, GRU_SEQUENCE_GRAD } from './gru_kernels.js';
import { takeSaved } from './kernel_args.js';

/**
 * The gradient of `ArchzooGruSequence`: one backward kernel computes the gate gradients of all
 * steps, dh0 and the weight and bias gradients (eagerly, in the backward pass's scope, which frees
 * what no input asks for); dx = dA_x W_ih, one product, only when x needs it.
 */
export const gruSequenceGradConfig: tf.GradConfig = {
  kernelName: GRU_SEQUENCE,
  inputsToSave: ['x', 'wIh', 'wHh', 'mask'],
  gradFunc: (dys, saved, attrs) => {
    const [x, wIh, wHh, mask] = saved as tf.Tensor[];
    const [dy, dh] = dys as (tf.Tensor | null)[];
    const inputs: tf.NamedTensorMap = { x, wHh, mask } as tf.NamedTensorMap;
    if (dy) inputs.dy = dy;
    if (dh) inputs.dh = dh;
    const [dh0, dWih, dWhh, dbIh, dbHh] = tf
      .engine()
      .runKernel(GRU_SEQUENCE_GRAD, inputs, attrs) as tf.Tensor[]; // attrs: the saved activations
    // dA_x^T of all steps [3H, T * B]: a kernel's array, valid until its next call; tfjs calls
    // the functions below right after this one, and x's only when x needs a gradient
    const [dAxT] = takeSaved(GRU_SEQUENCE_GRAD, attrs, ['dAxT']);
    const [T, B, I] = x!.shape;
    const G = wIh!.shape[0]!;
    return {
      x: () =>
        tf.reshape(
          tf.matMul(tf.tensor2d(dAxT!, [G, T! * B!]), wIh!, true, false), // dA_x W_ih
          [T!, B!, I!],
        ),
      h0: () => dh0!,
      wIh: () => dWih!,
      wHh: () => dWhh!,
      bIh: () => dbIh!,
      bHh: () => dbHh!,
      mask: () => tf.zerosLike(mask!),
    };
  },
};
