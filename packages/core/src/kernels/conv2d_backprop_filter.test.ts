import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from '../backend.js';
import '../register.js';
import { conv2dBackpropFilterValues } from './conv2d_backprop_filter.js';
import {
  CONV2D_EDGE_CASES,
  type ConvPad,
  computeOn,
  conv2dOutShape,
  lossAt,
  numericGradient,
  randomConv2dCase,
  randomValues,
  relativeError,
  runKernel,
} from './testing.js';

describe('Conv2DBackpropFilter on wasm', () => {
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('matches the cpu kernel on 40 random shapes, strides and paddings (explicit, same, valid, number)', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const c = randomConv2dCase(seed);
      const dyShape = conv2dOutShape(c);
      const x = randomValues(tf.util.sizeFromShape(c.xShape), seed * 7);
      const dy = randomValues(tf.util.sizeFromShape(dyShape), seed * 7 + 1);
      const attrs = {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC',
        dimRoundingMode: 'floor',
        filterShape: c.filterShape,
      };
      const run = () =>
        runKernel(
          tf.Conv2DBackpropFilter,
          { x: tf.tensor(x, c.xShape), dy: tf.tensor(dy, dyShape) },
          attrs,
        );
      const [cpu] = await computeOn('cpu', run);
      const [wasm] = await computeOn('wasm', run);
      expect(wasm!.shape, JSON.stringify(c)).toEqual(c.filterShape);
      expect(relativeError(wasm!.values, cpu!.values), JSON.stringify(c)).toBeLessThan(1e-5);
    }
  });

  it('computes the same by its loop route (off wasm, or too big for im2col)', async () => {
    for (let seed = 41; seed <= 55; seed++) {
      const c = randomConv2dCase(seed);
      const info = tf.backend_util.computeConv2DInfo(
        c.xShape,
        c.filterShape,
        c.strides,
        1,
        c.pad,
        'floor',
      );
      const x = randomValues(tf.util.sizeFromShape(c.xShape), seed);
      const dy = randomValues(tf.util.sizeFromShape(info.outShape), seed + 1);
      const [cpu] = await computeOn('cpu', () =>
        runKernel(
          tf.Conv2DBackpropFilter,
          { x: tf.tensor(x, c.xShape), dy: tf.tensor(dy, info.outShape) },
          {
            strides: c.strides,
            pad: c.pad,
            dataFormat: 'NHWC',
            dimRoundingMode: 'floor',
            filterShape: c.filterShape,
          },
        ),
      );
      const loops = conv2dBackpropFilterValues(x, dy, info);
      expect(relativeError(loops, cpu!.values), JSON.stringify(c)).toBeLessThan(1e-6);
    }
  });

  it('handles batch 1, 1x1 kernels and stride > kernel', async () => {
    for (const c of CONV2D_EDGE_CASES) {
      const dyShape = conv2dOutShape(c);
      const x = randomValues(tf.util.sizeFromShape(c.xShape), 3);
      const dy = randomValues(tf.util.sizeFromShape(dyShape), 4);
      const run = () =>
        runKernel(
          tf.Conv2DBackpropFilter,
          { x: tf.tensor(x, c.xShape), dy: tf.tensor(dy, dyShape) },
          { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filterShape },
        );
      const [cpu] = await computeOn('cpu', run);
      const [wasm] = await computeOn('wasm', run);
      expect(relativeError(wasm!.values, cpu!.values), JSON.stringify(c)).toBeLessThan(1e-5);
    }
  });

  it('gives tf.conv2d gradients (input and filter) equal to cpu and to central differences', async () => {
    const pads: ConvPad[] = [
      [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 0],
      ],
      'same',
      'valid',
    ];
    for (const [i, pad] of pads.entries()) {
      const xShape = [2, 5, 4, 3];
      const wShape = [3, 2, 3, 2];
      const strides: [number, number] = i === 0 ? [2, 1] : [1, 2];
      const xv = randomValues(tf.util.sizeFromShape(xShape), 10 + i);
      const wv = randomValues(tf.util.sizeFromShape(wShape), 20 + i);
      // 0.5 sum y^2 + sum y r: quadratic, so central differences are exact up to rounding.
      const loss = (x: tf.Tensor, w: tf.Tensor): tf.Scalar => {
        const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad as never);
        const r = tf.tensor(randomValues(y.size, 99), y.shape);
        return tf.add(tf.mul(0.5, tf.sum(tf.square(y))), tf.sum(tf.mul(y, r)));
      };
      const grads = () => tf.grads(loss)([tf.tensor(xv, xShape), tf.tensor(wv, wShape)]);
      const cpu = await computeOn('cpu', grads);
      const wasm = await computeOn('wasm', grads);
      for (const k of [0, 1])
        expect(relativeError(wasm[k]!.values, cpu[k]!.values)).toBeLessThan(1e-5);
      const shapes = [xShape, wShape];
      const numX = numericGradient((v) => lossAt([v, wv], shapes, loss), xv);
      const numW = numericGradient((v) => lossAt([xv, v], shapes, loss), wv);
      expect(relativeError(wasm[0]!.values, numX)).toBeLessThan(2e-3);
      expect(relativeError(wasm[1]!.values, numW)).toBeLessThan(2e-3);
    }
  });

  it('leaks no tensor over repeated gradient computations', async () => {
    await setBackend('wasm');
    const x = tf.tensor(randomValues(2 * 6 * 6 * 3, 1), [2, 6, 6, 3]) as tf.Tensor4D;
    const w = tf.tensor(randomValues(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]) as tf.Tensor4D;
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(
        tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, [
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
