/**
 * The weight and bias gradients of a recurrent layer for ALL time steps in one matrix product:
 * with the pre-activation gradients `dA` `[N, G]` (N = T * B rows, one per step and sequence) and
 * the features each weight multiplied, `F_1 [N, k_1], F_2 [N, k_2], ...`,
 *
 *   dW_i = dA^T F_i  `[G, k_i]`,   db = sum over rows of dA  `[G]`,
 *
 * computed together as `[F_1 | F_2 | ... | 1]^T dA` `[k_1 + k_2 + ... + 1, G]` (the row of ones
 * gives the bias sums), then transposed block by block. Only the features are transposed up
 * front (they are narrower than `dA`); no product has a transposed operand.
 */
import { type DenseMath, product } from './dense_math.js';

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

/** `dA` `[rows, g]` and the feature blocks `[rows, k_i]` -> dW_i `[g, k_i]` and db `[g]`. */
export function weightGrads(
  math: DenseMath,
  dA: Float32Array,
  rows: number,
  g: number,
  features: readonly FeatureBlock[],
): WeightGrads {
  const k = features.reduce((s, f) => s + f.cols, 0) + 1;
  const ft = new Float32Array(k * rows); // [k, rows]: the features transposed, then ones
  let row = 0;
  for (const { values, cols } of features) {
    for (let r = 0; r < rows; r++) {
      const src = r * cols;
      for (let c = 0; c < cols; c++) ft[(row + c) * rows + r] = values[src + c]!;
    }
    row += cols;
  }
  ft.fill(1, row * rows);
  const prod = product(math, ft, k, dA, rows, g); // [k, g]
  const weights: Float32Array[] = [];
  row = 0;
  for (const { cols } of features) {
    const w = new Float32Array(g * cols); // [g, cols]
    for (let c = 0; c < cols; c++) {
      const src = (row + c) * g;
      for (let p = 0; p < g; p++) w[p * cols + c] = prod[src + p]!;
    }
    weights.push(w);
    row += cols;
  }
  return { weights, bias: prod.slice(row * g, (row + 1) * g) };
}
