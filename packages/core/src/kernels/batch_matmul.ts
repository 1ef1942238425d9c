import type { _FusedMatMulAttrs, BatchMatMulAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import {
  isWasmHeapBackend,
  keptTranspose,
  transposedOnHeap,
  type WasmHeapBackend,
} from './heap_transpose.js';
import { makeOutput, readValues, type ValuesBackend } from './kernel_io.js';
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
interface Plan extends ProductShape {
  route: 'direct' | 'flipped' | 'zeros';
}

/** The sizes of a product `op(A) · op(B)`: `[M, K] · [K, N]` per batch item. */
interface ProductShape {
  m: number;
  k: number;
  n: number;
  batchA: number;
  batchB: number;
  /** The broadcast batch dimensions, then `[M, N]`. */
  outShape: number[];
}

/**
 * The sizes of `op(A) · op(B)`, or null when the operands make no product (rank under 2, inner
 * sizes or batches that do not match): the stock kernel's error to raise.
 */
function productShape(
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): ProductShape | null {
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
  return { m, k, n, batchA, batchB, outShape: [...outBatch, m, n] };
}

/** True when a product has nothing to sum (K = 0) or nothing to write (an empty output). */
const isDegenerate = (s: ProductShape): boolean =>
  s.k === 0 || tf.util.sizeFromShape(s.outShape) === 0;

/** A fused activation of tfjs (`_FusedMatMulAttrs.activation`) on one value; `alpha` is prelu's weight or leakyrelu's alpha. */
const ACTIVATIONS: ReadonlyMap<string, (x: number, alpha: number) => number> = new Map([
  ['linear', (x: number) => x],
  ['relu', (x: number) => Math.max(0, x)], // NaN stays NaN, as in tfjs's shaders
  ['relu6', (x: number) => Math.min(Math.max(0, x), 6)],
  ['elu', (x: number) => (x >= 0 ? x : Math.exp(x) - 1)],
  ['sigmoid', (x: number) => 1 / (1 + Math.exp(-x))],
  ['leakyrelu', (x: number, alpha: number) => (x < 0 ? alpha * x : x)],
  ['prelu', (x: number, alpha: number) => (x < 0 ? alpha * x : x)],
]);

/**
 * The values of `t` broadcast (right-aligned) to `outShape`, or null when they do not broadcast
 * so. Dimensions of `t` beyond `outShape`'s rank are taken as one (the fused op passes its kernel
 * a rank-3 `[batch, M, N]` output, but checks the bias against the op's full output shape).
 */
function broadcastValues(
  backend: ValuesBackend,
  t: TensorInfo,
  outShape: number[],
): Float64Array | null {
  const rank = outShape.length;
  let shape = t.shape;
  if (shape.length > rank) {
    const lead = shape.length - rank + 1;
    shape = [tf.util.sizeFromShape(shape.slice(0, lead)), ...shape.slice(lead)];
  }
  const full = [...Array<number>(rank - shape.length).fill(1), ...shape];
  if (full.some((d, i) => d !== 1 && d !== outShape[i])) return null;
  const values = readValues(backend, t);
  const size = tf.util.sizeFromShape(outShape);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let rest = i;
    let src = 0;
    let stride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const c = rest % outShape[d]!;
      rest = (rest - c) / outShape[d]!;
      if (full[d] !== 1) src += c * stride;
      stride *= full[d]!;
    }
    out[i] = values[src]!;
  }
  return out;
}

/**
 * The output of a degenerate product (K = 0 or an empty output) without running one: zeros for
 * `BatchMatMul`, and for `_FusedMatMul` `activation(bias)` (`activation(0)` without a bias),
 * broadcast to the output, computed on the CPU from the bias and prelu weights read back. Null
 * when the product is not degenerate, or is one left to the stock kernel: operands that make no
 * product (its error), a dtype other than float32 and int32, an unknown activation, or a bias or
 * prelu weights that broadcast to the op's output shape but not to the kernel's `[batch, M, N]`.
 * Shared by the wasm and webgl kernels: tfjs-wasm's XNNPACK route leaves a K = 0 output unwritten
 * and tfjs-webgl's shader fails to compile for K = 0.
 */
