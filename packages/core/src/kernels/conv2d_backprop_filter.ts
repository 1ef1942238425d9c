import { backend_util, type Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs-core';
import {
  jsKernel,
  makeOutput,
  type NumericValues,
  readValues,
  requireChannelsLast,
} from './kernel_io.js';

/**
 * The filter gradient of a 2-D convolution on NHWC data:
 * dW[i, j, ci, co] = sum over b, y, x of X[b, y sh + i - pt, x sw + j - pl, ci] * dY[b, y, x, co]
 * (taps that fall in the padding read zero). x `[N, H, W, C_in]`, dy `[N, H_out, W_out, C_out]`
 * -> float64 values of `[kh, kw, C_in, C_out]`. The innermost loop runs over C_out, contiguous in
 * both dY and dW.
 */
export function conv2dBackpropFilterValues(
  x: NumericValues,
  dy: NumericValues,
  info: backend_util.Conv2DInfo,
): Float64Array {
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: ci,
    outHeight,
    outWidth,
    outChannels: co,
  } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
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
 * of `tf.conv2d` with respect to its filter, `[kh, kw, C_in, C_out]`. Same semantics as tfjs's cpu kernel.
 */
export const conv2dBackpropFilter = jsKernel<'x' | 'dy', Conv2DBackpropFilterAttrs>(
  ({ x, dy }, attrs, backend) => {
    requireChannelsLast('Conv2DBackpropFilter', attrs.dataFormat);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    const dW = conv2dBackpropFilterValues(readValues(backend, x), readValues(backend, dy), info);
    return makeOutput(backend, info.filterShape, 'float32', dW);
  },
);
