/**
 * The weight and bias gradients of a recurrent layer for ALL time steps in one matrix product:
 * with the pre-activation gradients of every step held transposed, `dA^T` `[G, N]` (N = T * B
 * columns, one per step and sequence), and the features each weight multiplied,
 * `F_1 [N, k_1], F_2 [N, k_2], ...`,
 *
 *   dW_i = dA^T F_i  `[G, k_i]`,   db = the row sums of dA^T  `[G]`,
 *
 * computed together as `dA^T [F_1 | F_2 | ... | 1]` `[G, k_1 + k_2 + ... + 1]` (the column of
 * ones gives the bias sums). The right operand, which XNNPACK packs anew for each product, is the
 * narrow feature matrix (about 3x faster than packing `dA` here).
 */
import { type DenseMath, product } from './dense_math.js';
import { scratch } from './kernel_args.js';

/** A feature block `[rows, cols]` (row-major) that multiplied one weight. */
export interface FeatureBlock {
  values: Float32Array;
  cols: number;
}

export interface WeightGrads {
  /** `[G, k_i]`, in the order of the feature blocks. */
  weights: Float32Array[];
  /** `[G]` */
  bias: Float32Array;
}

/** `dAT` `[g, rows]` and the feature blocks `[rows, k_i]` -> dW_i `[g, k_i]` and db `[g]`. */
export function weightGrads(
  math: DenseMath,
  dAT: Float32Array,
  g: number,
  rows: number,
  features: readonly FeatureBlock[],
): WeightGrads {
  const k = features.reduce((s, f) => s + f.cols, 0) + 1;
  const f = scratch('weightGrads.f', rows * k); // [rows, k]: the feature blocks side by side, then ones
  let col = 0;
  for (const { values, cols } of features) {
    copyColumns(values, cols, f, k, col, rows);
    col += cols;
  }
  for (let r = 0; r < rows; r++) f[r * k + col] = 1;
  const prod = product(math, dAT, g, f, rows, k); // [g, k]
  col = 0;
  const weights = features.map(({ cols }) => {
    const w = new Float32Array(g * cols); // [g, cols]
    for (let p = 0; p < g; p++) w.set(prod.subarray(p * k + col, p * k + col + cols), p * cols);
    col += cols;
    return w;
  });
  const bias = new Float32Array(g);
  for (let p = 0; p < g; p++) bias[p] = prod[p * k + col]!;
  return { weights, bias };
}

/** dst[r, at + c] = src[r, c] for src `[rows, cols]`, dst `[rows, width]`. */
function copyColumns(
  src: Float32Array,
  cols: number,
  dst: Float32Array,
  width: number,
  at: number,
  rows: number,
): void {
  for (let r = 0; r < rows; r++) dst.set(src.subarray(r * cols, (r + 1) * cols), r * width + at);
}
