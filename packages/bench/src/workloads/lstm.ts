import { Generator, mseLoss } from '@archzoo/core';
import { LSTM, lstmSequence } from '@archzoo/recurrent';
import * as tf from '@tensorflow/tfjs-core';
import type { Impl, ImplContext, Trainer, Workload } from '../harness.js';
import { adamTrainer, type RnnSizes, rnnData, tfjsLayersImpl, torchImpl } from './rnn_common.js';

/** `lstm_b32_t50_h128`: batch 32, 50 steps, 32 input features, 128 hidden. */
export const LSTM_SIZES: RnnSizes = { kind: 'lstm', B: 32, T: 50, I: 32, H: 128 };

/** PyTorch's LSTM initialization, U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias. */
function lstmParams(s: RnnSizes, seed: number): tf.Variable[] {
  const g = new Generator(seed + 1);
  const k = 1 / Math.sqrt(s.H);
  const u = (shape: number[]) =>
    tf.tidy(() =>
      tf.variable(
        tf.tensor(
          Float32Array.from(
            { length: shape.reduce((a, b) => a * b, 1) },
            () => (2 * g.random() - 1) * k,
          ),
          shape,
        ),
      ),
    );
  return [u([4 * s.H, s.I]), u([4 * s.H, s.H]), u([4 * s.H]), u([4 * s.H])];
}

/**
 * archzoo's LSTM sequence op (`lstmSequence` of @archzoo/recurrent, on cpu and wasm the fused
 * kernels with hand-written BPTT) on its four weights, MSE on the last h, core's Adam via
 * `trainStep`.
 */
const archzoo: Impl = {
  name: 'archzoo',
  description: 'lstmSequence (fused kernels + BPTT on cpu/wasm); core trainStep + Adam',
  create({ seed }: ImplContext): Trainer {
    const s = LSTM_SIZES;
    const { x, target } = rnnData(s, seed);
    const params = lstmParams(s, seed);
    const [wIh, wHh, bIh, bHh] = params as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    const zeros = tf.zeros([s.B, s.H]) as tf.Tensor2D;
    const loss = () => {
      const { h } = lstmSequence({
        x,
        h0: zeros,
        c0: zeros,
        wIh: wIh as tf.Tensor2D,
        wHh: wHh as tf.Tensor2D,
        bIh: bIh as tf.Tensor1D,
        bHh: bHh as tf.Tensor1D,
      });
      return mseLoss(h, target);
    };
    return adamTrainer(loss, params, () => tf.dispose([x, target, zeros, ...params]));
  },
};

/** The same through @archzoo/recurrent's `LSTM` layer (a Module; its forward calls `lstmSequence`). */
const archzooLayer: Impl = {
  name: 'archzoo.LSTM',
  description: 'new LSTM({ inputSize, hiddenSize }) Module; core trainStep + Adam',
  create({ seed }: ImplContext): Trainer {
    const s = LSTM_SIZES;
    const { x, target } = rnnData(s, seed);
    const net = new LSTM({ inputSize: s.I, hiddenSize: s.H, generator: new Generator(seed + 1) });
    const loss = () => mseLoss(tf.reshape(net.forward(x).h, [s.B, s.H]), target); // h: [1, B, H]
    return adamTrainer(loss, net.parameters(), () => {
      net.dispose();
      tf.dispose([x, target]);
    });
  },
};

/**
 * ROADMAP workload `lstm_b32_t50_h128`: one LSTM layer (input 32, hidden 128) over 50 steps of a
 * batch of 32, MSE of the last hidden state against a fixed target, Adam (lr 1e-3), float32.
 */
export const lstmB32T50H128: Workload = {
  name: 'lstm_b32_t50_h128',
  description:
    'LSTM (input 32, hidden 128) training step over 50 steps x batch 32, MSE on the last h, Adam',
  // The ratios of every row are to archzoo's: tfjs-layers (as run here and as shipped) and PyTorch.
  reference: 'archzoo',
  impls: [
    archzoo,
    archzooLayer,
    tfjsLayersImpl(LSTM_SIZES),
    tfjsLayersImpl(LSTM_SIZES, 'stock'),
    torchImpl('lstm_b32_t50_h128'),
  ],
};
