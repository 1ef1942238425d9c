/** The gradient (backpropagation through time) of the fused LSTM sequence op. */
import * as tf from '@tensorflow/tfjs-core';
import { LSTM_SEQUENCE, LSTM_SEQUENCE_GRAD } from './lstm_kernels.js';

/**
 * The gradient of `ArchzooLstmSequence`: one backward kernel computes the gate gradients of all
 * steps, dh0, dc0 and the weight and bias gradients (eagerly, in the backward pass's scope, which
 * frees what no input asks for); dx = dA W_ih, one product, only when x needs it.
 */
export const lstmSequenceGradConfig: tf.GradConfig = {
  kernelName: LSTM_SEQUENCE,
  inputsToSave: ['x', 'wIh', 'wHh', 'mask'],
  outputsToSave: [false, false, false, true, true, true, true],
  gradFunc: (dys, saved) => {
    const [x, wIh, wHh, mask, gates, tanhC, hPrev, cPrev] = saved as tf.Tensor[];
    const [dy, dh, dc] = dys as (tf.Tensor | null)[];
    const inputs: tf.NamedTensorMap = {
      gates,
      tanhC,
      hPrev,
      cPrev,
      x,
      wHh,
      mask,
    } as tf.NamedTensorMap;
    if (dy) inputs.dy = dy;
    if (dh) inputs.dh = dh;
    if (dc) inputs.dc = dc;
    const [dAT, dh0, dc0, dWih, dWhh, db] = tf
      .engine()
      .runKernel(LSTM_SEQUENCE_GRAD, inputs, {}) as tf.Tensor[];
    const [T, B, I] = x!.shape;
    return {
      x: () => tf.reshape(tf.matMul(dAT!, wIh!, true, false), [T!, B!, I!]), // dA W_ih
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
