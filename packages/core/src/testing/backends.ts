import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, isNode, setBackend } from '../backend.js';

/**
 * The backends a test file runs its suites on: cpu and wasm in Node, webgl in the browser.
 * `ARCHZOO_TEST_BACKENDS=cpu,wasm` (Node) narrows the list.
 */
export function testBackends(): BackendName[] {
  if (!isNode()) return ['webgl'];
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  const wanted = env?.ARCHZOO_TEST_BACKENDS;
  if (wanted) return wanted.split(',').map((s) => s.trim()) as BackendName[];
  return ['cpu', 'wasm'];
}

/** Activates a backend for a test suite (call from `beforeAll`). */
export async function useBackend(name: BackendName): Promise<void> {
  await setBackend(name);
  // webgl packs and uses float16-ish paths only when asked; keep full float32 for parity.
  if (name === 'webgl') tf.env().set('WEBGL_PACK', true);
}

/** Element-wise max |a - b| of two tensors (or arrays) of equal size. */
export function maxAbsDiff(
  a: tf.Tensor | ArrayLike<number>,
  b: tf.Tensor | ArrayLike<number>,
): number {
  const av = a instanceof tf.Tensor ? a.dataSync() : a;
  const bv = b instanceof tf.Tensor ? b.dataSync() : b;
  if (av.length !== bv.length)
    throw new Error(`maxAbsDiff: sizes differ (${av.length} vs ${bv.length})`);
  let m = 0;
  for (let i = 0; i < av.length; i++) {
    const d = Math.abs(av[i]! - bv[i]!);
    if (Number.isNaN(d)) return Number.NaN;
    if (d > m) m = d;
  }
  return m;
}
