import type * as tf from '@tensorflow/tfjs-core';

/** Typed values of a numeric tensor as a backend hands them out. */
export type NumericValues = Float32Array | Int32Array | Uint8Array;

/**
 * What archzoo's JavaScript kernels need from a tfjs backend: read a tensor's values and make an
 * output. The wasm backend makes outputs with `makeOutput(shape, dtype, offset, values)` (it copies
 * `values` onto its heap; `typedArrayFromHeap` tells it apart); cpu and webgl with `makeTensorInfo`
 * (the cpu backend's own `makeOutput` takes other arguments).
 */
export interface ValuesBackend {
  readSync(dataId: tf.DataId): tf.BackendValues;
  makeOutput?(
    shape: number[],
    dtype: tf.DataType,
    memoryOffset?: number | null,
    values?: tf.BackendValues,
  ): tf.TensorInfo;
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values?: tf.BackendValues): tf.TensorInfo;
  typedArrayFromHeap?(t: tf.TensorInfo): NumericValues;
}

/**
 * A kernel body with typed inputs and attributes. `inputs` are the kernel's named inputs, `attrs`
 * its attributes (tfjs's `*Attrs` interface for the kernel).
 */
export type JsKernelBody<I extends string, A> = (
  inputs: Record<I, tf.TensorInfo>,
  attrs: A,
  backend: ValuesBackend,
) => tf.TensorInfo;

/**
 * Wraps a typed kernel body as a tfjs `KernelFunc`, the shape `tf.registerKernel` expects. This is
 * the one place where tfjs's untyped `{ inputs, backend, attrs }` meets the kernel's own types.
 */
export function jsKernel<I extends string, A>(body: JsKernelBody<I, A>): tf.KernelFunc {
  return ({ inputs, attrs, backend }) =>
    body(
      inputs as Record<I, tf.TensorInfo>,
      (attrs ?? {}) as unknown as A,
      backend as ValuesBackend,
    );
}

/** The values of a numeric tensor (a copy on wasm, the backend's own array on cpu: never write to it). */
export function readValues(backend: ValuesBackend, t: tf.TensorInfo): NumericValues {
  if (t.dtype === 'string' || t.dtype === 'complex64') {
    throw new Error(`archzoo kernels: expected a numeric tensor, got dtype ${t.dtype}`);
  }
  return backend.readSync(t.dataId) as NumericValues;
}

/**
 * Makes an output tensor holding `values` (accumulated in float64, stored as `dtype`).
 * Works on wasm (`makeOutput`) and on cpu and webgl (`makeTensorInfo`).
 */
export function makeOutput(
  backend: ValuesBackend,
  shape: number[],
  dtype: 'float32' | 'int32',
  values: Float64Array | Float32Array | Int32Array,
): tf.TensorInfo {
  const typed =
    dtype === 'int32'
      ? values instanceof Int32Array
        ? values
        : Int32Array.from(values, Math.round)
      : values instanceof Float32Array
        ? values
        : new Float32Array(values);
  if (backend.typedArrayFromHeap && backend.makeOutput)
    return backend.makeOutput(shape, dtype, null, typed);
  if (backend.makeTensorInfo) return backend.makeTensorInfo(shape, dtype, typed);
  throw new Error(
    'archzoo kernels: the backend can make no output (no makeOutput or makeTensorInfo)',
  );
}

/** Throws unless the data format is channels-last (NHWC), the only one archzoo's kernels handle. */
export function requireChannelsLast(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(
      `${kernel}: only channels-last (NHWC) data is supported, got dataFormat '${dataFormat}'`,
    );
  }
}
