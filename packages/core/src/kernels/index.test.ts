import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from '../backend.js';
import '../register.js';
import { conv2dBackpropFilter } from './conv2d_backprop_filter.js';
import { conv2dBackpropInput } from './conv2d_backprop_input.js';
import { registerArchzooKernels } from './index.js';
import { maxPoolGrad } from './max_pool_grad.js';
import { resizeBilinearGrad } from './resize_bilinear_grad.js';
import { resizeNearestNeighborGrad } from './resize_nearest_neighbor_grad.js';

/** Kernels cpu has and wasm may still lack: FFT, complex numbers, ragged tensors, strings, Draw. */
const OUT_OF_SCOPE = new Set([
  'Complex',
  'ComplexAbs',
  'Draw',
  'FFT',
  'IFFT',
  'Imag',
  'RaggedGather',
  'RaggedRange',
  'RaggedTensorToTensor',
  'Real',
  'StaticRegexReplace',
]);

describe('registerArchzooKernels', () => {
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('leaves wasm lacking no cpu kernel but FFT, complex, ragged and string ones', async () => {
    await setBackend('wasm');
    const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
    const missing = tf
      .getKernelsForBackend('cpu')
      .map((k) => k.kernelName)
      .filter((name) => !wasm.has(name) && !OUT_OF_SCOPE.has(name));
    expect(missing).toEqual([]);
    for (const name of [
      tf.Conv2DBackpropFilter,
      tf.DepthwiseConv2dNativeBackpropFilter,
      tf.DepthwiseConv2dNativeBackpropInput,
      tf.UnsortedSegmentSum,
      tf.Einsum,
    ]) {
      expect(wasm.has(name), name).toBe(true);
    }
  });

  it('runs its doc example: a conv2d filter gradient on wasm', async () => {
    registerArchzooKernels(); // already done by importing @archzoo/core
    await setBackend('wasm');
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const w = tf.ones([3, 3, 1, 2]);
    const dW = tf.grad((t: tf.Tensor) => tf.sum(tf.conv2d(x, t as tf.Tensor4D, 1, 'same')))(w);
    expect(dW.shape).toEqual([3, 3, 1, 2]);
    // Tap (i, j) meets the 4x4 ones image at (4 - |i - 1|) (4 - |j - 1|) output pixels.
    const counts = [9, 12, 9, 12, 16, 12, 9, 12, 9].flatMap((v) => [v, v]);
    expect(Array.from(dW.dataSync())).toEqual(counts);
    tf.dispose([x, w, dW]);
  });

  it('keeps its fixes over the stock kernels across backend switches, and is idempotent', async () => {
    // A backend's fixes land once its module has loaded and it has been activated.
    await setBackend('cpu');
    for (const backend of ['wasm', 'cpu', 'wasm', 'cpu'] as const) {
      await setBackend(backend);
      registerArchzooKernels();
      registerArchzooKernels();
      expect(tf.getKernel(tf.MaxPoolGrad, 'wasm')?.kernelFunc).toBe(maxPoolGrad);
      expect(tf.getKernel(tf.Conv2DBackpropInput, 'wasm')?.kernelFunc).toBe(conv2dBackpropInput);
      expect(tf.getKernel(tf.ResizeBilinearGrad, 'wasm')?.kernelFunc).toBe(resizeBilinearGrad);
      expect(tf.getKernel(tf.ResizeNearestNeighborGrad, 'wasm')?.kernelFunc).toBe(
        resizeNearestNeighborGrad,
      );
      expect(tf.getKernel(tf.ResizeBilinearGrad, 'cpu')?.kernelFunc).toBe(resizeBilinearGrad);
      expect(tf.getKernel(tf.ResizeNearestNeighborGrad, 'cpu')?.kernelFunc).toBe(
        resizeNearestNeighborGrad,
      );
      expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')?.kernelFunc).toBe(conv2dBackpropFilter);
    }
    // cpu's own MaxPoolGrad and Conv2DBackpropInput are right and stay.
    expect(tf.getKernel(tf.MaxPoolGrad, 'cpu')?.kernelFunc).not.toBe(maxPoolGrad);
    expect(tf.getKernel(tf.Conv2DBackpropInput, 'cpu')?.kernelFunc).not.toBe(conv2dBackpropInput);
  });

  it('puts a fix back when a stock kernel is registered over it, at the next backend activation', async () => {
    await setBackend('wasm');
    const stock = (): tf.TensorInfo => {
      throw new Error('stock kernel');
    };
    tf.unregisterKernel(tf.MaxPoolGrad, 'wasm');
    tf.registerKernel({ kernelName: tf.MaxPoolGrad, backendName: 'wasm', kernelFunc: stock });
    expect(tf.getKernel(tf.MaxPoolGrad, 'wasm')?.kernelFunc).toBe(stock);
    await setBackend('cpu');
    await setBackend('wasm');
    expect(tf.getKernel(tf.MaxPoolGrad, 'wasm')?.kernelFunc).toBe(maxPoolGrad);
  });
});
