import type { NumericValues } from './kernel_io.js';
import { resizeGradGeometry, resizeGradKernel } from './resize_bilinear_grad.js';

/**
 * Source row/column of output index `i` in tfjs's forward: min(in - 1, round or floor of the
 * scaled index), with half-pixel centres scaling `i + 0.5` and clamping below at 0.
 */
function nearestSource(
  i: number,
  ratio: number,
  inSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): number {
  const s = halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
  const n = Math.min(inSize - 1, alignCorners ? Math.round(s) : Math.floor(s));
  return halfPixelCenters ? Math.max(0, n) : n;
}

/**
 * The gradient of nearest-neighbour resizing on NHWC data: each output pixel adds its dY to the
 * input pixel it copied. images `[N, H, W, C]` (shape only), dy `[N, H_out, W_out, C]`
 * -> float64 values of `[N, H, W, C]`.
 */
export function resizeNearestNeighborGradValues(
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
  const cols = new Int32Array(outW);
  for (let col = 0; col < outW; col++)
    cols[col] = nearestSource(col, colRatio, inW, alignCorners, halfPixelCenters);
  const dX = new Float64Array(batch * inH * inW * c);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outH; r++) {
      const rowOff =
        (b * inH + nearestSource(r, rowRatio, inH, alignCorners, halfPixelCenters)) * inW;
      for (let col = 0; col < outW; col++) {
        const dst = (rowOff + cols[col]) * c;
        const dyOff = ((b * outH + r) * outW + col) * c;
        for (let ch = 0; ch < c; ch++) dX[dst + ch] += dy[dyOff + ch];
      }
    }
  }
  return dX;
}

/**
 * `ResizeNearestNeighborGrad` (inputs `images`, `dy`; attrs alignCorners, halfPixelCenters): the
 * gradient of `tf.image.resizeNearestNeighbor`, shaped like `images`. Replaces the stock cpu
 * kernel (wrong for batch > 1) and both cpu and wasm for halfPixelCenters, which they ignore.
 */
export const resizeNearestNeighborGrad = resizeGradKernel(resizeNearestNeighborGradValues);
