import * as tf from '@tensorflow/tfjs-core';
import { runStockKernel } from './fallback.js';

/**
 * A tensor's values as comparable numbers: float32 ones as their int32 bit patterns (so -0, NaN
 * payloads and every rounding count), int32 and bool ones as they are.
 */
export function valueBits(t: tf.Tensor): number[] {
  const v = t.dataSync();
  if (t.dtype !== 'float32') return Array.from(v as Int32Array | Uint8Array);
  // tfjs-cpu hands out a widening cast's values in their old type (an Int32Array): convert.
  const f = v instanceof Float32Array ? v : Float32Array.from(v as Int32Array);
  return Array.from(new Int32Array(f.buffer, f.byteOffset, f.length));
}

/** The outputs of `run` as a list, or the message of the error it throws. */
function outcome(run: () => tf.Tensor | tf.Tensor[]): tf.Tensor[] | string {
  try {
    const out = run();
    return Array.isArray(out) ? out : [out];
  } catch (e) {
    return (e as Error).message;
  }
}

/** The first difference between two outcomes, or null. */
function firstDifference(ours: tf.Tensor[] | string, stock: tf.Tensor[] | string): string | null {
  if (typeof ours === 'string' || typeof stock === 'string') {
    if (ours === stock) return null;
    const say = (o: tf.Tensor[] | string) => (typeof o === 'string' ? `threw "${o}"` : 'returned');
    return `archzoo's kernel ${say(ours)}, the stock one ${say(stock)}`;
  }
  if (ours.length !== stock.length) return `${ours.length} outputs, stock ${stock.length}`;
  for (const [i, t] of ours.entries()) {
    const s = stock[i]!;
    if (t.dtype !== s.dtype || !tf.util.arraysEqual(t.shape, s.shape)) {
      return `output ${i}: ${t.dtype} [${t.shape}], stock ${s.dtype} [${s.shape}]`;
    }
    const a = valueBits(t);
    const b = valueBits(s);
    const k = a.findIndex((v, j) => v !== b[j]);
    if (k >= 0) return `output ${i}, element ${k}: bits ${a[k]}, stock ${b[k]}`;
  }
  return null;
}

/**
 * Runs `kernelName` on the active backend twice, as registered (archzoo's kernel) and as the stock
 * kernel it replaced, and returns how the two differ: null when their outputs have the same
 * dtypes, shapes and bits, or when both throw the same error. Disposes every output.
 *
 * @example
 * await setBackend('wasm');
 * const x = tf.ones([4, 3, 2]);
 * diffFromStock(tf.Unpack, { value: x }, { axis: 1 }); // null: 3 tensors, the same bits
 */
export function diffFromStock(
  kernelName: string,
  inputs: Record<string, tf.Tensor> | tf.Tensor[],
  attrs: object = {},
): string | null {
  const map = inputs as unknown as tf.NamedTensorMap;
  const ours = outcome(
    () => tf.engine().runKernel(kernelName, map, attrs as tf.NamedAttrMap) as tf.Tensor,
  );
  const stock = outcome(() => runStockKernel(kernelName, inputs, attrs));
  try {
    return firstDifference(ours, stock);
  } finally {
    if (typeof ours !== 'string') tf.dispose(ours);
    if (typeof stock !== 'string') tf.dispose(stock);
  }
}
