import type * as tf from '@tensorflow/tfjs-core';
import type { Lanes } from './geometry.js';

/** The backends whose data-movement kernels archzoo replaces. */
export type MovementBackend = 'wasm' | 'cpu';

/** The dtypes the movement kernels move themselves (others go to the stock kernel). */
export type MovedDType = 'float32' | 'int32' | 'bool';

/** A kernel's call as tfjs makes it. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** What the kernels use of tfjs-backend-wasm's backend: tensors live on its heap. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  /** The Emscripten module: its current heap (replaced when the heap grows). */
  wasm: { HEAPU8: Uint8Array };
  /** Where each tensor's values start on the heap, in bytes. */
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
}

/** What the kernels use of tfjs-backend-cpu's backend: tensors are typed arrays in `data`. */
interface CpuBackend {
  data: { get(dataId: tf.DataId): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.BackendValues): tf.TensorInfo;
}

/** True for the dtypes whose values the kernels move as lanes. */
export function isMoved(dtype: tf.DataType): dtype is MovedDType {
  return dtype === 'float32' || dtype === 'int32' || dtype === 'bool';
}

/** The lanes (bits) of typed values: float32 and int32 as Int32Array, bool as Uint8Array. */
export function lanesOf(values: Float32Array | Int32Array | Uint8Array): Lanes {
  if (values instanceof Uint8Array || values instanceof Int32Array) return values;
  return new Int32Array(values.buffer, values.byteOffset, values.length);
}

/**
 * The values of a cpu tensor as the typed array of its dtype. tfjs-cpu keeps a widening cast's
 * input values as they were (float32 tensors backed by an Int32Array, int32 ones by a
 * Uint8Array): those are converted here, as its own readSync and kernels convert them.
 */
