import type { _FusedMatMulAttrs, BatchMatMulAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import {
  isWasmHeapBackend,
  keptTranspose,
  transposedOnHeap,
  type WasmHeapBackend,
} from './heap_transpose.js';
import { runStock } from './movement/fallback.js';

/** A kernel's call as tfjs makes it. */
type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The stock wasm kernel of `kernelName` as a kernel function (its setup run; see `runStock`). */
const stock =
  (kernelName: string): tf.KernelFunc =>
  (args) =>
    runStock('wasm', kernelName, args);

/**
 * How one call runs as a single XNNPACK product `x [1, R, K] · w [1, K, Q]` of the stock kernel.
 * - 'direct': `x = op(A)` (all of A's batch stacked into rows), `w = op(B)`; B has no batch.
 * - 'flipped': `C^T = op(B)^T op(A)^T`, `x = op(B)^T` (B's batch stacked), `w = op(A)^T`, and the
 *   result transposed back per batch item; A has no batch.
 * - 'zeros': K = 0 or an empty output: no product to run.
 */
interface Plan {
  route: 'direct' | 'flipped' | 'zeros';
  m: number;
  k: number;
  n: number;
  batchA: number;
  batchB: number;
  /** The broadcast batch dimensions, then `[M, N]`. */
  outShape: number[];
}

/** Elements XNNPACK's packing of a new right operand costs, per element, in transposed elements. */
const PACK_COST = 3;

/**
 * Whether a product with neither operand batched runs faster as `C^T = op(B)^T op(A)^T`: the
 * route whose JavaScript transposes, plus XNNPACK's packing of its right operand (done anew for
 * each new tensor, about `PACK_COST` transposes per element), move fewer elements.
 */
export function viaTransposedProduct(
  p: { m: number; k: number; n: number },
  transposeA: boolean,
  transposeB: boolean,
): boolean {
  const { m, k, n } = p;
  const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + PACK_COST * k * n;
  const flipped = (transposeA ? 0 : m * k) + (transposeB ? 0 : k * n) + m * n + PACK_COST * k * m;
  return flipped < direct;
}

/**
 * The plan of a call, or null when the stock kernel should run it as it is: non-float32 data, sizes
 * it rejects, both operands batched (its loop is as fast with transposes as without), or a single
 * untransposed product (XNNPACK already, its operator cached per right operand).
 */
function planOf(
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  flipAllowed: boolean,
): Plan | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null; // the stock kernel's error
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== (transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!)) return null;
  const batchShapeA = a.shape.slice(0, -2);
  const batchShapeB = b.shape.slice(0, -2);
  let outBatch: number[];
  try {
    outBatch = tf.backend_util.assertAndGetBroadcastShape(batchShapeA, batchShapeB);
  } catch {
    return null;
  }
  const batchA = tf.util.sizeFromShape(batchShapeA);
  const batchB = tf.util.sizeFromShape(batchShapeB);
  const outShape = [...outBatch, m, n];
  const base = { m, k, n, batchA, batchB, outShape };
  // tfjs-wasm's XNNPACK route leaves the output unwritten when K = 0 (its loop writes zeros).
  if (k === 0 || tf.util.sizeFromShape(outShape) === 0) return { route: 'zeros', ...base };
  if (batchA > 1 && batchB > 1) return null;
  if (batchA === 1 && batchB === 1) {
    if (!transposeA && !transposeB) return null;
    const flipped = flipAllowed && viaTransposedProduct(base, transposeA, transposeB);
    return { route: flipped ? 'flipped' : 'direct', ...base };
  }
  if (batchB === 1) return { route: 'direct', ...base };
  return flipAllowed ? { route: 'flipped', ...base } : null;
}

/** `t` seen as a `[1, rows, cols]` tensor: the same data (tfjs-wasm's fused kernel wants rank 3). */
function as3d(t: TensorInfo, rows: number, cols: number): TensorInfo {
  return { dataId: t.dataId, shape: [1, rows, cols], dtype: t.dtype };
}

/**
 * Runs a plan: `product(x, w)` is the stock kernel on untransposed `x [1, R, K] · w [1, K, Q]`.
 * Temporaries (transposed operands, the flipped route's `C^T`) are freed whatever happens.
 */
