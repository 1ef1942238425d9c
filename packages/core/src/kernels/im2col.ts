import type { backend_util } from '@tensorflow/tfjs-core';
import type { NumericValues } from './kernel_io.js';

/**
 * Batch items per im2col block so that a `[K, items * H_out * W_out]` matrix stays under
 * `maxElements` (at least 1 item).
 */
export function batchBlock(info: backend_util.Conv2DInfo, maxElements: number): number {
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  return Math.max(1, Math.floor(maxElements / (k * info.outHeight * info.outWidth)));
}

/**
 * The transposed im2col matrix of batch items [b0, b1) of an NHWC convolution: row
 * `(i kw + j) C_in + c`, column `((b - b0) H_out + y) W_out + x` holds
 * X[b, y sh + i dh - pt, x sw + j dw - pl, c] (0 in the padding).
 * x `[N, H, W, C_in]` -> `[kh kw C_in, (b1 - b0) H_out W_out]`, so dW = cols · dY.
 */
export function im2colTransposed(
  x: NumericValues,
  info: backend_util.Conv2DInfo,
  b0: number,
  b1: number,
): Float32Array {
  const { inHeight, inWidth, inChannels: ci, outHeight, outWidth } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const P = (b1 - b0) * outHeight * outWidth;
  const cols = new Float32Array(kh * kw * ci * P);
  // Row by row, so the writes run contiguously along the output pixels.
  for (let wR = 0; wR < kh; wR++) {
    for (let wC = 0; wC < kw; wC++) {
      for (let c = 0; c < ci; c++) {
        const row = ((wR * kw + wC) * ci + c) * P;
        for (let b = b0; b < b1; b++) {
          for (let yR = 0; yR < outHeight; yR++) {
            const xR = yR * sh + wR * dh - top;
            if (xR < 0 || xR >= inHeight) continue;
            const out = row + ((b - b0) * outHeight + yR) * outWidth;
            const xRow = (b * inHeight + xR) * inWidth;
            for (let yC = 0; yC < outWidth; yC++) {
              const xC = yC * sw + wC * dw - left;
              if (xC >= 0 && xC < inWidth) cols[out + yC] = x[(xRow + xC) * ci + c];
            }
          }
        }
      }
    }
  }
  return cols;
}

/**
 * Adds an im2col-shaped gradient back onto the input it was gathered from (col2im): for batch
 * items [b0, b1), row `((b - b0) H_out + y) W_out + x`, column `(i kw + j) C_in + c` of `cols`
 * `[(b1 - b0) H_out W_out, kh kw C_in]` adds to dX[b, y sh + i dh - pt, x sw + j dw - pl, c]
 * (taps in the padding are dropped). dX `[N, H, W, C_in]` accumulates in float64.
 */
export function col2imAdd(
  cols: NumericValues,
  info: backend_util.Conv2DInfo,
  b0: number,
  b1: number,
  dX: Float64Array,
): void {
  const { inHeight, inWidth, inChannels: ci, outHeight, outWidth } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const K = kh * kw * ci;
  for (let b = b0; b < b1; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const rowOff = (((b - b0) * outHeight + yR) * outWidth + yC) * K;
        for (let wR = 0; wR < kh; wR++) {
          const xR = yR * sh + wR * dh - top;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < kw; wC++) {
            const xC = yC * sw + wC * dw - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xOff = ((b * inHeight + xR) * inWidth + xC) * ci;
            const colOff = rowOff + (wR * kw + wC) * ci;
            for (let c = 0; c < ci; c++) dX[xOff + c] += cols[colOff + c];
          }
        }
      }
    }
  }
}
