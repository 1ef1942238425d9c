// Every op archzoo's layers (packages/core/src/layers/*.ts) differentiate through, run under
// tf.grad on wasm: its gradients must equal cpu's and central differences.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from '../backend.js';
import '../index.js';
import { elu, gelu, leakyRelu, logSoftmax, selu, softmax } from '../layers/activations.js';
import { conv2d } from '../layers/conv.js';
import { convTranspose2d } from '../layers/conv_transpose.js';
import { groupNorm, layerNorm } from '../layers/norm.js';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from '../layers/pool.js';
import { computeOn, lossAt, numericGradient, relativeError, rng } from './testing.js';

/** Values with |v| in [0.3, 1.5] and random sign: away from the kinks of relu, maxPool and friends. */
function awayFromZero(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (0.3 + 1.2 * r()));
}

/** Shuffled values spaced 0.05 apart, so a 2h = 0.02 step never changes a max-pool window's winner. */
function distinct(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const v = Float32Array.from({ length: n }, (_, i) => (i - n / 2) * 0.05);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return v;
}

type Op = (...xs: tf.Tensor[]) => tf.Tensor;
const t4 = (x: tf.Tensor) => x as tf.Tensor4D;

/**
 * [name, input shapes, op, value generator (default awayFromZero)]: the op's output is dotted with
 * fixed random weights to make a loss.
 */
const CASES: [string, number[][], Op, ((n: number, seed: number) => Float32Array)?][] = [
  [
    'maxPool2d (explicit padding)',
    [[2, 5, 6, 3]],
    (x) => maxPool2d(t4(x), { kernelSize: 3, stride: 2, padding: 1 }),
    distinct,
  ],
  [
    'avgPool2d (valid)',
    [[2, 6, 5, 2]],
    (x) => avgPool2d(t4(x), { kernelSize: [2, 3], stride: [2, 1] }),
  ],
  [
    'avgPool2d (padding, countIncludePad false)',
    [[1, 5, 5, 2]],
    (x) => avgPool2d(t4(x), { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }),
  ],
  ['adaptiveAvgPool2d (uneven bins)', [[2, 5, 7, 2]], (x) => adaptiveAvgPool2d(t4(x), [3, 2])],
  [
    'resizeBilinear (half-pixel)',
    [[2, 3, 4, 2]],
    (x) => tf.image.resizeBilinear(t4(x), [5, 7], false, true),
  ],
  [
    'resizeBilinear (alignCorners)',
    [[2, 3, 4, 2]],
    (x) => tf.image.resizeBilinear(t4(x), [5, 7], true, false),
  ],
  [
    'resizeNearestNeighbor',
    [[2, 3, 4, 2]],
    (x) => tf.image.resizeNearestNeighbor(t4(x), [6, 8], false, false),
  ],
  [
    'conv2d (explicit padding, stride 2)',
    [
      [2, 6, 5, 3],
      [3, 3, 3, 4],
    ],
    (x, w) => conv2d(t4(x), t4(w), null, { stride: 2, padding: [1, 0] }),
  ],
  [
    'conv2d (groups 2, dilation 2)',
    [
      [1, 7, 7, 4],
      [3, 3, 2, 4],
    ],
    (x, w) => conv2d(t4(x), t4(w), null, { groups: 2, padding: 2, dilation: 2 }),
  ],
  [
    'depthwise conv2d (groups = channels)',
    [
      [2, 6, 6, 3],
      [3, 3, 1, 6],
    ],
    (x, w) => conv2d(t4(x), t4(w), null, { groups: 3, padding: 'same' }),
  ],
  [
    'convTranspose2d (stride 2, padding, outputPadding)',
    [
      [2, 3, 4, 3],
      [3, 3, 2, 3],
    ],
    (x, w) => convTranspose2d(t4(x), t4(w), null, { stride: 2, padding: 1, outputPadding: 1 }),
  ],
  [
    'tf.conv2dTranspose',
    [
      [2, 3, 3, 2],
      [2, 2, 3, 2],
    ],
    (x, w) => tf.conv2dTranspose(t4(x), t4(w), [2, 6, 6, 3], 2, 'valid'),
  ],
  ['moments / layerNorm', [[3, 4, 5], [5], [5]], (x, w, b) => layerNorm(x, [5], w, b)],
  ['groupNorm', [[2, 3, 3, 4], [4], [4]], (x, w, b) => groupNorm(x, 2, w, b)],
  ['gather', [[6, 3]], (w) => tf.gather(w, tf.tensor1d([5, 0, 2, 2, 5], 'int32'))],
  [
    'linear (matMul, transpose)',
    [[4, 3], [5, 3], [5]],
    (x, w, b) => tf.add(tf.matMul(x, w, false, true), b),
  ],
  ['gelu (erf)', [[3, 4]], (x) => gelu(x)],
  ['gelu (tanh, pow)', [[3, 4]], (x) => gelu(x, 'tanh')],
  ['leakyRelu', [[3, 4]], (x) => leakyRelu(x, 0.1)],
  ['elu (alpha 1)', [[3, 4]], (x) => elu(x)],
  ['elu (alpha 0.5: relu, minimum)', [[3, 4]], (x) => elu(x, 0.5)],
  ['selu', [[3, 4]], (x) => selu(x)],
  ['softmax', [[3, 5]], (x) => softmax(x)],
  ['logSoftmax', [[3, 5]], (x) => logSoftmax(x)],
  ['sigmoid, tanh', [[3, 4]], (x) => tf.mul(tf.sigmoid(x), tf.tanh(x))],
  [
    'rsqrt, div, mean',
    [[3, 4]],
    (x) => tf.div(tf.mean(x, 1, true), tf.rsqrt(tf.add(tf.square(x), 1))),
  ],
  [
    'pad, slice, split, concat',
    [[2, 3, 4, 4]],
    (x) => {
      const [a, b] = tf.split(
        tf.pad(x, [
          [0, 0],
          [1, 2],
          [2, 1],
          [0, 0],
        ]),
        2,
        3,
      );
      return tf.concat(
        [tf.slice(a!, [0, 1, 0, 0], [2, 3, 5, 2]), tf.slice(b!, [0, 0, 2, 0], [2, 3, 5, 2])],
        3,
      );
    },
  ],
  [
    'transpose, reshape, expandDims, squeeze',
    [[2, 3, 4]],
    (x) => tf.squeeze(tf.expandDims(tf.reshape(tf.transpose(x, [2, 0, 1]), [4, 6]), 1)),
  ],
];

