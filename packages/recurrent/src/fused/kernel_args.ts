/** How the fused recurrent kernels read their inputs and make their outputs on any backend. */
import { makeOutput, readValues, type ValuesBackend } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import type { SavedBlocks } from './steps.js';

/** A kernel's call as tfjs makes it. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The float32 values of `t` (on cpu the backend's own array: never write to it). */
export function f32(backend: ValuesBackend, t: tf.TensorInfo): Float32Array {
  return readValues(backend, t) as Float32Array;
}

/**
 * The float32 values of `t` without a copy: on wasm a view of the heap, valid only until the next
 * allocation on the heap (which can grow the wasm memory and detach the view: take views again
 * after every product or sigmoid); elsewhere the backend's own array. Never write to it.
 */
export function f32View(backend: ValuesBackend, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap
    ? (backend.typedArrayFromHeap(t) as Float32Array)
    : f32(backend, t);
}

const SCRATCH = new Map<string, Float32Array>();

/**
 * A reusable array of `length` floats for `role` (NOT zeroed: the caller overwrites all of it),
 * kept for the next call of the same size: the large temporaries of the fused kernels (tens of MB
 * per training step) are then allocated once instead of per call. Only for arrays that die with
 * the kernel call; roles must differ between arrays in use at the same time.
 */
export function scratch(role: string, length: number): Float32Array {
  let a = SCRATCH.get(role);
  if (a?.length !== length) {
    a = new Float32Array(length);
    SCRATCH.set(role, a);
  }
  return a;
}

/** A float32 output tensor of `shape` holding `values`. */
export function output(
  backend: ValuesBackend,
  values: Float32Array,
  shape: number[],
): tf.TensorInfo {
  return makeOutput(backend, shape, 'float32', values);
}

/**
 * Where a fused forward kernel leaves the activations its backward kernel reads: a box passed in
 * the kernel's attrs (tfjs hands the same attrs object to the gradient function). Keeping them out
 * of the kernel's outputs spares tfjs a zero gradient tensor for each of them in the backward pass
 * and the copies of them onto (and, for the saved outputs, within) the wasm heap. The box lives as
 * long as the op's tape node: dropped with it when no backward pass runs.
 */
export interface SavedActivations {
  /** The forward kernel's activations, for its backward kernel (steps.ts `keepBlocks`). */
  blocks?: SavedBlocks;
  /** What a backward kernel hands its gradient function (dA^T, for dx: `takeSaved`). */
  arrays?: Record<string, Float32Array>;
}

/**
 * The attrs of a fused forward kernel: a fresh box for its saved activations while tfjs records
 * gradients, none otherwise (inference: the kernel then frees its activations at once instead of
 * leaving them to a box no backward pass will empty).
 */
export function savedAttrs(): tf.NamedAttrMap {
  const engine = tf.engine() as unknown as { isTapeOn?: () => boolean };
  if (engine.isTapeOn && !engine.isTapeOn()) return {};
  return { saved: {} as SavedActivations } as unknown as tf.NamedAttrMap;
}

/** The box in a kernel's attrs, if any. */
export function savedBox(attrs: tf.NamedAttrMap | undefined): SavedActivations | undefined {
  return (attrs as { saved?: SavedActivations } | undefined)?.saved;
}

const POOL = new Map<number, Float32Array[]>();
const POOL_DEPTH = 8;

/**
 * An array of `length` floats for a saved activation (NOT zeroed: the caller overwrites all of
 * it): one given back by `releaseArrays` when there is one, else a new one.
 */
export function savedArray(length: number): Float32Array {
  return POOL.get(length)?.pop() ?? new Float32Array(length);
}

/** Gives arrays made by `savedArray` back for reuse (never use them after). */
export function releaseArrays(arrays: Iterable<Float32Array>): void {
  for (const a of arrays) {
    let list = POOL.get(a.length);
    if (!list) {
      list = [];
      POOL.set(a.length, list);
    }
    if (list.length < POOL_DEPTH && !list.includes(a)) list.push(a);
  }
}

/**
 * The saved activations `names` of a backward kernel's attrs; the box is emptied (its arrays are
 * the caller's now, to give back with `releaseArrays` when done).
 */
export function takeSaved(
  where: string,
  attrs: tf.NamedAttrMap | undefined,
  names: readonly string[],
): Float32Array[] {
  const box = savedBox(attrs);
  const arrays = box?.arrays;
  if (!arrays || names.some((n) => !arrays[n]))
    throw new Error(`${where}: the forward pass's saved activations are missing (already used?)`);
  box.arrays = undefined;
  return names.map((n) => arrays[n]!);
}

/**
 * Copies the float32 values of `t` into `dst`, or zeros when `t` is absent (an optional input);
 * returns `dst`, or null when `t` is absent.
 */
export function valuesOrZeros(
  backend: ValuesBackend,
  t: tf.TensorInfo | undefined,
  dst: Float32Array,
): Float32Array | null {
  if (!t) {
    dst.fill(0);
    return null;
  }
  dst.set(f32View(backend, t));
  return dst;
}
