import type { backend_util, DepthwiseConv2dNativeBackpropFilterAttrs } from '@tensorflow/tfjs-core';
import { convGeometry, convGradInfo } from './conv_geometry.js';
import { jsKernel, makeOutput, type NumericValues, readValues } from './kernel_io.js';

/**
 * The filter gradient of a depthwise 2-D convolution on NHWC data. Output channel
 * `c * M + m` reads input channel `c` through filter `[., ., c, m]`, so
 * dW[i, j, c, m] = sum over b, y, x of X[b, y sh + i dh - pt, x sw + j dw - pl, c] * dY[b, y, x, c M + m].
 * x `[N, H, W, C]`, dy `[N, H_out, W_out, C M]` -> float64 values of `[kh, kw, C, M]`.
 * Channel `c * M + m` is contiguous in dY and dW alike, so the inner loops walk both in order.
 */
export function depthwiseConv2dBackpropFilterValues(
  x: NumericValues,
  dy: NumericValues,
  info: backend_util.Conv2DInfo,
): Float64Array {
  const g = convGeometry(info);
  const { batchSize, inHeight, inWidth, ci: c, outHeight, outWidth, co: cm } = g;
  const { kh, kw, sh, sw, dh, dw, top, left } = g;
  const mult = cm / c;
  const dW = new Float64Array(kh * kw * cm);
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
              for (let ch = 0; ch < c; ch++) dW[wOff + ch] += x[xOff + ch] * dy[dyOff + ch];
              continue;
            }
            for (let ch = 0; ch < c; ch++) {
              const xv = x[xOff + ch];
              const k = ch * mult;
              for (let m = 0; m < mult; m++) dW[wOff + k + m] += xv * dy[dyOff + k + m];
            }
          }
        }
      }
    }
  }
  return dW;
}

/**
 * `DepthwiseConv2dNativeBackpropFilter` (inputs `x`, `dy`; attrs strides, dilations, pad incl.
 * explicit, dimRoundingMode, filterShape `[kh, kw, C, M]`): the gradient of `tf.depthwiseConv2d`
 * with respect to its filter. Same semantics as tfjs's cpu kernel, and dilations are honoured
 * (the cpu kernel ignores them; tfjs's gradient only ever asks for dilation 1).
 */
export const depthwiseConv2dBackpropFilter = jsKernel<
  'x' | 'dy',
  DepthwiseConv2dNativeBackpropFilterAttrs
>(({ x, dy }, attrs, backend) => {
  const info = convGradInfo(x.shape, attrs.filterShape, attrs, true);
  const dW = depthwiseConv2dBackpropFilterValues(
    readValues(backend, x),
    readValues(backend, dy),
    info,
  );
  return makeOutput(backend, info.filterShape, 'float32', dW);
});
