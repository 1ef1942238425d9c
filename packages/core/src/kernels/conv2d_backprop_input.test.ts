import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from '../backend.js';
import '../register.js';
import { conv2dBackpropFilterWasm } from './conv2d_backprop_filter.js';
import { conv2dBackpropInputValues, conv2dBackpropInputWasm } from './conv2d_backprop_input.js';
import type { ValuesBackend } from './kernel_io.js';
import {
  CONV2D_EDGE_CASES,
  type Conv2dCase,
  computeOn,
  conv2dInfo,
  conv2dOutShape,
  randomConv2dCase,
  randomValues,
  relativeError,
  runKernel,
} from './testing.js';
import { takeValues } from './wasm_matmul.js';

/** The cpu kernel's output for a case: Conv2DBackpropInput, or Conv2DBackpropFilter. */
async function cpuReference(kernel: string, c: Conv2dCase, a: Float32Array, dy: Float32Array) {
  const common = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: 'floor' };
  const dyShape = conv2dOutShape(c);
  const [out] = await computeOn('cpu', () =>
    kernel === tf.Conv2DBackpropInput
      ? runKernel(
          kernel,
          { dy: tf.tensor(dy, dyShape), filter: tf.tensor(a, c.filterShape) },
          { ...common, inputShape: c.xShape },
        )
      : runKernel(
          kernel,
          { x: tf.tensor(a, c.xShape), dy: tf.tensor(dy, dyShape) },
          { ...common, filterShape: c.filterShape },
        ),
  );
  return out!;
}

describe('Conv2DBackpropInput on wasm', () => {
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('matches the cpu kernel on 40 random cases and the edge cases (batch 1, 1x1, stride > kernel)', async () => {
    const cases = [
      ...Array.from({ length: 40 }, (_, i) => randomConv2dCase(100 + i)),
      ...CONV2D_EDGE_CASES,
    ];
    for (const [i, c] of cases.entries()) {
      const w = randomValues(tf.util.sizeFromShape(c.filterShape), 2 * i);
      const dy = randomValues(tf.util.sizeFromShape(conv2dOutShape(c)), 2 * i + 1);
      const cpu = await cpuReference(tf.Conv2DBackpropInput, c, w, dy);
      const [wasm] = await computeOn('wasm', () =>
        runKernel(
          tf.Conv2DBackpropInput,
          { dy: tf.tensor(dy, conv2dOutShape(c)), filter: tf.tensor(w, c.filterShape) },
          {
            strides: c.strides,
            pad: c.pad,
            dataFormat: 'NHWC',
            dimRoundingMode: 'floor',
            inputShape: c.xShape,
          },
        ),
      );
      expect(wasm!.shape).toEqual(c.xShape);
      expect(relativeError(wasm!.values, cpu.values), JSON.stringify(c)).toBeLessThan(1e-5);
      // The loop route (off wasm) agrees too.
      expect(
        relativeError(conv2dBackpropInputValues(dy, w, conv2dInfo(c)), cpu.values),
      ).toBeLessThan(1e-6);
    }
  });

  it('gives tf.conv2dTranspose (its forward pass) the cpu result', async () => {
    const x = randomValues(2 * 4 * 5 * 3, 1);
    const w = randomValues(3 * 3 * 2 * 3, 2);
    const run = () =>
      tf.conv2dTranspose(
        tf.tensor4d(x, [2, 4, 5, 3]),
        tf.tensor4d(w, [3, 3, 2, 3]),
        [2, 9, 11, 2],
        2,
        'valid',
      );
    const [cpu] = await computeOn('cpu', run);
    const [wasm] = await computeOn('wasm', run);
    expect(relativeError(wasm!.values, cpu!.values)).toBeLessThan(1e-5);
  });
});

describe('the matrix-product routes on wasm, split into blocks of batch items', () => {
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('give Conv2DBackpropInput and Conv2DBackpropFilter the cpu results for every block size', async () => {
    for (let seed = 200; seed < 215; seed++) {
      const c = randomConv2dCase(seed);
      c.xShape[0] = 3;
      const info = conv2dInfo(c);
      const x = randomValues(tf.util.sizeFromShape(c.xShape), seed);
      const w = randomValues(tf.util.sizeFromShape(c.filterShape), seed + 1);
      const dyValues = randomValues(tf.util.sizeFromShape(info.outShape), seed + 2);
      const cpuInput = await cpuReference(tf.Conv2DBackpropInput, c, w, dyValues);
      const cpuFilter = await cpuReference(tf.Conv2DBackpropFilter, c, x, dyValues);
      await setBackend('wasm');
      const backend: ValuesBackend = tf.backend();
      const dy = tf.tensor(dyValues, info.outShape);
      const perItem =
        info.filterHeight * info.filterWidth * info.inChannels * info.outHeight * info.outWidth;
      // One item per block, two, and all three at once.
      for (const maxBlock of [1, 2 * perItem, 3 * perItem]) {
        const dX = takeValues(backend, conv2dBackpropInputWasm(backend, dy, w, info, maxBlock));
        const dW = takeValues(backend, conv2dBackpropFilterWasm(backend, x, dy, info, maxBlock));
        expect(
          relativeError(dX, cpuInput.values),
          `${JSON.stringify(c)}, block ${maxBlock}`,
        ).toBeLessThan(1e-5);
        expect(
          relativeError(dW, cpuFilter.values),
          `${JSON.stringify(c)}, block ${maxBlock}`,
        ).toBeLessThan(1e-5);
      }
      dy.dispose();
    }
  });
});
