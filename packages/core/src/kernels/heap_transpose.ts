// Transposes on the wasm heap for archzoo's matrix-product kernels (batch_matmul.ts): a tiled
// JavaScript transpose into a new wasm tensor, and the transposed copies kept for weights.

import type * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NumericValues } from './kernel_io.js';

/** Square tiles of the blocked transpose: 32 x 32 float32 (4 KiB read, 4 KiB written) fit in L1. */
const TILE = 32;

/**
 * Transposes the last two axes of a `[batch, rows, cols]` array into `dst` (`[batch, cols, rows]`),
 * tile by tile so that both the reads and the writes stay in cache. `src` and `dst` must not overlap.
 */
export function transposeLastTwo(
  src: NumericValues,
  dst: NumericValues,
  batch: number,
  rows: number,
  cols: number,
): void {
  const plane = rows * cols;
  for (let b = 0; b < batch; b++) {
    const o = b * plane;
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(rows, r0 + TILE);
      for (let c0 = 0; c0 < cols; c0 += TILE) {
        const c1 = Math.min(cols, c0 + TILE);
        for (let c = c0; c < c1; c++) {
          let d = o + c * rows + r0;
          let s = o + r0 * cols + c;
          for (let r = r0; r < r1; r++, s += cols) dst[d++] = src[s]!;
        }
      }
    }
  }
}

/** The parts of tfjs-backend-wasm's backend these helpers use. */
export interface WasmHeapBackend {
  typedArrayFromHeap(t: TensorInfo): NumericValues;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
  refCount(dataId: tf.DataId): number;
}

export function isWasmHeapBackend(backend: unknown): backend is WasmHeapBackend {
  const b = backend as Partial<WasmHeapBackend>;
  return typeof b.typedArrayFromHeap === 'function' && typeof b.makeOutput === 'function';
}

/**
 * A new wasm tensor `[batch, cols, rows]` holding `x` (`[batch, rows, cols]`) with its last two axes
 * swapped. The output is allocated first: allocating can grow the wasm memory, which detaches any
 * heap view taken before, so both views are taken after it.
 */
export function transposedOnHeap(
  backend: WasmHeapBackend,
  x: TensorInfo,
  batch: number,
  rows: number,
  cols: number,
): TensorInfo {
  const out = backend.makeOutput([batch, cols, rows], x.dtype);
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(x);
  transposeLastTwo(src, dst, batch, rows, cols);
  return out;
}

/** Right operands seen transposed once lately, per backend: a second sighting keeps a transpose. */
const SEEN = new WeakMap<object, tf.DataId[]>();
/** How many right operands `SEEN` remembers. */
const SEEN_MAX = 32;
/** Transposed copies of right operands kept from call to call, by the operand's data id. */
const KEPT = new WeakMap<object, Map<tf.DataId, TensorInfo>>();

/**
 * The kept transposed copy `[1, cols, rows]` of `b` (`[rows, cols]`), made the second time `b`
 * is multiplied transposed; null the first time. A weight multiplied transposed call after call
 * (`x w^T` in inference) is then transposed once, and tfjs-wasm's XNNPACK operator, cached per
 * right operand, is packed once, as for a pre-transposed weight. A tensor's data never changes
 * (tfjs-wasm's operator cache assumes the same); a copy is freed at the first call after its
 * source is disposed. A weight updated every step (training) is never seen twice: nothing kept.
 */
export function keptTranspose(
  backend: WasmHeapBackend,
  b: TensorInfo,
  rows: number,
  cols: number,
): TensorInfo | null {
  const kept = KEPT.get(backend) ?? new Map<tf.DataId, TensorInfo>();
  KEPT.set(backend, kept);
  for (const [source, copy] of kept) {
    if (backend.refCount(source) > 0) continue;
    backend.disposeData(copy.dataId);
    kept.delete(source);
  }
  const hit = kept.get(b.dataId);
  // The same data may come under another shape (a reshape shares it): only the kept one's counts.
  if (hit) return hit.shape[1] === cols && hit.shape[2] === rows ? hit : null;
  const seen = SEEN.get(backend) ?? [];
  SEEN.set(backend, seen);
  const i = seen.indexOf(b.dataId);
  if (i < 0) {
    seen.push(b.dataId);
    if (seen.length > SEEN_MAX) seen.shift();
    return null;
  }
  seen.splice(i, 1);
  const copy = transposedOnHeap(backend, b, 1, rows, cols);
  kept.set(b.dataId, copy);
  return copy;
}
