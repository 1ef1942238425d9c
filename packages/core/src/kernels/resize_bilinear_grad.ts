import type * as tf from '@tensorflow/tfjs-core';
import { jsKernel, makeOutput, type NumericValues, readValues } from './kernel_io.js';

/** Source coordinate of output row/column `i`: half-pixel centres, aligned corners or plain scaling. */
function sourceCoordinate(i: number, ratio: number, halfPixelCenters: boolean): number {
  return halfPixelCenters ? ratio * (i + 0.5) - 0.5 : ratio * i;
}

/** `(in - 1) / (out - 1)` with aligned corners (and out > 1), else `in / out`: tfjs's scale. */
export function resizeRatio(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
}

/** The sizes and scales both resize gradients loop over (NHWC images and dY). */
export interface ResizeGradGeometry {
  batch: number;
  inH: number;
  inW: number;
  c: number;
  outH: number;
  outW: number;
  rowRatio: number;
  colRatio: number;
}

/** Sizes of images `[N, H, W, C]` and dy `[N, H_out, W_out, C]`, with tfjs's row and column scales. */
export function resizeGradGeometry(
  imagesShape: readonly number[],
  dyShape: readonly number[],
  alignCorners: boolean,
): ResizeGradGeometry {
  const [batch, inH, inW, c] = imagesShape as [number, number, number, number];
  const [, outH, outW] = dyShape as [number, number, number, number];
  const rowRatio = resizeRatio(inH, outH, alignCorners);
  const colRatio = resizeRatio(inW, outW, alignCorners);
  return { batch, inH, inW, c, outH, outW, rowRatio, colRatio };
}

/** A resize gradient's values: dy, the shapes of images and dy, alignCorners, halfPixelCenters. */
export type ResizeGradValues = (
  dy: NumericValues,
  imagesShape: readonly number[],
  dyShape: readonly number[],
  alignCorners: boolean,
  halfPixelCenters: boolean,
) => Float64Array;

/**
 * A resize gradient kernel (inputs `images`, `dy`; attrs alignCorners, halfPixelCenters) from its
 * values function; the output is float32 shaped like `images`.
 */
export function resizeGradKernel(values: ResizeGradValues): tf.KernelFunc {
  return jsKernel<'images' | 'dy', tf.ResizeBilinearGradAttrs>(({ images, dy }, attrs, backend) => {
    const dX = values(
      readValues(backend, dy),
      images.shape,
      dy.shape,
      attrs.alignCorners,
      attrs.halfPixelCenters,
    );
    return makeOutput(backend, [...images.shape], 'float32', dX);
  });
}

/**
 * The gradient of bilinear resizing on NHWC data, the exact adjoint of tfjs's forward: output
 * pixel (r, c) reads rows floor(y), min(H - 1, ceil(y)) with weights 1 - fy, fy (y clamped below
 * at 0, fy = y - floor) and likewise columns, so dX gets dY times the same four weights.
 * images `[N, H, W, C]` (shape only), dy `[N, H_out, W_out, C]` -> float64 values of `[N, H, W, C]`.
 */
export function resizeBilinearGradValues(
  dy: NumericValues,
  imagesShape: readonly number[],
  dyShape: readonly number[],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Float64Array {
  const { batch, inH, inW, c, outH, outW, rowRatio, colRatio } = resizeGradGeometry(
    imagesShape,
    dyShape,
    alignCorners,
  );
  const dX = new Float64Array(batch * inH * inW * c);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outH; r++) {
      const y = sourceCoordinate(r, rowRatio, halfPixelCenters);
      const top = Math.max(0, Math.floor(y));
      const bottom = Math.min(inH - 1, Math.ceil(y));
      const fy = y - top;
      const topOff = (b * inH + top) * inW;
      const bottomOff = (b * inH + bottom) * inW;
      for (let col = 0; col < outW; col++) {
        const x = sourceCoordinate(col, colRatio, halfPixelCenters);
        const left = Math.max(0, Math.floor(x));
        const right = Math.min(inW - 1, Math.ceil(x));
        const fx = x - left;
        const tl = (topOff + left) * c;
        const tr = (topOff + right) * c;
        const bl = (bottomOff + left) * c;
        const br = (bottomOff + right) * c;
        const wTl = (1 - fy) * (1 - fx);
        const wTr = (1 - fy) * fx;
        const wBl = fy * (1 - fx);
        const wBr = fy * fx;
        const dyOff = ((b * outH + r) * outW + col) * c;
        for (let ch = 0; ch < c; ch++) {
          const g = dy[dyOff + ch];
          dX[tl + ch] += g * wTl;
          dX[tr + ch] += g * wTr;
          dX[bl + ch] += g * wBl;
          dX[br + ch] += g * wBr;
        }
      }
    }
  }
  return dX;
}

/**
 * `ResizeBilinearGrad` (inputs `images`, `dy`; attrs alignCorners, halfPixelCenters): the gradient
 * of `tf.image.resizeBilinear`, shaped like `images`. Replaces the stock cpu and wasm kernels,
 * which ignore halfPixelCenters (the cpu one also swaps H and W in its output shape).
 */
export const resizeBilinearGrad = resizeGradKernel(resizeBilinearGradValues);