export function degenerateProduct(args: KernelArgs, fused: boolean): TensorInfo | null {
  const { a, b, bias, preluActivationWeights } = args.inputs as Record<
    string,
    TensorInfo | undefined
  >;
  const attrs = (args.attrs ?? {}) as unknown as _FusedMatMulAttrs;
  if (!a || !b) return null;
  const s = productShape(a, b, attrs.transposeA, attrs.transposeB);
  if (!s || !isDegenerate(s)) return null;
  const dtype = tf.upcastType(a.dtype, b.dtype);
  if (dtype !== 'float32' && dtype !== 'int32') return null;
  const backend = args.backend as ValuesBackend;
  const size = tf.util.sizeFromShape(s.outShape);
  const values = new Float64Array(size);
  if (fused && size > 0) {
    const activation = ACTIVATIONS.get(attrs.activation ?? 'linear');
    if (!activation) return null;
    const biasValues = bias ? broadcastValues(backend, bias, s.outShape) : values;
    const weights =
      attrs.activation === 'prelu' && preluActivationWeights
        ? broadcastValues(backend, preluActivationWeights, s.outShape)
        : null;
    if (!biasValues || (attrs.activation === 'prelu' && !weights)) return null;
    const alpha = attrs.leakyreluAlpha ?? 0.2;
    for (let i = 0; i < size; i++) values[i] = activation(biasValues[i]!, weights?.[i] ?? alpha);
  }
  return makeOutput(backend, s.outShape, dtype, values);
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
  const base = productShape(a, b, transposeA, transposeB);
  if (!base) return null;
  const { batchA, batchB } = base;
  // tfjs-wasm's XNNPACK route leaves the output unwritten when K = 0 (its loop writes zeros).
  if (isDegenerate(base)) return { route: 'zeros', ...base };
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
  p: Plan & { route: 'direct' | 'flipped' },
  product: (x: TensorInfo, w: TensorInfo) => TensorInfo,
  keptB: TensorInfo | null = null,
): TensorInfo {
  const { m, k, n, batchA, batchB } = p;
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
  if (!p) return run(args);
  if (p.route === 'zeros') return degenerateProduct(args, false) ?? run(args);
  if (!isWasmHeapBackend(backend)) return run(args);
  const keptB = transposeB && p.batchB === 1 ? keptTranspose(backend, b, p.n, p.k) : null;
  const plan = keptB ? { ...p, route: 'direct' as const } : { ...p, route: p.route };
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
 * unwritten output when K = 0 (here `activation(bias)`, by `degenerateProduct`, B batched or not).
 * Other calls with B batched go to the stock kernel (whose loop has that bias bug).
 */
export function fusedMatMul(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { backend } = args;
  const run = stock(tf._FusedMatMul);
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const attrs = (args.attrs ?? {}) as unknown as _FusedMatMulAttrs;
  const p = planOf(a, b, attrs.transposeA, attrs.transposeB, false);
  if (!p) return run(args);
  if (p.route === 'zeros') return degenerateProduct(args, true) ?? run(args);
  if (!isWasmHeapBackend(backend)) return run(args);
  const product = (x: TensorInfo, w: TensorInfo) => {
    const inputs = { ...args.inputs, a: x, b: w };
    const plain = { ...attrs, transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap;
    return run({ inputs, backend, attrs: plain }) as TensorInfo;
  };
  const keptB = attrs.transposeB && p.batchB === 1 ? keptTranspose(backend, b, p.n, p.k) : null;
  const plan = { ...p, route: p.route };
  return runPlan(backend, a, b, attrs.transposeA, attrs.transposeB, plan, product, keptB);
}

/**
 * `BatchMatMul` on webgl: tfjs-webgl's own kernel, except for a product with K = 0 or an empty
 * output (zeros, by `degenerateProduct`), for which its packed shader fails to compile
 * (`getPackedSampler3D` reads the shape of an empty texture).
 */
export function webglBatchMatMul(args: KernelArgs): TensorInfo | TensorInfo[] {
  return degenerateProduct(args, false) ?? runStock('webgl', tf.BatchMatMul, args);
}

/**
 * `_FusedMatMul` on webgl: tfjs-webgl's own kernel, except for a product with K = 0 or an empty
 * output (`activation(bias)`, by `degenerateProduct`), where its shader fails to compile.
 */
export function webglFusedMatMul(args: KernelArgs): TensorInfo | TensorInfo[] {
  return degenerateProduct(args, true) ?? runStock('webgl', tf._FusedMatMul, args);
}
