import {
  Adam,
  accuracy as accuracyMetric,
  type BackendName,
  BatchNorm2d,
  Conv2d,
  crossEntropy,
  Flatten,
  fit,
  Generator,
  type History,
  Linear,
  Module,
  maxPool2d,
  OneCycleLR,
  type ProgressSink,
  positiveInt,
  relu,
  setBackend,
} from '@archzoo/core';
import { DataLoader, loadMnist } from '@archzoo/datasets';
import * as tf from '@tensorflow/tfjs-core';

export interface MnistCnnOptions {
  /** Channels of the two conv blocks. Default [16, 32]: enough for 98% on 8,000 digits, cheap on wasm. */
  channels?: [number, number];
  /** Randomness for the initialization. Default: the global generator. */
  generator?: Generator;
}

/**
 * A small CNN for 28x28x1 digits, two conv blocks and a linear classifier:
 * [conv 3x3 (padding 1) -> BatchNorm -> ReLU -> max-pool 2] x 2 -> flatten (torch order) -> linear.
 * With the default channels [16, 32]: 20,586 parameters (conv 160 + 4,640, BatchNorm 32 + 64,
 * linear 1,568 x 10 + 10). Input `[N, 28, 28, 1]`, output logits `[N, 10]`.
 *
 * @example
 * const net = new MnistCnn({ generator: new Generator(0) });
 * net.forward(tf.zeros([2, 28, 28, 1])); // [2, 10]
 */
export class MnistCnn extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly flatten = new Flatten();
  readonly fc: Linear;

  constructor(opts: MnistCnnOptions = {}) {
    super();
    const [c1, c2] = opts.channels ?? [16, 32];
    const generator = opts.generator;
    this.conv1 = new Conv2d({
      inChannels: 1,
      outChannels: c1,
      kernelSize: 3,
      padding: 1,
      generator,
    });
    this.bn1 = new BatchNorm2d({ numFeatures: c1 });
    this.conv2 = new Conv2d({
      inChannels: c1,
      outChannels: c2,
      kernelSize: 3,
      padding: 1,
      generator,
    });
    this.bn2 = new BatchNorm2d({ numFeatures: c2 });
    this.fc = new Linear({ inFeatures: c2 * 7 * 7, outFeatures: 10, generator });
  }

  forward(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      let h = relu(this.bn1.forward(this.conv1.forward(x))) as tf.Tensor4D; // [N, 28, 28, c1]
      h = maxPool2d(h, { kernelSize: 2 }); // [N, 14, 14, c1]
      h = relu(this.bn2.forward(this.conv2.forward(h))) as tf.Tensor4D; // [N, 14, 14, c2]
      h = maxPool2d(h, { kernelSize: 2 }); // [N, 7, 7, c2]
      return this.fc.forward(this.flatten.forward(h)) as tf.Tensor2D; // [N, 10]
    });
  }
}

export interface MnistJobOptions {
  /** Default 'wasm'. */
  backend?: BackendName;
  /** Passes over the training digits. Default 2 (98.0% held out; 3 epochs: 98.3%, 1.5x the time). */
  epochs?: number;
  /** Default 64. */
  batchSize?: number;
  /** Peak learning rate of Adam's one-cycle schedule. Default 0.01. */
  maxLr?: number;
  /** Seeds the split, the batch order and the weights. Default 0. */
  seed?: number;
  /** Train on only the first this many of the 8,000 training digits (tests). Default all. */
  trainSamples?: number;
  /** Evaluate on only the first this many of the 2,000 held-out digits (tests). Default all. */
  testSamples?: number;
  /** Channels of the two conv blocks. Default [16, 32]. */
  channels?: [number, number];
  /** fit()'s progress: 1 (default) a bar on a TTY, a line per epoch elsewhere; 0 silent. */
  verbose?: 0 | 1;
  /** Where fit() writes its progress. Default process.stdout. */
  progressSink?: ProgressSink;
  /** Where the job's own lines go. Default console.log. */
  log?: (line: string) => void;
}

