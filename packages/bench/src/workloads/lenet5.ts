import {
  Conv2d,
  crossEntropy,
  Flatten,
  Generator,
  Linear,
  Module,
  maxPool2d,
  relu,
  SGD,
  trainStep,
} from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertSharedEngine } from '../engine.js';
import { type Impl, type ImplContext, readLoss, type Trainer, type Workload } from '../harness.js';
import { randomBatch } from '../train.js';

/** Batch size of the `lenet5_b64` workload. */
export const LENET5_BATCH = 64;
/** SGD learning rate of every impl (plain SGD: no momentum, no weight decay). */
export const LENET5_LR = 0.01;

export interface LeNet5Options {
  /** Default 10 (MNIST digits). */
  numClasses?: number;
  /** Randomness for the initialization. Default: the global generator. */
  generator?: Generator;
}

/**
 * LeNet-5 (LeCun et al. 1998) in its common modern form, for 28x28x1 (MNIST-sized) NHWC images:
 * conv 5x5 (1->6, padding 2) -> ReLU -> max-pool 2 -> conv 5x5 (6->16) -> ReLU -> max-pool 2 ->
 * flatten (torch order) -> 400->120 -> ReLU -> 120->84 -> ReLU -> 84->numClasses.
 * 61,706 parameters with 10 classes. Input `[N, 28, 28, 1]`, output logits `[N, numClasses]`.
 *
 * (The benchmark's own copy; when @archzoo/vision has its LeNet, the workload should use that.)
 *
 * @example
 * const net = new LeNet5({ generator: new Generator(0) });
 * net.forward(tf.zeros([2, 28, 28, 1])); // [2, 10]
 */
export class LeNet5 extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly flatten = new Flatten();
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly fc3: Linear;

  constructor(opts: LeNet5Options = {}) {
    super();
    const generator = opts.generator;
    this.conv1 = new Conv2d({
      inChannels: 1,
      outChannels: 6,
      kernelSize: 5,
      padding: 2,
      generator,
    });
    this.conv2 = new Conv2d({ inChannels: 6, outChannels: 16, kernelSize: 5, generator });
    this.fc1 = new Linear({ inFeatures: 16 * 5 * 5, outFeatures: 120, generator });
    this.fc2 = new Linear({ inFeatures: 120, outFeatures: 84, generator });
    this.fc3 = new Linear({ inFeatures: 84, outFeatures: opts.numClasses ?? 10, generator });
  }

  forward(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      let h = maxPool2d(relu(this.conv1.forward(x)) as tf.Tensor4D, { kernelSize: 2 }); // [N, 14, 14, 6]
      h = maxPool2d(relu(this.conv2.forward(h)) as tf.Tensor4D, { kernelSize: 2 }); // [N, 5, 5, 16]
      const f = this.flatten.forward(h); // [N, 400]
      return this.fc3.forward(relu(this.fc2.forward(relu(this.fc1.forward(f))))) as tf.Tensor2D; // [N, classes]
    });
  }
}

/** The same network in `@tensorflow/tfjs-layers` (conv layers with 'same'/'valid' padding and fused ReLU). */
export function tfjsLayersLeNet5(numClasses = 10): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 6,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'valid', activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 120, activation: 'relu' }),
      tfl.layers.dense({ units: 84, activation: 'relu' }),
      tfl.layers.dense({ units: numClasses }),
    ],
  });
}

/** The batch every impl trains on: 64 seeded random 28x28x1 images with random labels. */
function batch(seed: number) {
  return randomBatch([LENET5_BATCH, 28, 28, 1], 10, new Generator(seed));
}

/**
 * archzoo end to end: the `LeNet5` module trained by core's `trainStep` (tf.variableGrads, the
 * loss read back, core `SGD.step`), the way an archzoo user writes a step.
 */
const archzoo: Impl = {
  name: 'archzoo',
  description: 'archzoo LeNet5 Module; core trainStep (variableGrads + core SGD.step)',
  create({ seed }: ImplContext): Trainer {
    const net = new LeNet5({ generator: new Generator(seed) });
    const { x, y } = batch(seed);
    const params = net.parameters();
    const opt = new SGD(params, { lr: LENET5_LR });
    return {
      step: () => trainStep(() => crossEntropy(net.forward(x), y), params, opt),
      dispose() {
        net.dispose();
        opt.dispose();
        tf.dispose([x, y]);
      },
    };
  },
};

/**
 * tfjs-layers model (the reference): `model.apply(x, { training: true })` inside
 * `tf.train.sgd(lr).minimize`, the loss read back. tfjs's SGD applies the same update as core's
 * `SGD` without momentum (p = p - lr g, one tidy per parameter), so the ratio to `archzoo`
 * measures the models' forward and backward passes.
 */
const tfjsLayers: Impl = {
  name: 'tfjs-layers',
  description: 'tf.sequential LeNet-5; tf.train.sgd(lr).minimize loop',
  create({ seed }: ImplContext): Trainer {
    assertSharedEngine();
    const model = tfjsLayersLeNet5();
    const { x, y } = batch(seed);
    const opt = tf.train.sgd(LENET5_LR);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const logits = () => model.apply(x, { training: true }) as tf.Tensor;
    return {
      step: () => readLoss(opt.minimize(() => crossEntropy(logits(), y) as tf.Scalar, true, vars)),
      dispose() {
        model.dispose();
        opt.dispose();
        tf.dispose([x, y]);
      },
    };
  },
};

/**
 * tfjs-layers' own training API: `model.compile({ optimizer: sgd, loss })` then
 * `model.trainOnBatch(x, y)`, which adds its input checks and bookkeeping to each step.
 */
const tfjsLayersTrainOnBatch: Impl = {
  name: 'tfjs-layers.trainOnBatch',
  description: 'tf.sequential LeNet-5; model.compile + model.trainOnBatch with tf.train.sgd',
  create({ seed }: ImplContext): Trainer {
    assertSharedEngine();
    const model = tfjsLayersLeNet5();
    const { x, y } = batch(seed);
    const opt = tf.train.sgd(LENET5_LR);
    model.compile({
      optimizer: opt,
      loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => crossEntropy(yPred, yTrue),
    });
    return {
      async step() {
        const loss = await model.trainOnBatch(x, y);
        return Array.isArray(loss) ? loss[0]! : loss;
      },
      dispose() {
        model.dispose();
        opt.dispose();
        tf.dispose([x, y]);
      },
    };
  },
};

/**
 * ROADMAP workload `lenet5_b64`: LeNet-5 on 64 MNIST-sized images, cross-entropy (core's
 * `crossEntropy` on one-hot targets, for every impl), plain SGD.
 */
export const lenet5B64: Workload = {
  name: 'lenet5_b64',
  description: 'LeNet-5 training step on 64 random 28x28x1 images, cross-entropy, plain SGD',
  reference: 'tfjs-layers',
  impls: [archzoo, tfjsLayers, tfjsLayersTrainOnBatch],
};
