/**
 * What both parity harnesses (rnn_harness.ts for the torch modules, exotic_helpers.ts for the
 * cells written from their papers) share: the fixtures' tensor format, the tolerances, and the
 * scaled max-error comparison that records the largest error per quantity.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** A tensor as the fixtures store it: torch shape, row-major values. */
export interface FxTensor {
  shape: number[];
  data: (number | string)[];
  dtype?: 'int32';
}

/** Forward tolerance: max |archzoo - reference| <= OUTPUT_TOL * max(1, max |reference|). */
export const OUTPUT_TOL = 1e-5;
/** Gradient tolerance, same scaling. */
export const GRAD_TOL = 1e-4;

export function toTensor(t: FxTensor): tf.Tensor {
  return tf.tensor(t.data.map(Number), t.shape, t.dtype ?? 'float32');
}

/** Largest error seen per quantity (relative to max(1, |ref|)), printed by `logObserved`. */
export const observed = new Map<string, number>();

/** Asserts max |actual - expected| <= tol * max(1, max |expected|) and records the ratio. */
export function compare(
  actual: tf.Tensor,
  expected: FxTensor,
  tol: number,
  label: string,
  stat: string,
): void {
  expect(actual.shape, `${label}: shape`).toEqual(expected.shape);
  const a = actual.dataSync();
  let err = 0;
  let scale = 1;
  expected.data.forEach((v, i) => {
    const e = Math.fround(Number(v));
    const d = Math.abs(a[i]! - e);
    err = Number.isNaN(d) || d > err ? d : err;
    scale = Math.max(scale, Math.abs(e));
  });
  observed.set(stat, Math.max(observed.get(stat) ?? 0, err / scale));
  expect(err, `${label}: max abs error ${err} (bound ${tol} x ${scale})`).toBeLessThanOrEqual(
    tol * scale,
  );
}

/** Prints the largest errors when ARCHZOO_PARITY_LOG is set (call from afterAll). */
export function logObserved(backend: string): void {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  if (!env?.ARCHZOO_PARITY_LOG) return;
  for (const [k, v] of observed) console.log(`[parity ${backend}] ${k}: ${v.toExponential(2)}`);
  observed.clear();
}