export interface MnistJobResult {
  backend: BackendName;
  trainSize: number;
  testSize: number;
  numParameters: number;
  /** fit()'s per-epoch logs: loss, accuracy (training batches), val_loss, val_accuracy (held out). */
  history: History;
  /** Accuracy on the held-out digits after training, in [0, 1]. */
  testAccuracy: number;
  /** Wall time of the whole job (backend, loading, training, evaluation), in seconds. */
  seconds: number;
}

/** The digits used: the first `n` of a split (all when `n` is undefined). */
function head(split: { x: tf.Tensor; y: tf.Tensor }, n: number | undefined) {
  if (n === undefined || n >= split.x.shape[0]!) return split;
  const out = { x: tf.slice(split.x, 0, n), y: tf.slice(split.y, 0, n) };
  tf.dispose([split.x, split.y]);
  return out;
}

/**
 * The `archzoo mnist` job: `MnistCnn` learns the `mnist` package's 10,000 real digits
 * (`loadMnist`: a seeded stratified split, 8,000 to train, 2,000 held out), standardized, with
 * `fit()` (its progress bar), cross-entropy, and Adam under a one-cycle learning-rate schedule
 * stepped per batch. After each epoch fit() evaluates the held-out digits; the last epoch's
 * `val_accuracy` is the result. Seeded: the same options give the same numbers on one backend.
 */
export async function runMnist(opts: MnistJobOptions = {}): Promise<MnistJobResult> {
  const t0 = performance.now();
  const log = opts.log ?? ((line: string) => console.log(line));
  const epochs = opts.epochs ?? 2;
  const batchSize = opts.batchSize ?? 64;
  const maxLr = opts.maxLr ?? 0.01;
  const seed = opts.seed ?? 0;
  const backend = await setBackend(opts.backend ?? 'wasm');
  const count = (name: string, n: number | undefined) =>
    n === undefined ? undefined : positiveInt('runMnist', name, n);
  const trainSamples = count('trainSamples', opts.trainSamples);
  const testSamples = count('testSamples', opts.testSamples);
  const data = await loadMnist({ testSize: 2000, seed, normalize: true });
  const train = head(data.train, trainSamples);
  const test = head(data.test, testSamples);
  const trainSize = train.x.shape[0]!;
  const testSize = test.x.shape[0]!;
  const model = new MnistCnn({ channels: opts.channels, generator: new Generator(seed) });
  const loader = new DataLoader({ x: train.x, y: train.y }, { batchSize, seed });
  const heldOut = new DataLoader({ x: test.x, y: test.y }, { batchSize: 500, shuffle: false });
  const optimizer = new Adam(model.parameters(), { lr: maxLr });
  const scheduler = new OneCycleLR(optimizer, {
    maxLr,
    epochs,
    stepsPerEpoch: loader.length,
  });
  const numParameters = model.numParameters();
  log(
    `archzoo mnist: MNIST digits (mnist package), ${trainSize} train / ${testSize} held out (seeded split, seed ${seed})`,
  );
  log(
    `backend ${backend}; CNN conv3x3-BN-ReLU-pool x2 + linear (${numParameters} parameters); ` +
      `Adam, one-cycle lr (max ${maxLr}), batch ${batchSize}, ${epochs} epochs`,
  );
  try {
    const history = await fit(model, loader, {
      loss: crossEntropy,
      optimizer,
      scheduler,
      epochs,
      metrics: { accuracy: accuracyMetric },
      validation: heldOut,
      verbose: opts.verbose ?? 1,
      progressSink: opts.progressSink,
    });
    const testAccuracy = history.epochs.at(-1)!.val_accuracy!;
    const seconds = (performance.now() - t0) / 1000;
    log(
      `held-out accuracy: ${(100 * testAccuracy).toFixed(2)}% on ${testSize} digits  (total ${seconds.toFixed(1)} s)`,
    );
    return { backend, trainSize, testSize, numParameters, history, testAccuracy, seconds };
  } finally {
    model.dispose();
    optimizer.dispose();
    tf.dispose([train.x, train.y, test.x, test.y]);
  }
}
