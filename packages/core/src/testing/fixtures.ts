import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

// Reading PyTorch-generated reference fixtures (written by `packages/core/fixtures/fixture_io.py`)
// and comparing archzoo's tensors with them.

/**
 * A tensor as the fixtures store it: torch shape, row-major values. `data` holds numbers or
 * strings that `Number()` reads (such as 'NaN' and 'Infinity', which JSON has no number for);
 * `dtype: 'int32'` marks integer tensors (indices, lengths), float32 otherwise.
 */
export interface FxTensor<V extends number | string = number | string> {
  shape: number[];
  data: V[];
  dtype?: 'int32';
}

/** The fixture tensor as a tf tensor (float32 unless it says int32). */
export function toTensor(t: FxTensor): tf.Tensor {
  return tf.tensor(t.data.map(Number), t.shape, t.dtype ?? 'float32');
}

/**
 * max |actual - expected| over equal-shaped tensors (shapes are asserted), and max(1, max |expected|).
 * The fixture's decimals are read as the float32 values they were written from. A NaN difference
 * is the error (NaN fails every bound).
 */
export function maxError(
  actual: tf.Tensor,
  expected: FxTensor,
  label: string,
): { err: number; scale: number } {
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
  return { err, scale };
}

/** Scaled max-error assertions that remember the largest error per quantity; see `errorRecorder`. */
export interface ErrorRecorder {
  /**
   * Asserts max |actual - expected| <= tol * max(1, max |expected|) and records
   * err / max(1, max |expected|) under `stat` (e.g. 'conv param grad'). `label` names the check
   * in assertion messages.
   */
  compare(actual: tf.Tensor, expected: FxTensor, tol: number, label: string, stat: string): void;
  /**
   * When the environment variable ARCHZOO_PARITY_LOG is set, prints each quantity's largest
   * error as `[parity <backend>] <stat>: <error>` and forgets them (call from `afterAll`).
   */
  log(backend: string): void;
}

/**
 * A fresh recorder for one parity harness: its test file's suites log what they saw, per backend.
 * The methods do not use `this`, so they can be passed around on their own.
 *
 * @example
 * const recorder = errorRecorder();
 * afterAll(() => recorder.log(backend));
 * recorder.compare(out, fixture.output, 1e-5, 'Linear: output', 'linear output');
 */
export function errorRecorder(): ErrorRecorder {
  const observed = new Map<string, number>();
  return {
    compare(actual, expected, tol, label, stat) {
      const { err, scale } = maxError(actual, expected, label);
      observed.set(stat, Math.max(observed.get(stat) ?? 0, err / scale));
      expect(err, `${label}: max abs error ${err} (bound ${tol} x ${scale})`).toBeLessThanOrEqual(
        tol * scale,
      );
    },
    log(backend) {
      const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
        ?.env;
      if (!env?.ARCHZOO_PARITY_LOG) return;
      for (const [k, v] of observed) console.log(`[parity ${backend}] ${k}: ${v.toExponential(2)}`);
      observed.clear();
    },
  };
}