function runPlan(
  backend: WasmHeapBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  p: Plan,
  product: (x: TensorInfo, w: TensorInfo) => TensorInfo,
  keptB: TensorInfo | null = null,
): TensorInfo {
  const { m, k, n, batchA, batchB } = p;
  if (p.route === 'zeros') {
    const out = backend.makeOutput(p.outShape, 'float32');
    backend.typedArrayFromHeap(out).fill(0);
    return out;
  }
  const temps: TensorInfo[] = [];
  // `t` ([batch, rows, cols]) with its last two axes swapped, in a temporary.
  const swapped = (t: TensorInfo, batch: number, rows: number, cols: number): TensorInfo => {
    const out = transposedOnHeap(backend, t, batch, rows, cols);
    temps.push(out);
    return out;
  };
  try {
    if (p.route === 'direct') {
      const x = transposeA ? swapped(a, batchA, k, m) : a; // op(A) [batchA, M, K]
      const w = transposeB ? (keptB ?? swapped(b, 1, n, k)) : b; // op(B) [K, N]
      const out = product(as3d(x, batchA * m, k), as3d(w, k, n)); // [1, batchA M, N]
      out.shape = p.outShape;
      return out;
    }
    const x = transposeB ? b : swapped(b, batchB, k, n); // op(B)^T [batchB, N, K]
    const w = transposeA ? a : swapped(a, 1, m, k); // op(A)^T [K, M]
    const cT = product(as3d(x, batchB * n, k), as3d(w, k, m)); // C^T [1, batchB N, M]
    temps.push(cT);
    const out = transposedOnHeap(backend, cT, batchB, n, m); // C [batchB, M, N]
    out.shape = p.outShape;
    return out;
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * `BatchMatMul` on wasm (inputs `a`, `b`; attrs transposeA, transposeB): tfjs's own kernel, made
 * fast for transposed and batch-broadcast operands. tfjs-wasm multiplies by XNNPACK only when
 * neither operand is transposed nor batched (`[1, M, K] · [1, K, N]`); otherwise it runs a scalar
 * loop about ten times slower. This kernel turns those calls into one such product, whose operands
 * it transposes into temporaries on the wasm heap (a tiled JavaScript transpose) where needed:
 * - no batch (or only A batched): `op(A) · op(B)` with A's batch stacked into rows; or, when that
 *   moves fewer elements (`viaTransposedProduct`), `C^T = op(B)^T op(A)^T`, transposed back;
 * - only B batched: `C^T = op(B)^T op(A)^T` with B's batch stacked, transposed back per item;
 * - K = 0: zeros (the stock kernel's XNNPACK route leaves such an output unwritten).
 * A right operand multiplied transposed a second time keeps its transpose (`keptTranspose`), so a
 * fixed weight costs what a pre-transposed one does.
 * A single untransposed product and a product of two batched operands go to the stock kernel.
 * The product is XNNPACK's on pre-transposed operands, bit for bit; against the stock loop, results
 * differ by float32 rounding (another summation order).
 */
export function batchMatMul(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { backend } = args;
  const run = stock(tf.BatchMatMul);
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = (args.attrs ?? {}) as unknown as BatchMatMulAttrs;
  const p = planOf(a, b, transposeA, transposeB, true);
  if (!p || !isWasmHeapBackend(backend)) return run(args);
  const keptB =
    transposeB && p.batchB === 1 && p.route !== 'zeros'
      ? keptTranspose(backend, b, p.n, p.k)
      : null;
  const plan: Plan = keptB ? { ...p, route: 'direct' } : p;
  const product = (x: TensorInfo, w: TensorInfo) => {
    const attrs = { transposeA: false, transposeB: false };
    return run({ inputs: { a: x, b: w }, backend, attrs }) as TensorInfo;
  };
  return runPlan(backend, a, b, transposeA, transposeB, plan, product, keptB);
}

/**
 * `_FusedMatMul` on wasm (inputs `a`, `b`, optional `bias` and `preluActivationWeights`; attrs
 * transposeA, transposeB, activation, leakyreluAlpha): `tf.fused.matMul`, which tfjs-layers' Dense
 * runs. As `batchMatMul`, but never by `C^T` (the bias and activation apply to C), so only calls
 * where B has no batch. Besides speed, this fixes the stock loop's bias, which it adds by the wrong
 * index past the first row (`bias[min(i N + j, N - 1)]` for `bias[j]`), and its XNNPACK route's
 * unwritten output when K = 0 (here `activation(bias)`). Calls with B batched go to the stock
 * kernel (whose loop has that bias bug).
 */
export function fusedMatMul(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { backend } = args;
  const run = stock(tf._FusedMatMul);
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const attrs = (args.attrs ?? {}) as unknown as _FusedMatMulAttrs;
  const p = planOf(a, b, attrs.transposeA, attrs.transposeB, false);
  if (!p || !isWasmHeapBackend(backend) || (p.route === 'zeros' && p.batchB !== 1))
    return run(args);
  const product = (x: TensorInfo, w: TensorInfo) => {
    const inputs = { ...args.inputs, a: x, b: w };
    const plain = { ...attrs, transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap;
    return run({ inputs, backend, attrs: plain }) as TensorInfo;
  };
  if (p.route === 'zeros' && tf.util.sizeFromShape(p.outShape) > 0) {
    // K = 0: activation(bias), as the product of zero operands with K = 1.
    const x = backend.makeOutput([1, p.batchA * p.m, 1], 'float32');
    const w = backend.makeOutput([1, 1, p.n], 'float32');
    try {
      backend.typedArrayFromHeap(x).fill(0);
      backend.typedArrayFromHeap(w).fill(0);
      const out = product(x, w);
      out.shape = p.outShape;
      return out;
    } finally {
      backend.disposeData(x.dataId);
      backend.disposeData(w.dataId);
    }
  }
  const keptB =
    attrs.transposeB && p.batchB === 1 && p.route !== 'zeros'
      ? keptTranspose(backend, b, p.n, p.k)
      : null;
  return runPlan(backend, a, b, attrs.transposeA, attrs.transposeB, p, product, keptB);
}
