import type * as tf from '@tensorflow/tfjs-core';
import type { backend_util, Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs-core';
import { convGeometry, convGradInfo } from './conv_geometry.js';
import { batchBlock, im2colTransposed } from './im2col.js';
import {
  jsKernel,
  makeOutput,
  type NumericValues,
  readValues,
  requireChannelsLast,
  type ValuesBackend,
} from './kernel_io.js';
import { hasWasmMatMul, takeValues, wasmMatMul } from './wasm_matmul.js';

/** Elements of the largest im2col block (64 MiB of float32) the wasm route builds at once. */
const MAX_BLOCK = 1 << 24;

/**
 * The kernel's route on wasm: dW `[K, C_out]` = sum over blocks of batch items of im2col(x)^T
 * `[K, P]` · dY `[P, C_out]`, each product by tfjs-wasm's BatchMatMul (XNNPACK), about ten times
 * faster than the loops. K = kh kw C_in; a block's im2col matrix stays under `maxBlock` elements.
 * Returns a new wasm tensor `[kh, kw, C_in, C_out]`.
 */
export function conv2dBackpropFilterWasm(
  backend: ValuesBackend,
  x: NumericValues,
  dy: tf.TensorInfo,
  info: backend_util.Conv2DInfo,
  maxBlock = MAX_BLOCK,
): tf.TensorInfo {
  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  const pixels = info.outHeight * info.outWidth;
  const block = batchBlock(info, maxBlock);
  if (block >= info.batchSize) {
    const dW = wasmMatMul(
      backend,
      im2colTransposed(x, info, 0, info.batchSize),
      [K, info.batchSize * pixels],
      dy,
      [info.batchSize * pixels, co],
    );
    return { dataId: dW.dataId, shape: info.filterShape, dtype: 'float32' };
  }
  const dyValues = readValues(backend, dy) as Float32Array;
  const sum = new Float64Array(K * co);
  for (let b0 = 0; b0 < info.batchSize; b0 += block) {
    const b1 = Math.min(info.batchSize, b0 + block);
    const P = (b1 - b0) * pixels;
    const part = wasmMatMul(
      backend,
      im2colTransposed(x, info, b0, b1),
      [K, P],
      dyValues.subarray(b0 * pixels * co, b1 * pixels * co),
      [P, co],
    );
    const values = takeValues(backend, part);
    for (let i = 0; i < sum.length; i++) sum[i] += values[i];
  }
  return makeOutput(backend, info.filterShape, 'float32', sum);
}

/**
 * The filter gradient of a 2-D convolution on NHWC data:
 * dW[i, j, ci, co] = sum over b, y, x of X[b, y sh + i - pt, x sw + j - pl, ci] * dY[b, y, x, co]
 * (taps that fall in the padding read zero). x `[N, H, W, C_in]`, dy `[N, H_out, W_out, C_out]`
 * -> float64 values of `[kh, kw, C_in, C_out]`. The innermost loop runs over C_out, contiguous in
 * both dY and dW. The kernel's route off wasm.
 */
export function conv2dBackpropFilterValues(
  x: NumericValues,
  dy: NumericValues,
  info: backend_util.Conv2DInfo,
): Float64Array {
  const g = convGeometry(info);
  const { batchSize, inHeight, inWidth, ci, outHeight, outWidth, co } = g;
  const { kh, kw, sh, sw, dh, dw, top, left } = g;
  const dW = new Float64Array(kh * kw * ci * co);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyOff = ((b * outHeight + yR) * outWidth + yC) * co;
        for (let wR = 0; wR < kh; wR++) {
          const xR = yR * sh + wR * dh - top;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < kw; wC++) {
            const xC = yC * sw + wC * dw - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xOff = ((b * inHeight + xR) * inWidth + xC) * ci;
            const wOff = (wR * kw + wC) * ci * co;
            for (let c = 0; c < ci; c++) {
              const xv = x[xOff + c];
              const base = wOff + c * co;
              for (let o = 0; o < co; o++) dW[base + o] += xv * dy[dyOff + o];
            }
          }
        }
      }
    }
  }
  return dW;
}

/**
 * `Conv2DBackpropFilter` (inputs `x`, `dy`; attrs strides, pad incl. explicit
 * `[[0, 0], [t, b], [l, r], [0, 0]]`, dataFormat NHWC, dimRoundingMode, filterShape): the gradient
 * of `tf.conv2d` with respect to its filter, `[kh, kw, C_in, C_out]`. Same semantics as tfjs's cpu
 * kernel; on wasm it is an im2col matrix product run by tfjs-wasm's BatchMatMul.
 */
export const conv2dBackpropFilter = jsKernel<'x' | 'dy', Conv2DBackpropFilterAttrs>(
  ({ x, dy }, attrs, backend) => {
    requireChannelsLast('Conv2DBackpropFilter', attrs.dataFormat);
    const info = convGradInfo(x.shape, attrs.filterShape, attrs, false);
    if (hasWasmMatMul(backend) && dy.dtype === 'float32') {
      return conv2dBackpropFilterWasm(backend, readValues(backend, x), dy, info);
    }
    const dW = conv2dBackpropFilterValues(readValues(backend, x), readValues(backend, dy), info);
    return makeOutput(backend, info.filterShape, 'float32', dW);
  },
);
