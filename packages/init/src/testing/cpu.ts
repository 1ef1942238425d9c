// Test helper (excluded from the build): the cpu backend, identical in Node and the browser.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

/** Activates tfjs's cpu backend (call from `beforeAll`). */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Mean and (population) variance of a list of numbers. */
export function moments(v: ArrayLike<number>): {
  mean: number;
  variance: number;
  min: number;
  max: number;
} {
  let s = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < v.length; i++) {
    s += v[i]!;
    if (v[i]! < min) min = v[i]!;
    if (v[i]! > max) max = v[i]!;
  }
  const mean = s / v.length;
  let q = 0;
  for (let i = 0; i < v.length; i++) q += (v[i]! - mean) ** 2;
  return { mean, variance: q / v.length, min, max };
}

/**
 * Checks sample moments of n i.i.d. draws against the true mean and variance, within k standard
 * errors: se(mean) = sqrt(var / n), se(var) = sqrt((mu4 - var^2) / n) with mu4 the true fourth
 * central moment (3 var^2 for a normal, 9/5 var^2 for a uniform).
 */
export function momentErrors(
  values: ArrayLike<number>,
  truth: { mean: number; variance: number; mu4: number },
): { meanZ: number; varZ: number } {
  const n = values.length;
  const m = moments(values);
  const seMean = Math.sqrt(truth.variance / n);
  const seVar = Math.sqrt((truth.mu4 - truth.variance ** 2) / n);
  return { meanZ: (m.mean - truth.mean) / seMean, varZ: (m.variance - truth.variance) / seVar };
}

/** max |A^T A - I| (orthonormal columns) of a row-major rows x cols matrix. */
export function orthonormalColumnsError(a: ArrayLike<number>, rows: number, cols: number): number {
  let err = 0;
  for (let p = 0; p < cols; p++) {
    for (let q = p; q < cols; q++) {
      let d = 0;
      for (let i = 0; i < rows; i++) d += a[i * cols + p]! * a[i * cols + q]!;
      err = Math.max(err, Math.abs(d - (p === q ? 1 : 0)));
    }
  }
  return err;
}

/** max |A A^T - I| (orthonormal rows) of a row-major rows x cols matrix. */
export function orthonormalRowsError(a: ArrayLike<number>, rows: number, cols: number): number {
  let err = 0;
  for (let p = 0; p < rows; p++) {
    for (let q = p; q < rows; q++) {
      let d = 0;
      for (let j = 0; j < cols; j++) d += a[p * cols + j]! * a[q * cols + j]!;
      err = Math.max(err, Math.abs(d - (p === q ? 1 : 0)));
    }
  }
  return err;
}
