import { crossEntropy, fit, Generator, SGD } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Impl, ImplContext, Trainer, Workload } from '../harness.js';
import { randomBatch } from '../train.js';
import { LENET5_BATCH, LENET5_LR, LeNet5 } from './lenet5.js';

/** Batches per measured step of `lenet5_b64_fit`: one epoch is this many fixed batches. */
export const FIT_BATCHES = 4;

/** The model, the optimizer and `FIT_BATCHES` seeded random batches every impl of the workload trains on. */
function setup(seed: number) {
  const net = new LeNet5({ generator: new Generator(seed) });
  const g = new Generator(seed);
  const batches = Array.from({ length: FIT_BATCHES }, () => {
    const { x, y } = randomBatch([LENET5_BATCH, 28, 28, 1], 10, g);
    return { x, y };
  });
  const optimizer = new SGD(net.parameters(), { lr: LENET5_LR });
  return {
    net,
    batches,
    optimizer,
    dispose() {
      net.dispose();
      optimizer.dispose();
      tf.dispose(batches.flatMap((b) => [b.x, b.y]));
    },
  };
}

/**
 * The hand-written loop fit() replaces: per batch, `tf.variableGrads` of the loss, read the loss
 * back (`dataSync`, as fit() does for its logs), `optimizer.step(grads)`, dispose. Resolves to the
 * epoch's mean loss.
 */
const handLoop: Impl = {
  name: 'hand-loop',
  description: `LeNet5 + core SGD; a for-loop over ${FIT_BATCHES} batches of tf.variableGrads + optimizer.step`,
  create({ seed }: ImplContext): Trainer {
    const s = setup(seed);
    const params = s.net.parameters();
    return {
      step() {
        let sum = 0;
        for (const b of s.batches) {
          const { value, grads } = tf.variableGrads(
            () => crossEntropy(s.net.forward(b.x), b.y) as tf.Scalar,
            params,
          );
          sum += value.dataSync()[0]!;
          s.optimizer.step(grads);
          tf.dispose([value, ...Object.values(grads)]);
        }
        return sum / s.batches.length;
      },
      dispose: s.dispose,
    };
  },
};

/** One `fit()` epoch (verbose 0, no metrics) over the same batches: what fit() adds is its overhead. */
const fitImpl: Impl = {
  name: 'fit',
  description: `LeNet5 + core SGD; fit(model, batches, { epochs: 1, verbose: 0 }) over the same ${FIT_BATCHES} batches`,
  create({ seed }: ImplContext): Trainer {
    const s = setup(seed);
    return {
      async step() {
        const history = await fit(s.net, s.batches, {
          loss: crossEntropy,
          optimizer: s.optimizer,
          epochs: 1,
          verbose: 0,
        });
        return history.epochs[0]!.loss!;
      },
      dispose: s.dispose,
    };
  },
};

/**
 * `lenet5_b64_fit`: the cost of `fit()` over a hand-written loop. One measured step is one epoch
 * of `FIT_BATCHES` fixed `lenet5_b64` batches (LeNet-5, 64 random 28x28x1 images, cross-entropy,
 * core `SGD` lr 0.01); the ratio of `fit` to `hand-loop` is fit()'s overhead.
 */
export const lenet5B64Fit: Workload = {
  name: 'lenet5_b64_fit',
  description: `fit() vs a hand-written loop: one epoch of ${FIT_BATCHES} lenet5_b64 batches, core SGD`,
  reference: 'hand-loop',
  impls: [handLoop, fitImpl],
};
