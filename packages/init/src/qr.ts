/**
 * Householder QR on Float64Array, fast enough to draw a 1024 x 1024 orthogonal matrix.
 *
 * tfjs-core's `tf.linalg.qr` runs one tensor op per reflector and takes minutes for a
 * 1024 x 256 matrix on the cpu backend. This file works on plain typed arrays, in float64:
 *
 * - storage is column-major (each column contiguous), so a reflector touches memory in order;
 * - columns are factored in panels of `NB`; a panel's reflectors H_1 ... H_nb are combined in the
 *   compact WY form H_1 ... H_nb = I - V T V^T (Schreiber & Van Loan 1989, LAPACK dlarft), and
 *   applied to the rest of the matrix as two small matrix products (LAPACK dlarfb), whose inner
 *   loops handle 4 reflectors x 2 columns at once.
 *
 * Public functions take and return row-major matrices (the layout of a tfjs tensor).
 */

/** Panel width: the number of reflectors applied to the trailing matrix at once. */
const NB = 32;

/** Householder factors of a column-major m x n matrix (LAPACK dgeqrf convention). */
export interface HouseholderFactors {
  readonly m: number;
  readonly n: number;
  /**
   * Column-major m x n. On and above the diagonal: R (diagonal excepted, see `rDiag`).
   * Below the diagonal of column k: the reflector v_k, whose entry k is an implicit 1.
   */
  readonly a: Float64Array;
  /** H_k = I - tau_k v_k v_k^T. */
  readonly tau: Float64Array;
  /** The diagonal of R: R_kk. */
  readonly rDiag: Float64Array;
}

/**
 * Makes column k of the column-major `a` (rows k..m-1) into a Householder reflector in place:
 * H = I - tau v v^T with v_k = 1 maps x = a[k:, k] to beta e_1, beta = -sign(x_0) ||x||
 * (LAPACK dlarfg). Returns [tau, beta]. When x has nothing below x_0, H = I (tau = 0, beta = x_0).
 */
export function makeReflector(a: Float64Array, m: number, k: number, col = k): [number, number] {
  const c = col * m;
  const alpha = a[c + k];
  let sigma = 0; // ||x[1:]||^2
  for (let i = k + 1; i < m; i++) sigma += a[c + i] * a[c + i];
  if (sigma === 0) {
    a[c + k] = 1;
    return [0, alpha];
  }
  const norm = Math.sqrt(alpha * alpha + sigma);
  const beta = alpha >= 0 ? -norm : norm;
  const tau = (beta - alpha) / beta;
  const inv = 1 / (alpha - beta); // v = x / (alpha - beta), so v_0 = 1
  for (let i = k + 1; i < m; i++) a[c + i] *= inv;
  a[c + k] = 1;
  return [tau, beta];
}

/** One panel's reflectors in WY form, padded to a multiple of 4 with zero reflectors. */
interface Panel {
  /** First row and column of the panel. */
  p: number;
  /** Padded number of reflectors. */
  nb: number;
  /** Column-major (m - p) x nb: v_r with explicit zeros above row r and 1 on row r. */
  v: Float64Array;
  /** Row-major nb x nb upper triangular T with H_p ... H_{p+nb-1} = I - V T V^T. */
  t: Float64Array;
}

function makePanel(f: HouseholderFactors, p: number, count: number): Panel {
  const { m, a, tau } = f;
  const mm = m - p;
  const nb = (count + 3) & ~3;
  const v = new Float64Array(mm * nb);
  for (let r = 0; r < count; r++) {
    const src = (p + r) * m + p;
    v[r * mm + r] = 1;
    for (let i = r + 1; i < mm; i++) v[r * mm + i] = a[src + i];
  }
  // T[0:r, r] = -tau_r T[0:r, 0:r] (V[:, 0:r]^T v_r); T[r, r] = tau_r (LAPACK dlarft, forward).
  const t = new Float64Array(nb * nb);
  const z = new Float64Array(nb);
  for (let r = 0; r < count; r++) {
    const tr = tau[p + r];
    for (let s = 0; s < r; s++) {
      let d = 0;
      for (let i = r; i < mm; i++) d += v[s * mm + i] * v[r * mm + i];
      z[s] = -tr * d;
    }
    for (let s = 0; s < r; s++) {
      let d = 0;
      for (let q = s; q < r; q++) d += t[s * nb + q] * z[q];
      t[s * nb + r] = d;
    }
    t[r * nb + r] = tr;
  }
  return { p, nb, v, t };
}

