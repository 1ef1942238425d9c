import { backend_util, type MaxPoolGradAttrs } from '@tensorflow/tfjs-core';
import { jsKernel, makeOutput, type NumericValues, readValues } from './kernel_io.js';

/**
 * The gradient of 2-D max pooling on NHWC data: each output pixel sends its dY to the first
 * maximum of its window (row-major order; padding never wins, whatever the sign of the values),
 * as tfjs's cpu kernel does. x `[N, H, W, C]`, dy `[N, H_out, W_out, C]` -> float64 values of x's shape.
 */
export function maxPoolGradValues(
  x: NumericValues,
  dy: NumericValues,
  info: backend_util.Conv2DInfo,
): Float64Array {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dX = new Float64Array(batchSize * inHeight * inWidth * c);
  const best = new Float64Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        best.fill(Number.NEGATIVE_INFINITY);
        at.fill(-1);
        for (let wR = 0; wR < kh; wR++) {
          const xR = yR * sh + wR * dh - top;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < kw; wC++) {
            const xC = yC * sw + wC * dw - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xOff = ((b * inHeight + xR) * inWidth + xC) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[xOff + ch];
              if (v > best[ch]) {
                best[ch] = v;
                at[ch] = xOff + ch;
              }
            }
          }
        }
        const dyOff = ((b * outHeight + yR) * outWidth + yC) * c;
        for (let ch = 0; ch < c; ch++) if (at[ch] >= 0) dX[at[ch]] += dy[dyOff + ch];
      }
    }
  }
  return dX;
}

/**
 * `MaxPoolGrad` (inputs `dy`, `input`, `output`; attrs filterSize, strides, pad incl. explicit,
 * dimRoundingMode): the gradient of `tf.maxPool`, shaped like its input. Replaces tfjs-wasm's
 * kernel, which lets the zero padding win windows whose real values are all negative.
 */
export const maxPoolGrad = jsKernel<'dy' | 'input' | 'output', MaxPoolGradAttrs>(
  ({ dy, input }, attrs, backend) => {
    const info = backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const dX = maxPoolGradValues(readValues(backend, input), readValues(backend, dy), info);
    return makeOutput(backend, [...input.shape], 'float32', dX);
  },
);
