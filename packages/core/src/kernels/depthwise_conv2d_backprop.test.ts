import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from '../backend.js';
import '../index.js';
import { conv2d } from '../layers/conv.js';
import {
  computeOn,
  lossAt,
  numericGradient,
  randInt,
  randomValues,
  relativeError,
  rng,
  runKernel,
} from './testing.js';

type Pad = 'valid' | 'same' | [[0, 0], [number, number], [number, number], [0, 0]];

interface DepthwiseCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

/** A random depthwise convolution: channel multipliers 1-3, batch 1-3, kernels 1-4, strides 1-3. */
function randomCase(seed: number): DepthwiseCase {
  const r = rng(seed);
  const kh = randInt(r, 1, 4);
  const kw = randInt(r, 1, 4);
  const c = randInt(r, 1, 4);
  const kind = seed % 3;
  const pad: Pad =
    kind === 0
      ? 'valid'
      : kind === 1
        ? 'same'
        : [
            [0, 0],
            [randInt(r, 0, 2), randInt(r, 0, 2)],
            [randInt(r, 0, 2), randInt(r, 0, 2)],
            [0, 0],
          ];
  return {
    xShape: [randInt(r, 1, 3), randInt(r, kh, 9), randInt(r, kw, 9), c],
    filterShape: [kh, kw, c, randInt(r, 1, 3)],
    strides: [randInt(r, 1, 3), randInt(r, 1, 3)],
    pad,
  };
}

function dyShapeOf(c: DepthwiseCase, dilations: [number, number] = [1, 1]): number[] {
  return tf.backend_util.computeConv2DInfo(
    c.xShape,
    c.filterShape,
    c.strides,
    dilations,
    c.pad,
    undefined,
    true,
  ).outShape;
}

const EDGE_CASES: DepthwiseCase[] = [
  { xShape: [1, 5, 5, 3], filterShape: [1, 1, 3, 2], strides: [1, 1], pad: 'valid' },
  { xShape: [1, 8, 7, 2], filterShape: [2, 2, 2, 1], strides: [3, 3], pad: 'valid' },
  {
    xShape: [2, 6, 5, 1],
    filterShape: [1, 1, 1, 3],
    strides: [3, 2],
    pad: [
      [0, 0],
      [2, 0],
      [1, 1],
      [0, 0],
    ],
  },
];