/**
 * C <- (I - V T' V^T) C for the block C = x[p:m, col0:col0+nc] of the column-major m-row `x`,
 * with T' = T^T (`transposeT`, applying H_nb ... H_1) or T (applying H_1 ... H_nb).
 */
function applyPanel(
  panel: Panel,
  x: Float64Array,
  m: number,
  col0: number,
  nc: number,
  transposeT: boolean,
): void {
  if (nc <= 0) return;
  const { p, nb, v, t } = panel;
  const mm = m - p;
  // W = V^T C  [nb, nc]; the inner loop does 4 reflectors x 2 columns.
  const w = new Float64Array(nb * nc);
  for (let j = 0; j < nc; j += 2) {
    const two = j + 1 < nc;
    const c0 = (col0 + j) * m + p;
    const c1 = two ? c0 + m : c0;
    for (let r = 0; r < nb; r += 4) {
      const v0 = r * mm;
      const v1 = v0 + mm;
      const v2 = v1 + mm;
      const v3 = v2 + mm;
      let a00 = 0,
        a10 = 0,
        a20 = 0,
        a30 = 0,
        a01 = 0,
        a11 = 0,
        a21 = 0,
        a31 = 0;
      for (let i = r; i < mm; i++) {
        const x0 = x[c0 + i];
        const x1 = x[c1 + i];
        const y0 = v[v0 + i];
        const y1 = v[v1 + i];
        const y2 = v[v2 + i];
        const y3 = v[v3 + i];
        a00 += y0 * x0;
        a10 += y1 * x0;
        a20 += y2 * x0;
        a30 += y3 * x0;
        a01 += y0 * x1;
        a11 += y1 * x1;
        a21 += y2 * x1;
        a31 += y3 * x1;
      }
      w[r * nc + j] = a00;
      w[(r + 1) * nc + j] = a10;
      w[(r + 2) * nc + j] = a20;
      w[(r + 3) * nc + j] = a30;
      if (two) {
        w[r * nc + j + 1] = a01;
        w[(r + 1) * nc + j + 1] = a11;
        w[(r + 2) * nc + j + 1] = a21;
        w[(r + 3) * nc + j + 1] = a31;
      }
    }
  }
  // W <- T' W  [nb, nc]
  const tw = new Float64Array(nb * nc);
  for (let s = 0; s < nb; s++) {
    for (let r = s; r < nb; r++) {
      const tsr = t[s * nb + r];
      if (tsr === 0) continue;
      // T^T W: row r gets T[s, r] W[s, :];  T W: row s gets T[s, r] W[r, :].
      const dst = (transposeT ? r : s) * nc;
      const src = (transposeT ? s : r) * nc;
      for (let j = 0; j < nc; j++) tw[dst + j] += tsr * w[src + j];
    }
  }
  // C <- C - V W
  for (let j = 0; j < nc; j += 2) {
    const two = j + 1 < nc;
    const c0 = (col0 + j) * m + p;
    const c1 = c0 + m;
    for (let r = 0; r < nb; r += 4) {
      const v0 = r * mm;
      const v1 = v0 + mm;
      const v2 = v1 + mm;
      const v3 = v2 + mm;
      const w00 = tw[r * nc + j];
      const w10 = tw[(r + 1) * nc + j];
      const w20 = tw[(r + 2) * nc + j];
      const w30 = tw[(r + 3) * nc + j];
      if (two) {
        const w01 = tw[r * nc + j + 1];
        const w11 = tw[(r + 1) * nc + j + 1];
        const w21 = tw[(r + 2) * nc + j + 1];
        const w31 = tw[(r + 3) * nc + j + 1];
        for (let i = r; i < mm; i++) {
          const y0 = v[v0 + i];
          const y1 = v[v1 + i];
          const y2 = v[v2 + i];
          const y3 = v[v3 + i];
          x[c0 + i] -= y0 * w00 + y1 * w10 + y2 * w20 + y3 * w30;
          x[c1 + i] -= y0 * w01 + y1 * w11 + y2 * w21 + y3 * w31;
        }
      } else {
        for (let i = r; i < mm; i++) {
          x[c0 + i] -= v[v0 + i] * w00 + v[v1 + i] * w10 + v[v2 + i] * w20 + v[v3 + i] * w30;
        }
      }
    }
  }
}

