import { Generator, mseLoss } from '@archzoo/core';
import { GRU, gruSequence } from '@archzoo/recurrent';
import * as tf from '@tensorflow/tfjs-core';
import type { Impl, ImplContext, Trainer, Workload } from '../harness.js';
import { adamTrainer, type RnnSizes, rnnData, tfjsLayersImpl, torchImpl } from './rnn_common.js';

/** `gru_b32_t50_h128`: batch 32, 50 steps, 32 input features, 128 hidden. */
export const GRU_SIZES: RnnSizes = { kind: 'gru', B: 32, T: 50, I: 32, H: 128 };

/** PyTorch's GRU initialization, U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias. */
function gruParams(s: RnnSizes, seed: number): tf.Variable[] {
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
  return [u([3 * s.H, s.I]), u([3 * s.H, s.H]), u([3 * s.H]), u([3 * s.H])];
}

/**
 * archzoo's GRU sequence op (`gruSequence` of @archzoo/recurrent, on cpu and wasm the fused
 * kernels with hand-written BPTT) on its four weights, MSE on the last h, core's Adam via
 * `trainStep`.
 */
const archzoo: Impl = {
  name: 'archzoo',
  description: 'gruSequence (fused kernels + BPTT on cpu/wasm); core trainStep + Adam',
  create({ seed }: ImplContext): Trainer {
    const s = GRU_SIZES;
    const { x, target } = rnnData(s, seed);
    const params = gruParams(s, seed);
    const [wIh, wHh, bIh, bHh] = params as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    const h0 = tf.zeros([s.B, s.H]) as tf.Tensor2D;
    const loss = () => {
      const { h } = gruSequence({
        x,
        h0,
        wIh: wIh as tf.Tensor2D,
        wHh: wHh as tf.Tensor2D,
        bIh: bIh as tf.Tensor1D,
        bHh: bHh as tf.Tensor1D,
      });
      return mseLoss(h, target);
    };
    return adamTrainer(loss, params, () => tf.dispose([x, target, h0, ...params]));
  },
};

/** The same through @archzoo/recurrent's `GRU` layer (a Module; its forward calls `gruSequence`). */
const archzooLayer: Impl = {
  name: 'archzoo.GRU',
  description: 'new GRU({ inputSize, hiddenSize }) Module; core trainStep + Adam',
  create({ seed }: ImplContext): Trainer {
    const s = GRU_SIZES;
    const { x, target } = rnnData(s, seed);
    const net = new GRU({ inputSize: s.I, hiddenSize: s.H, generator: new Generator(seed + 1) });
    const loss = () => mseLoss(tf.reshape(net.forward(x).h, [s.B, s.H]), target); // h: [1, B, H]
    return adamTrainer(loss, net.parameters(), () => {
      net.dispose();
      tf.dispose([x, target]);
    });
  },
};

/**
 * ROADMAP workload `gru_b32_t50_h128`: one GRU layer (input 32, hidden 128) over 50 steps of a
 * batch of 32, MSE of the last hidden state against a fixed target, Adam (lr 1e-3), float32.
 */
export const gruB32T50H128: Workload = {
  name: 'gru_b32_t50_h128',
  description:
    'GRU (input 32, hidden 128) training step over 50 steps x batch 32, MSE on the last h, Adam',
  // The ratios of every row are to archzoo's: tfjs-layers (as run here and as shipped) and PyTorch.
  reference: 'archzoo',
  impls: [
    archzoo,
    archzooLayer,
    tfjsLayersImpl(GRU_SIZES),
    tfjsLayersImpl(GRU_SIZES, 'stock'),
    torchImpl('gru_b32_t50_h128'),
  ],
};
