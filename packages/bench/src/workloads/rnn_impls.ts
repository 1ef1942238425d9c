/**
 * The archzoo side of the recurrent workloads (`lstm_b32_t50_h128`, `gru_b32_t50_h128`) and the
 * one builder of their `Workload`: the fused sequence op of @archzoo/recurrent on explicit
 * weights, the same through its `LSTM` / `GRU` layer, then the rows of rnn_common.ts (tfjs-layers
 * as run here and as shipped, PyTorch). lstm.ts and gru.ts only say what differs: sizes, gate
 * count, sequence op, layer class and words.
 */
import { Generator, mseLoss } from '@archzoo/core';
import type { SequenceArgs, SequenceResult } from '@archzoo/recurrent';
import * as tf from '@tensorflow/tfjs-core';
import type { Impl, ImplContext, Trainer, Workload } from '../harness.js';
import { adamTrainer, type RnnSizes, rnnData, tfjsLayersImpl, torchImpl } from './rnn_common.js';

/** What `rnnLayer` builds: a one-layer recurrent Module of @archzoo/recurrent. */
export interface RnnLayer {
  /** input `[T, B, I]` -> final h `[1, B, H]` (and more the workloads do not read). */
  forward(x: tf.Tensor): { h: tf.Tensor };
  parameters(): tf.Variable[];
  dispose(): void;
}

/** One recurrent workload, as lstm.ts and gru.ts describe it. */
export interface RnnWorkloadSpec {
  /** The ROADMAP name, e.g. 'lstm_b32_t50_h128'; also the PyTorch row's `--serve` argument. */
  name: string;
  /** The workload's description, as `archzoo list` prints it. */
  description: string;
  sizes: RnnSizes;
  /** Gates stacked in every weight and bias: 4 for LSTM [i, f, g, o], 3 for GRU [r, z, n]. */
  gates: number;
  /** The sequence op's name, for the 'archzoo' row's description, e.g. 'lstmSequence'. */
  sequenceName: string;
  /** The sequence op, from zero initial state(s); only the final `h` `[B, H]` is read. */
  sequence(a: SequenceArgs): SequenceResult;
  /** The layer class's name: the row is `archzoo.<layerName>`, e.g. 'archzoo.LSTM'. */
  layerName: string;
  /** `new <layerName>(opts)`. */
  rnnLayer(opts: { inputSize: number; hiddenSize: number; generator: Generator }): RnnLayer;
}

/**
 * PyTorch's LSTM / GRU initialization, U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias:
 * `[W_ih [G*H, I], W_hh [G*H, H], b_ih [G*H], b_hh [G*H]]` for G = `gates`, drawn in that order
 * from `new Generator(seed + 1)` (the data takes `seed`).
 */
export function rnnParams(s: RnnSizes, gates: number, seed: number): tf.Variable[] {
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
  const gh = gates * s.H;
  return [u([gh, s.I]), u([gh, s.H]), u([gh]), u([gh])];
}

/**
 * archzoo's sequence op (`lstmSequence` / `gruSequence` of @archzoo/recurrent, on cpu and wasm the
 * fused kernels with hand-written BPTT) on its four weights, MSE on the last h, core's Adam via
 * `trainStep`.
 */
export function archzooSequenceImpl(spec: RnnWorkloadSpec): Impl {
  return {
    name: 'archzoo',
    description: `${spec.sequenceName} (fused kernels + BPTT on cpu/wasm); core trainStep + Adam`,
    create({ seed }: ImplContext): Trainer {
      const s = spec.sizes;
      const { x, target } = rnnData(s, seed);
      const params = rnnParams(s, spec.gates, seed);
      const [wIh, wHh, bIh, bHh] = params as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
      const h0 = tf.zeros([s.B, s.H]) as tf.Tensor2D; // [B, H], also the LSTM's c0
      const loss = () => {
        const { h } = spec.sequence({
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
}

/** The same through @archzoo/recurrent's `LSTM` / `GRU` layer (a Module; its forward calls the sequence op). */
export function archzooLayerImpl(spec: RnnWorkloadSpec): Impl {
  return {
    name: `archzoo.${spec.layerName}`,
    description: `new ${spec.layerName}({ inputSize, hiddenSize }) Module; core trainStep + Adam`,
    create({ seed }: ImplContext): Trainer {
      const s = spec.sizes;
      const { x, target } = rnnData(s, seed);
      const net = spec.rnnLayer({
        inputSize: s.I,
        hiddenSize: s.H,
        generator: new Generator(seed + 1),
      });
      const loss = () => mseLoss(tf.reshape(net.forward(x).h, [s.B, s.H]), target); // h: [1, B, H]
      return adamTrainer(loss, net.parameters(), () => {
        net.dispose();
        tf.dispose([x, target]);
      });
    },
  };
}

/**
 * A recurrent workload: its rows are archzoo's sequence op (the reference), archzoo's layer,
 * tfjs-layers (with archzoo's kernel replacements, then with tfjs's stock kernels) and PyTorch.
 */
export function rnnWorkload(spec: RnnWorkloadSpec): Workload {
  return {
    name: spec.name,
    description: spec.description,
    // The ratios of every row are to archzoo's: tfjs-layers (as run here and as shipped) and PyTorch.
    reference: 'archzoo',
    impls: [
      archzooSequenceImpl(spec),
      archzooLayerImpl(spec),
      tfjsLayersImpl(spec.sizes),
      tfjsLayersImpl(spec.sizes, 'stock'),
      torchImpl(spec.name),
    ],
  };
}
