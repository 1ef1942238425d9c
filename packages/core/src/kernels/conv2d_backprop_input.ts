import type * as tf from '@tensorflow/tfjs-core';
import type { backend_util, Conv2DBackpropInputAttrs } from '@tensorflow/tfjs-core';
import { convGeometry, convGradInfo } from './conv_geometry.js';
import { batchBlock, col2imAdd } from './im2col.js';
import {
  jsKernel,
  makeOutput,
  type NumericValues,
  readValues,
  requireChannelsLast,
  type ValuesBackend,
} from './kernel_io.js';
import { hasWasmMatMul, takeValues, wasmMatMul } from './wasm_matmul.js';

/** Elements of the largest column-gradient block (64 MiB of float32) the wasm route makes at once. */
const MAX_BLOCK = 1 << 24;

/**
 * The input gradient of a 2-D convolution on NHWC data:
 * dX[b, y sh + i - pt, x sw + j - pl, c] += sum over co of dY[b, y, x, co] * W[i, j, c, co].
 * dy `[N, H_out, W_out, C_out]`, filter `[kh, kw, C_in, C_out]` -> float64 values of `[N, H, W, C_in]`.
 * The inner loop runs over C_out, contiguous in dY and W. The kernel's route off wasm.
 */
export function conv2dBackpropInputValues(
  dy: NumericValues,
  filter: NumericValues,
  info: backend_util.Conv2DInfo,
): Float64Array {
  const g = convGeometry(info);
  const { batchSize, inHeight, inWidth, ci, outHeight, outWidth, co } = g;
  const { kh, kw, sh, sw, top, left } = g;
  const dX = new Float64Array(batchSize * inHeight * inWidth * ci);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyOff = ((b * outHeight + yR) * outWidth + yC) * co;
        for (let wR = 0; wR < kh; wR++) {
          const xR = yR * sh + wR - top;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < kw; wC++) {
            const xC = yC * sw + wC - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xOff = ((b * inHeight + xR) * inWidth + xC) * ci;
            const wOff = (wR * kw + wC) * ci * co;
            for (let c = 0; c < ci; c++) {
              const base = wOff + c * co;
              let sum = 0;
              for (let o = 0; o < co; o++) sum += dy[dyOff + o] * filter[base + o];
              dX[xOff + c] += sum;
            }
          }
        }
      }
    }
  }
  return dX;
}

/**
 * The kernel's route on wasm: per block of batch items, the column gradient dY `[P, C_out]` · W^T
 * `[C_out, K]` by tfjs-wasm's BatchMatMul (XNNPACK), then col2im adds it onto dX. K = kh kw C_in;
 * a block's `[P, K]` matrix stays under `maxBlock` elements. Returns a new wasm tensor of dX.
 */
export function conv2dBackpropInputWasm(
  backend: ValuesBackend,
  dy: tf.TensorInfo,
  filter: NumericValues,
  info: backend_util.Conv2DInfo,
  maxBlock = MAX_BLOCK,
): tf.TensorInfo {
  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  const wT = new Float32Array(co * K); // [C_out, K]
  for (let k = 0; k < K; k++) for (let o = 0; o < co; o++) wT[o * K + k] = filter[k * co + o];
  const pixels = info.outHeight * info.outWidth;
  const dX = new Float64Array(info.batchSize * info.inHeight * info.inWidth * info.inChannels);
  const block = batchBlock(info, maxBlock);
  const dyValues = block >= info.batchSize ? null : (readValues(backend, dy) as Float32Array);
  for (let b0 = 0; b0 < info.batchSize; b0 += block) {
    const b1 = Math.min(info.batchSize, b0 + block);
    const P = (b1 - b0) * pixels;
    const rows = dyValues ? dyValues.subarray(b0 * pixels * co, b1 * pixels * co) : dy;
    const cols = takeValues(backend, wasmMatMul(backend, rows, [P, co], wT, [co, K])); // [P, K]
    col2imAdd(cols, info, b0, b1, dX);
  }
  return makeOutput(backend, info.inShape, 'float32', dX);
}

/**
 * `Conv2DBackpropInput` (inputs `dy`, `filter`; attrs strides, pad incl. explicit, dataFormat NHWC,
 * dimRoundingMode, inputShape): the gradient of `tf.conv2d` with respect to its input (and the
 * forward pass of `tf.conv2dTranspose`). Same semantics as tfjs's cpu kernel. On wasm it replaces
 * the stock kernel, a plain loop about 15 times slower than the forward convolution.
 */
export const conv2dBackpropInput = jsKernel<'dy' | 'filter', Conv2DBackpropInputAttrs>(
  ({ dy, filter }, attrs, backend) => {
    requireChannelsLast('Conv2DBackpropInput', attrs.dataFormat);
    const info = convGradInfo(attrs.inputShape, filter.shape, attrs, false);
    const w = readValues(backend, filter);
    if (hasWasmMatMul(backend) && dy.dtype === 'float32') {
      return conv2dBackpropInputWasm(backend, dy, w, info);
    }
    const dX = conv2dBackpropInputValues(readValues(backend, dy), w, info);
    return makeOutput(backend, info.inShape, 'float32', dX);
  },
);