/**
 * Householder QR factorization A = Q R of a column-major m x n matrix, in place on `a`
 * (LAPACK dgeqrf): k = min(m, n) reflectors, R_kk = -sign(x_0) ||x|| as LAPACK (and therefore
 * PyTorch) choose it, which is why a Haar sample needs the sign fix `Q diag(sign(R_kk))`.
 */
export function householderFactor(a: Float64Array, m: number, n: number): HouseholderFactors {
  if (a.length !== m * n)
    throw new RangeError(`householderFactor: expected ${m * n} values, got ${a.length}`);
  const k = Math.min(m, n);
  const f: HouseholderFactors = { m, n, a, tau: new Float64Array(k), rDiag: new Float64Array(k) };
  for (let p = 0; p < k; p += NB) {
    const pe = Math.min(k, p + NB);
    // Unblocked factorization of the panel's columns p..pe-1.
    for (let j = p; j < pe; j++) {
      const [tau, beta] = makeReflector(a, m, j);
      f.tau[j] = tau;
      f.rDiag[j] = beta;
      if (tau === 0) continue;
      const cj = j * m;
      for (let c = j + 1; c < pe; c++) {
        const cc = c * m;
        let d = 0;
        for (let i = j; i < m; i++) d += a[cj + i] * a[cc + i];
        d *= tau;
        for (let i = j; i < m; i++) a[cc + i] -= d * a[cj + i];
      }
    }
    // Q_panel^T applied to the trailing columns.
    applyPanel(makePanel(f, p, pe - p), a, m, pe, n - pe, true);
  }
  return f;
}

/**
 * The first `cols` columns of Q = H_1 H_2 ... H_k as a column-major m x cols matrix (LAPACK
 * dorgqr), by backward accumulation: Q <- (I - V T V^T) Q, last panel first.
 */
export function formQ(f: HouseholderFactors, cols = Math.min(f.m, f.n)): Float64Array {
  const { m } = f;
  const k = f.tau.length;
  if (cols > m) throw new RangeError(`formQ: cols ${cols} exceeds m ${m}`);
  const q = new Float64Array(m * cols);
  for (let j = 0; j < cols; j++) q[j * m + j] = 1;
  const last = Math.floor((k - 1) / NB) * NB;
  for (let p = last; p >= 0; p -= NB) {
    const pe = Math.min(k, p + NB);
    // Columns < p of the partial product are still e_j, which rows >= p do not touch.
    applyPanel(makePanel(f, p, pe - p), q, m, p, cols - p, false);
  }
  return q;
}

/**
 * Reduced QR decomposition A = Q R of a row-major m x n matrix, k = min(m, n):
 * Q is m x k with orthonormal columns, R is k x n upper triangular (row-major, both).
 * Same sign convention as LAPACK / `torch.linalg.qr` (R_kk may be negative).
 *
 * @example
 * const { q, r } = qr(new Float64Array([3, 1, 4, 2]), 2, 2); // A = [[3, 1], [4, 2]]
 * // q = [[-0.6, -0.8], [-0.8, 0.6]], r = [[-5, -2.2], [0, 0.4]]
 */
export function qr(
  a: ArrayLike<number>,
  m: number,
  n: number,
): { q: Float64Array; r: Float64Array } {
  if (a.length !== m * n)
    throw new RangeError(`qr: expected ${m}x${n} = ${m * n} values, got ${a.length}`);
  const k = Math.min(m, n);
  const work = new Float64Array(m * n); // column-major copy
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) work[j * m + i] = a[i * n + j];
  const f = householderFactor(work, m, n);
  const qc = formQ(f, k);
  const q = new Float64Array(m * k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) q[i * k + j] = qc[j * m + i];
  const r = new Float64Array(k * n);
  for (let i = 0; i < k; i++) {
    r[i * n + i] = f.rDiag[i];
    for (let j = i + 1; j < n; j++) r[i * n + j] = work[j * m + i];
  }
  return { q, r };
}
