import type { backend_util, DepthwiseConv2dNativeBackpropInputAttrs } from '@tensorflow/tfjs-core';
import { convGeometry, convGradInfo } from './conv_geometry.js';
import { jsKernel, makeOutput, type NumericValues, readValues } from './kernel_io.js';

/**
 * The input gradient of a depthwise 2-D convolution on NHWC data:
 * dX[b, y sh + i dh - pt, x sw + j dw - pl, c] += sum over m of dY[b, y, x, c M + m] * W[i, j, c, m].
 * dy `[N, H_out, W_out, C M]`, filter `[kh, kw, C, M]` -> float64 values of `[N, H, W, C]`.
 * It scatters from each output pixel; channel `c * M + m` is contiguous in dY and W alike.
 */
export function depthwiseConv2dBackpropInputValues(
  dy: NumericValues,
  filter: NumericValues,
  info: backend_util.Conv2DInfo,
): Float64Array {
  const g = convGeometry(info);
  const { batchSize, inHeight, inWidth, ci: c, outHeight, outWidth, co: cm } = g;
  const { kh, kw, sh, sw, dh, dw, top, left } = g;
  const mult = cm / c;
  const dX = new Float64Array(batchSize * inHeight * inWidth * c);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyOff = ((b * outHeight + yR) * outWidth + yC) * cm;
        for (let wR = 0; wR < kh; wR++) {
          const xR = yR * sh + wR * dh - top;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < kw; wC++) {
            const xC = yC * sw + wC * dw - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xOff = ((b * inHeight + xR) * inWidth + xC) * c;
            const wOff = (wR * kw + wC) * cm;
            if (mult === 1) {
              for (let ch = 0; ch < c; ch++) dX[xOff + ch] += dy[dyOff + ch] * filter[wOff + ch];
              continue;
            }
            for (let ch = 0; ch < c; ch++) {
              const k = ch * mult;
              let sum = 0;
              for (let m = 0; m < mult; m++) sum += dy[dyOff + k + m] * filter[wOff + k + m];
              dX[xOff + ch] += sum;
            }
          }
        }
      }
    }
  }
  return dX;
}

/**
 * `DepthwiseConv2dNativeBackpropInput` (inputs `dy`, `filter`; attrs strides, dilations, pad incl.
 * explicit, dimRoundingMode, inputShape): the gradient of `tf.depthwiseConv2d` with respect to its
 * input, `inputShape` `[N, H, W, C]`. Same semantics as tfjs's cpu kernel; dilations are honoured.
 */
export const depthwiseConv2dBackpropInput = jsKernel<
  'dy' | 'filter',
  DepthwiseConv2dNativeBackpropInputAttrs
>(({ dy, filter }, attrs, backend) => {
  const info = convGradInfo(attrs.inputShape, filter.shape, attrs, true);
  const dX = depthwiseConv2dBackpropInputValues(
    readValues(backend, dy),
    readValues(backend, filter),
    info,
  );
  return makeOutput(backend, info.inShape, 'float32', dX);
});