function cpuValues(backend: CpuBackend, t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array {
  const values = backend.data.get(t.dataId)?.values;
  if (!ArrayBuffer.isView(values)) {
    throw new Error(`archzoo movement kernels: no typed cpu values for a ${t.dtype} tensor`);
  }
  const typed = values as Float32Array | Int32Array | Uint8Array;
  const Type = t.dtype === 'bool' ? Uint8Array : t.dtype === 'int32' ? Int32Array : Float32Array;
  return typed instanceof Type ? typed : Type.from(typed);
}

/** True when every tensor's values are stored as the kernels can move them (typed, numeric). */
export function canMove(
  backendName: MovementBackend,
  backend: unknown,
  ts: tf.TensorInfo[],
): boolean {
  for (const t of ts) {
    if (!isMoved(t.dtype)) return false;
    if (backendName === 'cpu') {
      const values = (backend as CpuBackend).data.get(t.dataId)?.values;
      if (!ArrayBuffer.isView(values)) return false;
    }
  }
  return true;
}

function emptyValues(dtype: MovedDType, size: number): Float32Array | Int32Array | Uint8Array {
  if (dtype === 'bool') return new Uint8Array(size);
  return dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
}

/** Outputs made for a kernel, with the lanes of its inputs and outputs to fill them from. */
export interface Prepared {
  outs: tf.TensorInfo[];
  src: Lanes[];
  dst: Lanes[];
}

/**
 * Makes one output per shape (all of `dtype`), then views the inputs' and outputs' lanes, in that
 * order: on wasm, an allocation may grow the heap and detach every view taken before it. Views are
 * zero-copy (the wasm heap itself, or the cpu backend's own arrays, converted once where a cast
 * kept another type). Check `canMove` first.
 */
export function prepare(
  backendName: MovementBackend,
  backend: unknown,
  inputs: tf.TensorInfo[],
  shapes: number[][],
  dtype: tf.DataType,
): Prepared {
  if (!isMoved(dtype)) throw new Error(`archzoo movement kernels: cannot move ${dtype} values`);
  if (backendName === 'wasm') {
    const wasm = backend as WasmBackend;
    const outs = shapes.map((shape) => wasm.makeOutput(shape, dtype));
    return {
      outs,
      src: inputs.map((t) => lanesOf(wasm.typedArrayFromHeap(t))),
      dst: outs.map((t) => lanesOf(wasm.typedArrayFromHeap(t))),
    };
  }
  const cpu = backend as CpuBackend;
  const dst: Lanes[] = [];
  const outs = shapes.map((shape) => {
    const values = emptyValues(
      dtype,
      shape.reduce((a, b) => a * b, 1),
    );
    dst.push(lanesOf(values));
    return cpu.makeTensorInfo(shape, dtype, values);
  });
  return { outs, src: inputs.map((t) => lanesOf(cpuValues(cpu, t))), dst };
}

/**
 * Outputs made for a kernel, with lanes to fill them from, each tensor at its own start: `src[i]`
 * from `srcAt[i]` on, `dst[i]` from `dstAt[i]` on.
 */
export interface Placed extends Prepared {
  srcAt: number[];
  dstAt: number[];
}

/**
 * `prepare`, but on wasm every tensor is viewed in one view of the whole heap (`src` and `dst`
 * all the same array, each tensor at its offset): one view per call instead of two per tensor
 * (0.2 us each, 20 us for a 50-input Concat), and `copyRun` moves each run with `copyWithin`
 * (a memmove, no subarray made). On cpu, the arrays of `prepare`, each from 0.
 */
export function prepareInPlace(
  backendName: MovementBackend,
  backend: unknown,
  inputs: tf.TensorInfo[],
  shapes: number[][],
  dtype: tf.DataType,
): Placed {
  if (!isMoved(dtype)) throw new Error(`archzoo movement kernels: cannot move ${dtype} values`);
  if (backendName === 'cpu') {
    const p = prepare(backendName, backend, inputs, shapes, dtype);
    return { ...p, srcAt: inputs.map(() => 0), dstAt: shapes.map(() => 0) };
  }
  const wasm = backend as WasmBackend;
  const outs = shapes.map((shape) => wasm.makeOutput(shape, dtype));
  const { buffer } = wasm.wasm.HEAPU8; // after the outputs are made: they may grow the heap
  const lanes: Lanes = dtype === 'bool' ? new Uint8Array(buffer) : new Int32Array(buffer);
  const laneBytes = lanes.BYTES_PER_ELEMENT;
  const at = (t: tf.TensorInfo) => (wasm.dataIdMap.get(t.dataId)?.memoryOffset ?? -1) / laneBytes;
  const srcAt = inputs.map(at);
  const dstAt = outs.map(at);
  if (![...srcAt, ...dstAt].every((i) => Number.isInteger(i) && i >= 0)) {
    // Not seen (tfjs-wasm's heap blocks are aligned): view each tensor on its own, from 0.
    return {
      outs,
      src: inputs.map((t) => lanesOf(wasm.typedArrayFromHeap(t))),
      srcAt: inputs.map(() => 0),
      dst: outs.map((t) => lanesOf(wasm.typedArrayFromHeap(t))),
      dstAt: outs.map(() => 0),
    };
  }
  return { outs, src: inputs.map(() => lanes), srcAt, dst: outs.map(() => lanes), dstAt };
}

/**
 * The lanes of `t`, zero-copy, for reading before any output is made: on wasm the view is good
 * only until the next allocation. Check `canMove` first.
 */
export function peek(backendName: MovementBackend, backend: unknown, t: tf.TensorInfo): Lanes {
  if (backendName === 'wasm') return lanesOf((backend as WasmBackend).typedArrayFromHeap(t));
  return lanesOf(cpuValues(backend as CpuBackend, t));
}

/** On cpu, the typed array `t`'s values are stored in (whatever its type), or undefined. */
export function cpuStored(
  backend: unknown,
  t: tf.TensorInfo,
): Float32Array | Int32Array | Uint8Array | undefined {
  const values = (backend as CpuBackend).data.get(t.dataId)?.values;
  return ArrayBuffer.isView(values)
    ? (values as Float32Array | Int32Array | Uint8Array)
    : undefined;
}

/**
 * On cpu, an output of `shape` that shares `x`'s stored values from `offset` on (no copy, as
 * tfjs-cpu's own Slice does for a contiguous slice: the stored array, whatever its type).
 * `stored` is `cpuStored(backend, x)`, when the caller has it already.
 */
export function cpuAlias(
  backend: unknown,
  x: tf.TensorInfo,
  offset: number,
  shape: number[],
  stored = cpuStored(backend, x),
): tf.TensorInfo {
  if (!stored)
    throw new Error(`archzoo movement kernels: no typed cpu values for a ${x.dtype} tensor`);
  let size = 1;
  for (const d of shape) size *= d;
  return (backend as CpuBackend).makeTensorInfo(
    shape,
    x.dtype,
    stored.subarray(offset, offset + size),
  );
}
