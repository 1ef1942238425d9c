import { describe, expect, it } from 'vitest';
import { qr } from './qr.js';
import { Generator } from './random.js';
import { orthonormalColumnsError } from './testing/cpu.js';

function gaussian(n: number, seed: number): Float64Array {
  const g = new Generator(seed);
  return Float64Array.from({ length: n }, () => g.normal());
}

describe('qr (blocked Householder)', () => {
  it('factors the 2x2 example in its doc comment', () => {
    const { q, r } = qr(new Float64Array([3, 1, 4, 2]), 2, 2);
    const want = { q: [-0.6, -0.8, -0.8, 0.6], r: [-5, -2.2, 0, 0.4] };
    want.q.forEach((v, i) => expect(q[i]).toBeCloseTo(v, 14));
    want.r.forEach((v, i) => expect(r[i]).toBeCloseTo(v, 14));
  });

  // Sizes that cross the 32-column panels and the 4-reflector padding, tall, square and wide.
  for (const [m, n] of [
    [5, 3],
    [70, 45],
    [100, 100],
    [130, 67],
    [33, 100],
    [1, 4],
    [40, 1],
  ] as const) {
    it(`A = Q R with orthonormal Q and upper-triangular R for ${m}x${n}`, () => {
      const a = gaussian(m * n, m * 1000 + n);
      const { q, r } = qr(a, m, n);
      const k = Math.min(m, n);
      expect(orthonormalColumnsError(q, m, k)).toBeLessThan(1e-13);
      for (let i = 0; i < k; i++)
        for (let j = 0; j < Math.min(i, n); j++) expect(r[i * n + j]).toBe(0);
      let err = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += q[i * k + p] * r[p * n + j];
          err = Math.max(err, Math.abs(s - a[i * n + j]));
        }
      }
      expect(err).toBeLessThan(1e-12);
    });
  }

  it('handles a zero column (rank deficiency) without NaN', () => {
    const a = gaussian(6 * 3, 9);
    for (let i = 0; i < 6; i++) a[i * 3 + 1] = 0;
    const { q, r } = qr(a, 6, 3);
    expect(q.every(Number.isFinite)).toBe(true);
    expect(r[1 * 3 + 1]).toBe(0);
    expect(orthonormalColumnsError(q, 6, 3)).toBeLessThan(1e-14);
  });
});
