/** The gradient (backpropagation through time) of the fused LSTM sequence op. */
import * as tf from '@tensorflow/tfjs-core';
import { takeSaved } from './kernel_args.js';
import { LSTM_SEQUENCE, LSTM_SEQUENCE_GRAD } from './lstm_kernels.js';

/**
 * The gradient of `ArchzooLstmSequence`: one backward kernel computes the gate gradients of all
 * steps, dh0, dc0 and the weight and bias gradients (eagerly, in the backward pass's scope, which
 * frees what no input asks for); dx = dA W_ih, one product, only when x needs it.
 */
export const lstmSequenceGradConfig: tf.GradConfig = {
  kernelName: LSTM_SEQUENCE,
  inputsToSave: ['x', 'wIh', 'wHh', 'mask'],
  gradFunc: (dys, saved, attrs) => {
    const [x, wIh, wHh, mask] = saved as tf.Tensor[];
    const [dy, dh, dc] = dys as (tf.Tensor | null)[];
    const inputs: tf.NamedTensorMap = { x, wHh, mask } as tf.NamedTensorMap;
    if (dy) inputs.dy = dy;
    if (dh) inputs.dh = dh;
    if (dc) inputs.dc = dc;
    const [dh0, dc0, dWih, dWhh, db] = tf
      .engine()
      .runKernel(LSTM_SEQUENCE_GRAD, inputs, attrs) as tf.Tensor[]; // attrs: the saved activations
    // dA^T of all steps [4H, T * B]: a kernel's array, valid until its next call; tfjs calls the
    // functions below right after this one, and x's only when x needs a gradient
    const [dAT] = takeSaved(LSTM_SEQUENCE_GRAD, attrs, ['dAT']);
    const [T, B, I] = x!.shape;
    const G = wIh!.shape[0]!;
    return {
      x: () =>
        tf.reshape(
          tf.matMul(tf.tensor2d(dAT!, [G, T! * B!]), wIh!, true, false), // dA W_ih
          [T!, B!, I!],
        ),
      h0: () => dh0!,
      c0: () => dc0!,
      wIh: () => dWih!,
      wHh: () => dWhh!,
      bIh: () => db!,
      bHh: () => tf.clone(db!),
      mask: () => tf.zerosLike(mask!),
    };
  },
};
