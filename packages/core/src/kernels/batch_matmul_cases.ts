// Random matrix products for the BatchMatMul and _FusedMatMul tests (batch_matmul.test.ts, run on
// every backend, and batch_matmul.node.test.ts, wasm only): cases, a float64 reference product,
// and a float32-rounding comparison. Test-only: not built nor published (see package.json `files`).
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { randomValues } from './testing.js';

/** One product `op(a) · op(b)`: shapes, transposes and values. */
export interface Case {
  aShape: number[];
  bShape: number[];
  transposeA: boolean;
  transposeB: boolean;
  a: Float32Array;
  b: Float32Array;
}

/**
 * Random products: rank 2-4 operands; batch dimensions on both sides alike, on one side only (the
 * other's all 1, of any rank: broadcasting), or on neither (tfjs's kernels flatten the batch, so
 * they broadcast no other way); matrix sizes 0-9 (0 about one time in eight).
 */
export const caseArb: fc.Arbitrary<Case> = fc
  .record({
    batch: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }),
    batched: fc.constantFrom('both', 'a', 'b', 'none'),
    onesA: fc.integer({ min: 0, max: 2 }),
    onesB: fc.integer({ min: 0, max: 2 }),
    dims: fc.array(
      fc.oneof({ weight: 7, arbitrary: fc.integer({ min: 1, max: 9 }) }, fc.constant(0)),
      { minLength: 3, maxLength: 3 },
    ),
    transposeA: fc.boolean(),
    transposeB: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1e6 }),
  })
  .map(({ batch, batched, onesA, onesB, dims, transposeA, transposeB, seed }) => {
    const [m, k, n] = dims as [number, number, number];
    const ones = (rank: number) => Array.from({ length: rank }, () => 1);
    const batchA = batched === 'both' || batched === 'a' ? batch : ones(onesA);
    const batchB = batched === 'both' || batched === 'b' ? batch : ones(onesB);
    const aShape = [...batchA, ...(transposeA ? [k, m] : [m, k])];
    const bShape = [...batchB, ...(transposeB ? [n, k] : [k, n])];
    const a = randomValues(tf.util.sizeFromShape(aShape), seed);
    const b = randomValues(tf.util.sizeFromShape(bShape), seed + 1);
    return { aShape, bShape, transposeA, transposeB, a, b };
  });

/** True when B has no batch (all its batch dimensions are 1). */
export const unbatchedB = (c: Case) => tf.util.sizeFromShape(c.bShape.slice(0, -2)) === 1;

/** The float64 product of a case, its output shape, and per element the sum of |terms| (error scale). */
export function reference(c: Case): { shape: number[]; values: Float64Array; scale: Float64Array } {
  const ra = c.aShape.length;
  const rb = c.bShape.length;
  const m = c.transposeA ? c.aShape[ra - 1]! : c.aShape[ra - 2]!;
  const k = c.transposeA ? c.aShape[ra - 2]! : c.aShape[ra - 1]!;
  const n = c.transposeB ? c.bShape[rb - 2]! : c.bShape[rb - 1]!;
  const batchA = tf.util.sizeFromShape(c.aShape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(c.bShape.slice(0, -2));
  const outBatch = tf.backend_util.assertAndGetBroadcastShape(
    c.aShape.slice(0, -2),
    c.bShape.slice(0, -2),
  );
  const batch = tf.util.sizeFromShape(outBatch);
  const values = new Float64Array(batch * m * n);
  const scale = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const ao = (batchA === 1 ? 0 : t) * m * k;
    const bo = (batchB === 1 ? 0 : t) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let abs = 0;
        for (let q = 0; q < k; q++) {
          const x = c.a[ao + (c.transposeA ? q * m + i : i * k + q)]!;
          const y = c.b[bo + (c.transposeB ? j * k + q : q * n + j)]!;
          s += x * y;
          abs += Math.abs(x * y);
        }
        values[(t * m + i) * n + j] = s;
        scale[(t * m + i) * n + j] = abs;
      }
    }
  }
  return { shape: [...outBatch, m, n], values, scale };
}

/** True when every element of `got` is within float32 rounding of the reference's sum. */
export function withinRounding(
  got: ArrayLike<number>,
  want: Float64Array,
  scale: Float64Array,
): boolean {
  if (got.length !== want.length) return false;
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= 1e-5 * scale[i]! + 1e-30)) return false;
  }
  return true;
}

/** The operands of a case as tensors. */
export const tensors = (c: Case) => [tf.tensor(c.a, c.aShape), tf.tensor(c.b, c.bShape)] as const;
