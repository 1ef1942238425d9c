/**
 * Orthogonal initialization: Saxe, McClelland & Ganguli 2014, "Exact solutions to the nonlinear
 * dynamics of learning in deep linear neural networks" (ICLR); the Haar-distributed sampler of
 * Mezzadri 2007, "How to generate random matrices from the classical compact groups".
 *
 * A Gaussian matrix A = Q R gives a Haar (uniformly distributed) Q only after the sign fix
 * Q <- Q diag(sign(R_kk)): LAPACK's Householder QR picks R_kk = -sign(x_0) ||x||, which biases Q.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WeightLayout } from './fans.js';
import { type RandomOptions, sizeOf } from './options.js';
import { formQ, type HouseholderFactors, householderFactor, makeReflector } from './qr.js';
import { defaultGenerator, type Generator } from './random.js';

/**
 * How the Haar sample is drawn. Both give exactly the same distribution.
 * - 'qr': Householder QR of an m x n Gaussian matrix with the sign fix, as
 *   `torch.nn.init.orthogonal_` does it.
 * - 'householder' (default): Stewart 1980 ("The efficient generation of random orthogonal
 *   matrices with an application to condition estimators"): the same Householder QR with the same
 *   sign fix, except that column k's trailing part, which after k - 1 reflections is again an
 *   i.i.d. N(0, I) vector independent of them, is drawn fresh instead of computed by the trailing
 *   update. It skips the factorization's matrix products: half the flops, and about half the time.
 */
export type OrthogonalMethod = 'qr' | 'householder';

/**
 * m x n (m >= n) matrix with orthonormal columns, Haar distributed, column-major.
 * Q = H_1 ... H_n [I_n; 0] diag(sign(R_kk)).
 */
export function haarColumns(
  m: number,
  n: number,
  g: Generator,
  method: OrthogonalMethod = 'qr',
): Float64Array {
  if (n > m) throw new RangeError(`haarColumns: expected m >= n, got ${m} x ${n}`);
  const a = new Float64Array(m * n);
  let f: HouseholderFactors;
  if (method === 'qr') {
    for (let i = 0; i < a.length; i++) a[i] = g.normal();
    f = householderFactor(a, m, n);
  } else {
    const tau = new Float64Array(n);
    const rDiag = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // A fresh Gaussian in rows k..m-1: what the trailing update would have produced, in law.
      for (let i = k; i < m; i++) a[k * m + i] = g.normal();
      [tau[k], rDiag[k]] = makeReflector(a, m, k);
    }
    f = { m, n, a, tau, rDiag };
  }
  const q = formQ(f, n);
  for (let k = 0; k < n; k++) {
    if (f.rDiag[k] >= 0) continue; // sign(0) counts as +1
    for (let i = 0; i < m; i++) q[k * m + i] = -q[k * m + i];
  }
  return q;
}

/**
 * The transpose of a row-major rows x cols matrix (times `scale`), in 32 x 32 tiles: a plain
 * strided loop misses the cache and the TLB on every write and takes a second for 1024 x 1024.
 */
function transpose(a: Float64Array, rows: number, cols: number, scale = 1): Float64Array {
  const out = new Float64Array(rows * cols);
  const T = 32;
  for (let i0 = 0; i0 < rows; i0 += T) {
    const i1 = Math.min(rows, i0 + T);
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = Math.min(cols, j0 + T);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) out[j * rows + i] = scale * a[i * cols + j];
      }
    }
  }
  return out;
}

/**
 * A Haar-distributed rows x cols matrix, row-major, with orthonormal rows (rows <= cols) or
 * orthonormal columns (rows >= cols): W W^T = I or W^T W = I.
 *
 * @example
 * const w = randomOrthogonal(3, 5, { generator: new Generator(0) }); // 3 orthonormal rows of length 5
 */
export function randomOrthogonal(
  rows: number,
  cols: number,
  opts: RandomOptions & { method?: OrthogonalMethod } = {},
): Float64Array {
  const g = opts.generator ?? defaultGenerator();
  const method = opts.method ?? 'householder';
  // A column-major m x n matrix is the row-major n x m matrix of its transpose.
  if (rows >= cols) return transpose(haarColumns(rows, cols, g, method), cols, rows);
  // Orthonormal rows: the transpose of a cols x rows sample, whose columns are our rows.
  return haarColumns(cols, rows, g, method);
}

/** Options of `orthogonal`. */
export interface OrthogonalOptions extends RandomOptions {
  /** Multiplies the orthogonal matrix. Default 1. */
  gain?: number;
  /**
   * Which axis counts as rows (the output units). 'torch' (default): rows = shape[0], the rest
   * flattened, as `torch.nn.init.orthogonal_`. 'archzoo': rows = shape[-1] (the `out` of
   * `[in, out]` and `[...k, in, out]`); the result is the same weight as the torch one, permuted.
   */
  layout?: WeightLayout;
  /** See `OrthogonalMethod`. Default 'householder'. */
  method?: OrthogonalMethod;
}

/**
 * Orthogonal init (Saxe et al. 2014), Haar distributed: W = gain * Q with Q the rows x cols
 * flattening of `shape` (rows = output units, cols = numel / rows) and
 * Q Q^T = I if rows <= cols, Q^T Q = I otherwise (`torch.nn.init.orthogonal_`).
 * Q comes from Householder reflections of Gaussian vectors with the sign fix Q diag(sign(R_kk))
 * (see `OrthogonalMethod`: a QR of a Gaussian matrix, or Stewart's equivalent with half the
 * flops); float64 throughout, rounded to float32 at the end.
 *
 * @example
 * orthogonal([256, 256], { gain: calculateGain('tanh') });
 * orthogonal([3, 3, 64, 64], { layout: 'archzoo' }); // rows = 64 outputs, cols = 3 * 3 * 64
 */
export function orthogonal(shape: readonly number[], opts: OrthogonalOptions = {}): tf.Tensor {
  if (shape.length < 2) {
    throw new RangeError(
      `orthogonal: only tensors with 2 or more dimensions are supported, got [${shape.join(', ')}]`,
    );
  }
  const numel = sizeOf(shape);
  const layout = opts.layout ?? 'torch';
  const rows = layout === 'torch' ? shape[0]! : shape[shape.length - 1]!;
  const cols = rows === 0 ? 0 : numel / rows;
  const gain = opts.gain ?? 1;
  const q = randomOrthogonal(rows, cols, { generator: opts.generator, method: opts.method }); // [rows, cols]
  const out = new Float32Array(numel);
  if (layout === 'torch') {
    for (let i = 0; i < numel; i++) out[i] = gain * q[i];
  } else {
    // archzoo [...rest, rows]: element (c, r) is Q[r, c].
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) out[c * rows + r] = gain * q[r * cols + c];
  }
  return tf.tensor(out, shape as number[], 'float32');
}
