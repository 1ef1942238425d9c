/**
 * The input projection of a recurrent layer for ALL time steps in one matrix product:
 * `xp = x W_ih^T + bias` `[N, G]` for x `[N, I]` (N = T * B rows), W_ih `[G, I]`, bias `[G]`. The
 * bias rides in the product as a column of ones appended to x and a row appended to W_ih^T.
 */
import { type DenseMath, product, transposeInto } from './dense_math.js';
import { scratch } from './kernel_args.js';

/** x `[rows, I]`, w `[G, I]` (PyTorch layout), bias `[G]` -> x w^T + bias `[rows, G]`, into `out`. */
export function projectInputs(
  math: DenseMath,
  x: Float32Array,
  rows: number,
  w: Float32Array,
  bias: Float32Array,
  out: Float32Array,
): Float32Array {
  const g = bias.length;
  const cols = w.length / g;
  const x1 = scratch('projection.x1', rows * (cols + 1)); // [rows, I + 1]: x, then ones
  for (let r = 0; r < rows; r++) {
    x1.set(x.subarray(r * cols, (r + 1) * cols), r * (cols + 1));
    x1[r * (cols + 1) + cols] = 1;
  }
  const wt = new Float32Array((cols + 1) * g); // [I + 1, G]: w^T, then the bias
  transposeInto(w, g, cols, wt);
  wt.set(bias, cols * g);
  return product(math, x1, rows, wt, cols + 1, g, out);
}
