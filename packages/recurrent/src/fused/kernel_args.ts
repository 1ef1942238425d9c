/** How the fused recurrent kernels read their inputs and make their outputs on any backend. */
import { makeOutput, readValues, type ValuesBackend } from '@archzoo/core';
import type * as tf from '@tensorflow/tfjs-core';

/** A kernel's call as tfjs makes it. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The float32 values of `t` (on cpu the backend's own array: never write to it). */
export function f32(backend: ValuesBackend, t: tf.TensorInfo): Float32Array {
  return readValues(backend, t) as Float32Array;
}

/** A writable copy of the float32 values of `t`. */
export function f32Copy(backend: ValuesBackend, t: tf.TensorInfo): Float32Array {
  return Float32Array.from(f32(backend, t));
}

/** A float32 output tensor of `shape` holding `values`. */
export function output(
  backend: ValuesBackend,
  values: Float32Array,
  shape: number[],
): tf.TensorInfo {
  return makeOutput(backend, shape, 'float32', values);
}
