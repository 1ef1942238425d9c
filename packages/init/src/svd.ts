/**
 * Singular values by one-sided Jacobi (Hestenes 1958; Demmel & Veselic 1992), on Float64Array.
 *
 * tfjs-core has no SVD. One-sided Jacobi rotates pairs of columns of A until all are mutually
 * orthogonal; the singular values are then the column norms. It is simple, and it computes even
 * tiny singular values to high relative accuracy, which matters for the Jacobian of a deep
 * Gaussian network, whose singular values span many orders of magnitude (forming J J^T would
 * square the condition number and lose them).
 */

/** Options of `singularValues`. */
export interface JacobiOptions {
  /** Rotate columns p, q while |u_p . u_q| > tol ||u_p|| ||u_q||. Default m * 2^-52. */
  tol?: number;
  /** Give up after this many sweeps (it converges in about 6-12). Default 60. */
  maxSweeps?: number;
}

/**
 * The min(m, n) singular values of a row-major m x n matrix, in decreasing order.
 * For each pair of columns (p, q) with alpha = |u_p|^2, beta = |u_q|^2, gamma = u_p . u_q:
 * zeta = (beta - alpha) / (2 gamma), t = sign(zeta) / (|zeta| + sqrt(1 + zeta^2)),
 * c = 1 / sqrt(1 + t^2), s = c t, and [u_p, u_q] <- [c u_p - s u_q, s u_p + c u_q],
 * which makes the pair orthogonal; sweeps repeat until no pair needs a rotation.
 *
 * @example
 * singularValues(new Float64Array([3, 0, 4, 5]), 2, 2); // [sqrt(45), sqrt(5)]
 */
export function singularValues(
  a: ArrayLike<number>,
  m: number,
  n: number,
  opts: JacobiOptions = {},
): Float64Array {
  if (a.length !== m * n)
    throw new RangeError(`singularValues: expected ${m}x${n} = ${m * n} values, got ${a.length}`);
  // Work on the tall orientation, columns contiguous: rows x cols with rows >= cols.
  const tall = m >= n;
  const rows = tall ? m : n;
  const cols = tall ? n : m;
  const u = new Float64Array(rows * cols);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      if (tall)
        u[j * rows + i] = a[i * n + j]; // column j of A
      else u[i * rows + j] = a[i * n + j]; // column i of A^T = row i of A
    }
  }
  const tol = opts.tol ?? rows * Number.EPSILON;
  const maxSweeps = opts.maxSweeps ?? 60;
  const norm2 = new Float64Array(cols);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    // Fresh norms each sweep; within it they are updated by the exact rotation formulas.
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += u[j * rows + i] ** 2;
      norm2[j] = s;
    }
    let rotated = false;
    for (let p = 0; p < cols - 1; p++) {
      const up = p * rows;
      for (let q = p + 1; q < cols; q++) {
        const alpha = norm2[p];
        const beta = norm2[q];
        if (alpha === 0 || beta === 0) continue;
        const uq = q * rows;
        let gamma = 0;
        for (let i = 0; i < rows; i++) gamma += u[up + i] * u[uq + i];
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < rows; i++) {
          const x = u[up + i];
          const y = u[uq + i];
          u[up + i] = c * x - s * y;
          u[uq + i] = s * x + c * y;
        }
        norm2[p] = alpha - t * gamma;
        norm2[q] = beta + t * gamma;
      }
    }
    if (!rotated) break;
  }
  const sv = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += u[j * rows + i] ** 2;
    sv[j] = Math.sqrt(s);
  }
  return sv.sort().reverse();
}