describe('DepthwiseConv2dNativeBackpropFilter / BackpropInput on wasm', () => {
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('match the cpu kernels on 40 random cases and the edge cases (batch 1, 1x1, stride > kernel)', async () => {
    const cases = [...Array.from({ length: 40 }, (_, i) => randomCase(i + 1)), ...EDGE_CASES];
    for (const [i, c] of cases.entries()) {
      const dyShape = dyShapeOf(c);
      const x = randomValues(tf.util.sizeFromShape(c.xShape), 3 * i);
      const w = randomValues(tf.util.sizeFromShape(c.filterShape), 3 * i + 1);
      const dy = randomValues(tf.util.sizeFromShape(dyShape), 3 * i + 2);
      const common = { strides: c.strides, dilations: [1, 1], pad: c.pad };
      const run = () => [
        runKernel(
          tf.DepthwiseConv2dNativeBackpropFilter,
          { x: tf.tensor(x, c.xShape), dy: tf.tensor(dy, dyShape) },
          { ...common, filterShape: c.filterShape },
        ),
        runKernel(
          tf.DepthwiseConv2dNativeBackpropInput,
          { dy: tf.tensor(dy, dyShape), filter: tf.tensor(w, c.filterShape) },
          { ...common, inputShape: c.xShape },
        ),
      ];
      const cpu = await computeOn('cpu', run);
      const wasm = await computeOn('wasm', run);
      const label = JSON.stringify(c);
      expect(wasm[0]!.shape, label).toEqual(c.filterShape);
      expect(wasm[1]!.shape, label).toEqual(c.xShape);
      expect(relativeError(wasm[0]!.values, cpu[0]!.values), label).toBeLessThan(1e-5);
      expect(relativeError(wasm[1]!.values, cpu[1]!.values), label).toBeLessThan(1e-5);
    }
  });

  it('honour dilations: equal to the undilated kernels with a zero-spread filter', async () => {
    // A dilated depthwise conv equals an undilated one whose filter has zeros between taps, so
    // its filter gradient is that filter gradient at the taps, and the input gradients agree.
    await setBackend('wasm');
    const c: DepthwiseCase = {
      xShape: [2, 9, 8, 2],
      filterShape: [2, 3, 2, 2],
      strides: [1, 1],
      pad: [
        [0, 0],
        [1, 2],
        [2, 0],
        [0, 0],
      ],
    };
    const spread: [number, number, number, number] = [3, 5, 2, 2]; // d (k - 1) + 1 with d = [2, 2]
    const dyShape = dyShapeOf(c, [2, 2]);
    const x = tf.tensor(randomValues(tf.util.sizeFromShape(c.xShape), 5), c.xShape);
    const dy = tf.tensor(randomValues(tf.util.sizeFromShape(dyShape), 6), dyShape);
    const w = tf.tensor(randomValues(tf.util.sizeFromShape(c.filterShape), 7), c.filterShape);
    const wSpread = tf.tidy(() =>
      tf.slice(
        tf.reshape(
          tf.pad(tf.reshape(w, [2, 1, 3, 1, 2, 2]), [
            [0, 0],
            [0, 1],
            [0, 0],
            [0, 1],
            [0, 0],
            [0, 0],
          ]),
          [4, 6, 2, 2],
        ),
        0,
        spread,
      ),
    );
    const common = { strides: c.strides, pad: c.pad };
    const dW = runKernel(
      tf.DepthwiseConv2dNativeBackpropFilter,
      { x, dy },
      { ...common, dilations: [2, 2], filterShape: c.filterShape },
    );
    const dWSpread = runKernel(
      tf.DepthwiseConv2dNativeBackpropFilter,
      { x, dy },
      { ...common, dilations: 1, filterShape: spread },
    );
    const taps = tf.tidy(() => tf.stridedSlice(dWSpread, [0, 0, 0, 0], spread, [2, 2, 1, 1]));
    expect(relativeError(dW.dataSync(), taps.dataSync())).toBeLessThan(1e-6);
    const dX = runKernel(
      tf.DepthwiseConv2dNativeBackpropInput,
      { dy, filter: w },
      { ...common, dilations: [2, 2], inputShape: c.xShape },
    );
    const dXSpread = runKernel(
      tf.DepthwiseConv2dNativeBackpropInput,
      { dy, filter: wSpread },
      { ...common, dilations: 1, inputShape: c.xShape },
    );
    expect(relativeError(dX.dataSync(), dXSpread.dataSync())).toBeLessThan(1e-6);
    tf.dispose([x, dy, w, wSpread, dW, dWSpread, taps, dX, dXSpread]);
  });

  it('give tf.depthwiseConv2d gradients equal to cpu and to central differences', async () => {
    const pads: Pad[] = [
      [
        [0, 0],
        [2, 1],
        [0, 1],
        [0, 0],
      ],
      'same',
      'valid',
    ];
    for (const [i, pad] of pads.entries()) {
      const xShape = [2, 5, 6, 3];
      const wShape = [3, 2, 3, 2];
      const strides: [number, number] = i === 0 ? [2, 1] : [1, 2];
      const xv = randomValues(tf.util.sizeFromShape(xShape), 30 + i);
      const wv = randomValues(tf.util.sizeFromShape(wShape), 40 + i);
      const loss = (x: tf.Tensor, w: tf.Tensor): tf.Scalar => {
        const y = tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad as never);
        const r = tf.tensor(randomValues(y.size, 98), y.shape);
        return tf.add(tf.mul(0.5, tf.sum(tf.square(y))), tf.sum(tf.mul(y, r)));
      };
      const grads = () => tf.grads(loss)([tf.tensor(xv, xShape), tf.tensor(wv, wShape)]);
      const cpu = await computeOn('cpu', grads);
      const wasm = await computeOn('wasm', grads);
      for (const k of [0, 1])
        expect(relativeError(wasm[k]!.values, cpu[k]!.values)).toBeLessThan(1e-5);
      const shapes = [xShape, wShape];
      expect(
        relativeError(
          wasm[0]!.values,
          numericGradient((v) => lossAt([v, wv], shapes, loss), xv),
        ),
      ).toBeLessThan(2e-3);
      expect(
        relativeError(
          wasm[1]!.values,
          numericGradient((v) => lossAt([xv, v], shapes, loss), wv),
        ),
      ).toBeLessThan(2e-3);
    }
  });

  it("train archzoo's depthwise conv2d (groups = channels, dilation 2) on wasm like on cpu", async () => {
    const xShape = [2, 7, 7, 3];
    const wShape = [3, 3, 1, 6]; // [kh, kw, in/groups, out], channel multiplier 2
    const xv = randomValues(tf.util.sizeFromShape(xShape), 50);
    const wv = randomValues(tf.util.sizeFromShape(wShape), 51);
    const grads = () =>
      tf.grads((x: tf.Tensor, w: tf.Tensor) =>
        tf.sum(
          tf.square(
            conv2d(x as tf.Tensor4D, w as tf.Tensor4D, null, {
              groups: 3,
              padding: 1,
              dilation: 2,
            }),
          ),
        ),
      )([tf.tensor(xv, xShape), tf.tensor(wv, wShape)]);
    const cpu = await computeOn('cpu', grads);
    const wasm = await computeOn('wasm', grads);
    for (const k of [0, 1])
      expect(relativeError(wasm[k]!.values, cpu[k]!.values)).toBeLessThan(1e-5);
  });

  it('leak no tensor over repeated gradient computations', async () => {
    await setBackend('wasm');
    const x = tf.tensor(randomValues(2 * 6 * 6 * 3, 1), [2, 6, 6, 3]) as tf.Tensor4D;
    const w = tf.tensor(randomValues(3 * 3 * 3 * 2, 2), [3, 3, 3, 2]) as tf.Tensor4D;
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(
        tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, [
          [0, 0],
          [1, 1],
          [0, 1],
          [0, 0],
        ]),
      );
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.dispose(tf.grads(f)([x, w]));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });
});