describe('gradients of the ops archzoo layers use, on wasm', () => {
  afterAll(async () => {
    await setBackend('cpu');
  });

  for (const [name, shapes, op, generate = awayFromZero] of CASES) {
    it(`${name}: wasm gradients equal cpu's and central differences`, async () => {
      const values = shapes.map((s, i) => generate(tf.util.sizeFromShape(s), 17 * i + s.length));
      const loss = (...xs: tf.Tensor[]): tf.Scalar => {
        const y = op(...xs);
        return tf.sum(tf.mul(y, tf.tensor(awayFromZero(y.size, 1234), y.shape)));
      };
      const grads = () => tf.grads(loss)(values.map((v, i) => tf.tensor(v, shapes[i])));
      const cpu = await computeOn('cpu', grads);
      const wasm = await computeOn('wasm', grads);
      for (const [i, shape] of shapes.entries()) {
        expect(wasm[i]!.shape).toEqual(shape);
        expect(relativeError(wasm[i]!.values, cpu[i]!.values), `input ${i}`).toBeLessThan(1e-5);
        const numeric = numericGradient(
          (v) =>
            lossAt(
              values.map((u, k) => (k === i ? v : u)),
              shapes,
              loss,
            ),
          values[i]!,
          1e-2,
        );
        expect(
          relativeError(wasm[i]!.values, numeric),
          `input ${i} vs central differences`,
        ).toBeLessThan(5e-3);
      }
    });
  }

  it('leak no tensor over repeated gradients of a small conv net', async () => {
    await setBackend('wasm');
    const x = tf.tensor(awayFromZero(2 * 8 * 8 * 3, 1), [2, 8, 8, 3]);
    const w1 = tf.tensor(awayFromZero(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
    const w2 = tf.tensor(awayFromZero(3 * 3 * 1 * 8, 3), [3, 3, 1, 8]);
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
      const h = maxPool2d(t4(tf.relu(conv2d(t4(a), t4(b), null, { padding: 1 }))), {
        kernelSize: 2,
      });
      const up = tf.image.resizeBilinear(
        t4(conv2d(h, t4(c), null, { groups: 4, padding: 1 })),
        [8, 8],
        false,
        true,
      );
      return tf.sum(tf.square(up));
    };
    tf.dispose(tf.grads(f)([x, w1, w2])); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.dispose(tf.grads(f)([x, w1, w2]));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w1, w2]);
  });
});
