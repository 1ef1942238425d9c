import * as tf from '@tensorflow/tfjs-core';
import type { NumericValues, ValuesBackend } from './kernel_io.js';

/** The parts of tfjs-backend-wasm's backend a kernel uses to hand work to its other kernels. */
interface WasmBackend extends ValuesBackend {
  typedArrayFromHeap(t: tf.TensorInfo): NumericValues;
  makeOutput(
    shape: number[],
    dtype: tf.DataType,
    memoryOffset?: number | null,
    values?: tf.BackendValues,
  ): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
}

/** True when `backend` is tfjs-backend-wasm's and its BatchMatMul kernel is registered. */
export function hasWasmMatMul(backend: ValuesBackend): backend is WasmBackend {
  return (
    typeof backend.typedArrayFromHeap === 'function' &&
    typeof backend.makeOutput === 'function' &&
    tf.getKernel(tf.BatchMatMul, 'wasm') != null
  );
}

/** A matrix operand: values (copied to the wasm heap for the product) or a float32 wasm tensor. */
export type MatrixOperand = Float32Array | tf.TensorInfo;

/**
 * `a [M, K] · b [K, N] -> [M, N]` (a float32 wasm tensor) by tfjs-wasm's own BatchMatMul kernel
 * (XNNPACK, SIMD). A tensor operand is read in place under the given shape (any tensor of that
 * size); a values operand is copied to the heap and freed after. Neither operand is transposed:
 * tfjs-wasm is about ten times slower with a transposed operand.
 */
export function wasmMatMul(
  backend: ValuesBackend,
  a: MatrixOperand,
  aShape: [number, number],
  b: MatrixOperand,
  bShape: [number, number],
): tf.TensorInfo {
  if (!hasWasmMatMul(backend))
    throw new Error('wasmMatMul: needs the wasm backend and its BatchMatMul kernel');
  const made: tf.TensorInfo[] = [];
  const operand = (m: MatrixOperand, shape: [number, number]): tf.TensorInfo => {
    if (!(m instanceof Float32Array)) return { dataId: m.dataId, shape, dtype: 'float32' };
    const info = backend.makeOutput(shape, 'float32', null, m);
    made.push(info);
    return info;
  };
  try {
    return tf.getKernel(tf.BatchMatMul, 'wasm')!.kernelFunc({
      inputs: { a: operand(a, aShape), b: operand(b, bShape) },
      backend,
      attrs: { transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
  } finally {
    for (const info of made) backend.disposeData(info.dataId);
  }
}

/** Reads a wasm tensor's values and frees it. */
export function takeValues(backend: ValuesBackend, t: tf.TensorInfo): Float32Array {
  const values = backend.readSync(t.dataId) as Float32Array;
  (backend as WasmBackend).disposeData(t.dataId);
  return values;
}
