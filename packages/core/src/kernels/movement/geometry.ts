/**
 * The geometry every data-movement kernel shares: a strided read of a source into a contiguous
 * destination, simplified to its fewest dimensions, then copied run by run.
 *
 * Values move as "lanes": float32 and int32 as Int32Array (their bits, so every NaN payload
 * survives), bool as Uint8Array. Source and destination always have the same lane type.
 */

/** The bits of a tensor's values: float32 and int32 as Int32Array, bool as Uint8Array. */
export type Lanes = Int32Array | Uint8Array;

/**
 * A strided window on a flat source: element `loc` of the window (a contiguous array of
 * `shape`) is `src[offset + sum_d loc[d] * strides[d]]`. Strides may be zero or negative.
 */
export interface StridedView {
  shape: number[];
  strides: number[];
  offset: number;
}

/** Runs shorter than this are copied element by element (a subarray costs more than it saves). */
const MIN_SET_RUN = 32;

/** Side of the square tiles a transposed plane is copied in (2 x 4 KB of int32 lanes). */
const TILE = 32;

/** Row-major strides of `shape` (the last dimension's stride is 1). */
export function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  return strides;
}

/** The number of elements of `shape` (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * The same window with the fewest dimensions: size-1 dimensions dropped, and each dimension
 * merged into the one before it wherever the two step through the source as one
 * (`strides[d] === strides[d + 1] * shape[d + 1]`). A window of size 0 keeps a 0 dimension.
 */
export function simplifyView(view: StridedView): StridedView {
  const shape: number[] = [];
  const strides: number[] = [];
  for (let d = 0; d < view.shape.length; d++) {
    const n = view.shape[d]!;
    if (n === 0) return { shape: [0], strides: [1], offset: view.offset };
    if (n === 1) continue;
    const st = view.strides[d]!;
    const last = shape.length - 1;
    if (last >= 0 && strides[last] === st * n) {
      shape[last]! *= n;
      strides[last] = st;
    } else {
      shape.push(n);
      strides.push(st);
    }
  }
  return { shape, strides, offset: view.offset };
}

/**
 * Copies `n` lanes `src[s..s+n)` to `dst[d..d+n)`: one `set` for long runs (`copyWithin` when
 * both are the same array, as the wasm heap is: a memmove with no subarray to make), a loop for
 * short ones.
 */
export function copyRun(dst: Lanes, d: number, src: Lanes, s: number, n: number): void {
  if (n >= MIN_SET_RUN) {
    if (dst === src) dst.copyWithin(d, s, s + n);
    else dst.set(src.subarray(s, s + n), d);
  } else {
    for (let j = 0; j < n; j++) dst[d + j] = src[s + j]!;
  }
}

/**
 * Copies the window `view` of `src` into `dst` from `dstOffset` on, contiguously (row-major).
 * The view is simplified first, so the innermost run is as long as the geometry allows: a
 * contiguous inner block goes over in one `set`, a strided one element by element, and a
 * transposed inner plane (source-contiguous along the next-to-last axis) tile by tile.
 */
export function copyStrided(src: Lanes, view: StridedView, dst: Lanes, dstOffset = 0): void {
  const { shape, strides, offset } = simplifyView(view);
  const rank = shape.length;
  if (rank === 0) {
    dst[dstOffset] = src[offset]!;
    return;
  }
  const n = shape[rank - 1]!;
  if (n === 0) return;
  const step = strides[rank - 1]!;
  if (step !== 1 && rank >= 2 && strides[rank - 2] === 1 && shape[rank - 2]! >= TILE) {
    const m = shape[rank - 2]!;
    const planes = { shape: shape.slice(0, -2), strides: strides.slice(0, -2), offset };
    forEachPosition(planes, (s, p) =>
      transposePlane(dst, dstOffset + p * m * n, src, s, m, n, step),
    );
    return;
  }
  const rows = { shape: shape.slice(0, -1), strides: strides.slice(0, -1), offset };
  forEachPosition(rows, (s, r) => {
    const d = dstOffset + r * n;
    if (step === 1) copyRun(dst, d, src, s, n);
    else for (let j = 0, sj = s; j < n; j++, sj += step) dst[d + j] = src[sj]!;
  });
}

/**
 * Calls `fn(s, r)` for each position r of `view` in row-major order, with `s` its source index
 * `view.offset + sum_d loc[d] * strides[d]` (an odometer over the dimensions).
 */
function forEachPosition(view: StridedView, fn: (s: number, r: number) => void): void {
  const { shape, strides } = view;
  const count = sizeOf(shape);
  const idx = new Array<number>(shape.length).fill(0);
  let s = view.offset;
  for (let r = 0; r < count; r++) {
    fn(s, r);
    for (let k = shape.length - 1; k >= 0; k--) {
      s += strides[k]!;
      if (++idx[k]! < shape[k]!) break;
      s -= strides[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
}

/**
 * dst[d + i n + j] = src[s + i + j step] for i < m, j < n: an m x n plane whose source is its
 * transpose, copied in TILE x TILE tiles so that both sides stay in cache.
 */
function transposePlane(
  dst: Lanes,
  d: number,
  src: Lanes,
  s: number,
  m: number,
  n: number,
  step: number,
): void {
  for (let i0 = 0; i0 < m; i0 += TILE) {
    const i1 = Math.min(m, i0 + TILE);
    for (let j0 = 0; j0 < n; j0 += TILE) {
      const j1 = Math.min(n, j0 + TILE);
      for (let j = j0; j < j1; j++) {
        const sj = s + j * step;
        for (let i = i0, di = d + i0 * n + j; i < i1; i++, di += n) dst[di] = src[sj + i]!;
      }
    }
  }
}

/** The window of `shape` that starts at `begin` in a row-major tensor of `xShape`, stepping `steps`. */
export function sliceView(
  xShape: readonly number[],
  begin: readonly number[],
  shape: readonly number[],
  steps?: readonly number[],
): StridedView {
  const xStrides = rowMajorStrides(xShape);
  let offset = 0;
  const strides = new Array<number>(xShape.length);
  for (let d = 0; d < xShape.length; d++) {
    offset += begin[d]! * xStrides[d]!;
    strides[d] = xStrides[d]! * (steps ? steps[d]! : 1);
  }
  return { shape: [...shape], strides, offset };
}

/** The window that reads a row-major tensor of `xShape` as its transpose by `perm`. */
export function transposeView(xShape: readonly number[], perm: readonly number[]): StridedView {
  const xStrides = rowMajorStrides(xShape);
  return {
    shape: perm.map((p) => xShape[p]!),
    strides: perm.map((p) => xStrides[p]!),
    offset: 0,
  };
}

/**
 * Copies `rows` rows of `n` lanes from `src` (row stride `srcStride`, from `srcOffset`) to `dst`
 * (row stride `dstStride`, from `dstOffset`): the block move of concat, stack and gather.
 */
export function copyRows(
  dst: Lanes,
  dstOffset: number,
  dstStride: number,
  src: Lanes,
  srcOffset: number,
  srcStride: number,
  rows: number,
  n: number,
): void {
  if (n === srcStride && n === dstStride) {
    copyRun(dst, dstOffset, src, srcOffset, rows * n);
    return;
  }
  for (let r = 0, d = dstOffset, s = srcOffset; r < rows; r++, d += dstStride, s += srcStride) {
    copyRun(dst, d, src, s, n);
  }
}
