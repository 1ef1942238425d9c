import { describe, expect, it } from 'vitest';
import { randomOrthogonal } from './orthogonal.js';
import { Generator } from './random.js';
import { singularValues } from './svd.js';

describe('singularValues (one-sided Jacobi)', () => {
  it('computes the example and a diagonal matrix exactly', () => {
    const s = singularValues(new Float64Array([3, 0, 4, 5]), 2, 2);
    expect(s[0]).toBeCloseTo(Math.sqrt(45), 13);
    expect(s[1]).toBeCloseTo(Math.sqrt(5), 13);
    expect(Array.from(singularValues([0, 2, 0, -7, 0, 0], 2, 3))).toEqual([7, 2]);
  });

  it('recovers prescribed singular values spanning 12 orders of magnitude to relative 1e-9', () => {
    const g = new Generator(1);
    const n = 40;
    const u = randomOrthogonal(n, n, { generator: g });
    const v = randomOrthogonal(n, n, { generator: g });
    const want = Array.from({ length: n }, (_, i) => 10 ** (3 - (12 * i) / (n - 1)));
    const a = new Float64Array(n * n); // U diag(s) V^T
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let x = 0;
        for (let k = 0; k < n; k++) x += u[i * n + k] * want[k]! * v[j * n + k];
        a[i * n + j] = x;
      }
    }
    const got = singularValues(a, n, n);
    // The smallest are limited by the rounding of A itself: about 1e-16 * s_max.
    want.forEach((s, i) => expect(Math.abs(got[i] - s)).toBeLessThan(1e-9 * s + 1e-12));
  });

  it('agrees with the Frobenius norm and |det| on wide and tall random matrices', () => {
    const g = new Generator(2);
    for (const [m, n] of [
      [30, 17],
      [17, 30],
      [25, 25],
    ] as const) {
      const a = Float64Array.from({ length: m * n }, () => g.normal());
      const s = singularValues(a, m, n);
      expect(s.length).toBe(Math.min(m, n));
      for (let i = 1; i < s.length; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]!);
      const fro = a.reduce((acc, x) => acc + x * x, 0);
      expect(s.reduce((acc, x) => acc + x * x, 0)).toBeCloseTo(fro, 9);
    }
    // |det| of a 3x3 = product of singular values.
    const b = [2, -1, 0, -1, 2, -1, 0, -1, 2]; // det 4
    const s = singularValues(b, 3, 3);
    expect(s[0] * s[1] * s[2]).toBeCloseTo(4, 12);
  });

  it('returns zeros for a rank-deficient matrix', () => {
    const s = singularValues([1, 2, 2, 4, 3, 6], 3, 2); // rank 1
    expect(s[0]).toBeCloseTo(Math.sqrt(70), 12);
    expect(s[1]).toBeLessThan(1e-14);
  });
});
