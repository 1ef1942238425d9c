import { beforeAll, describe, expect, it } from 'vitest';
import { haarColumns, type OrthogonalMethod, orthogonal, randomOrthogonal } from './orthogonal.js';
import { Generator } from './random.js';
import { orthonormalColumnsError, orthonormalRowsError, useCpu } from './testing/cpu.js';

beforeAll(useCpu);

const METHODS: OrthogonalMethod[] = ['qr', 'householder'];

describe('orthogonal', () => {
  for (const method of METHODS) {
    it(`is orthogonal to 1e-5 in float32, with gain, for 2-D and flattened shapes (${method})`, () => {
      const cases: [number[], 'torch' | 'archzoo', number, number][] = [
        // shape, layout, rows, cols
        [[64, 64], 'torch', 64, 64],
        [[30, 100], 'torch', 30, 100],
        [[100, 30], 'torch', 100, 30],
        [[16, 8, 3, 3], 'torch', 16, 72],
        [[3, 3, 8, 16], 'archzoo', 16, 72],
        [[128, 32], 'archzoo', 32, 128],
        [[5, 2, 200], 'torch', 5, 400],
      ];
      for (const [shape, layout, rows, cols] of cases) {
        const gain = 1.7;
        const w = orthogonal(shape, { gain, layout, method, generator: new Generator(1) });
        expect(w.shape).toEqual(shape);
        const v = Float64Array.from(w.dataSync(), (x) => x / gain);
        // Bring archzoo [...rest, rows] to [rows, cols].
        const m = new Float64Array(rows * cols);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++)
            m[r * cols + c] = layout === 'torch' ? v[r * cols + c] : v[c * rows + r];
        }
        const err =
          rows <= cols
            ? orthonormalRowsError(m, rows, cols)
            : orthonormalColumnsError(m, rows, cols);
        expect(err).toBeLessThan(1e-5);
      }
    });
  }

  it('archzoo layout is the transpose of the torch layout for a Linear weight', () => {
    const t = orthogonal([20, 50], { generator: new Generator(3) }).dataSync(); // [out, in]
    const a = orthogonal([50, 20], { layout: 'archzoo', generator: new Generator(3) }).dataSync(); // [in, out]
    for (let o = 0; o < 20; o++)
      for (let i = 0; i < 50; i++) expect(a[i * 20 + o]).toBe(t[o * 50 + i]);
  });

  it('is deterministic by seed', () => {
    const a = orthogonal([12, 9], { generator: new Generator(4) }).dataSync();
    const b = orthogonal([12, 9], { generator: new Generator(4) }).dataSync();
    const c = orthogonal([12, 9], { generator: new Generator(5) }).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  // Haar measure on O(n): E[tr Q] = 0, E[(tr Q)^2] = 1, E[Q_11^2] = 1/n, E[Q_11^4] = 3 / (n (n + 2)).
  // Without the sign fix, Householder QR gives E[tr Q] ~ -n/2 (its R_kk = -sign(x_0) ||x||).
  for (const method of METHODS) {
    it(`samples the Haar measure: trace and entry moments (${method})`, () => {
      const g = new Generator(6);
      const n = 5;
      const trials = 6000;
      let t1 = 0;
      let t2 = 0;
      let q2 = 0;
      let q4 = 0;
      let detPositive = 0;
      for (let s = 0; s < trials; s++) {
        const q = haarColumns(n, n, g, method); // column-major
        let tr = 0;
        for (let i = 0; i < n; i++) tr += q[i * n + i];
        t1 += tr;
        t2 += tr * tr;
        q2 += q[0] ** 2;
        q4 += q[0] ** 4;
        // det sign via the product of the R diagonal of a re-factorization is overkill: use
        // the sign of det from Gaussian elimination.
        const a = Array.from({ length: n }, (_, i) =>
          Array.from({ length: n }, (_, j) => q[j * n + i]),
        );
        let det = 1;
        for (let c = 0; c < n; c++) {
          let p = c;
          for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
          if (p !== c) {
            [a[p], a[c]] = [a[c]!, a[p]!];
            det = -det;
          }
          det *= a[c]![c]!;
          for (let r = c + 1; r < n; r++) {
            const f = a[r]![c]! / a[c]![c]!;
            for (let k = c; k < n; k++) a[r]![k]! -= f * a[c]![k]!;
          }
        }
        if (det > 0) detPositive++;
      }
      // Standard errors: Var[tr Q] = 1, Var[(tr Q)^2] = E[tr^4] - 1 = 2 (n >= 4), Var[Q_11^2] <= E[Q_11^4].
      expect(Math.abs(t1 / trials)).toBeLessThan(5 * Math.sqrt(1 / trials));
      expect(Math.abs(t2 / trials - 1)).toBeLessThan(5 * Math.sqrt(2 / trials));
      expect(Math.abs(q2 / trials - 1 / n)).toBeLessThan(5 * Math.sqrt(3 / (n * (n + 2)) / trials));
      expect(Math.abs(q4 / trials - 3 / (n * (n + 2)))).toBeLessThan(0.15 * (3 / (n * (n + 2))));
      // Both components of O(n) are equally likely.
      expect(Math.abs(detPositive / trials - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / trials));
    });
  }

  it('randomOrthogonal returns orthonormal rows or columns in float64 to 1e-13', () => {
    const g = new Generator(7);
    expect(orthonormalRowsError(randomOrthogonal(40, 90, { generator: g }), 40, 90)).toBeLessThan(
      1e-13,
    );
    expect(
      orthonormalColumnsError(randomOrthogonal(90, 40, { generator: g }), 90, 40),
    ).toBeLessThan(1e-13);
  });

  it('draws a 512 x 512 orthogonal matrix quickly (1024 x 1024 is timed by the benchmark)', () => {
    const n = 512;
    const t0 = performance.now();
    const w = orthogonal([n, n], { generator: new Generator(8) });
    const elapsed = performance.now() - t0;
    const v = w.dataSync();
    // Spot-check 64 rows against each other.
    let err = 0;
    for (let p = 0; p < n; p += 8) {
      for (let q = p; q < n; q += 8) {
        let d = 0;
        for (let j = 0; j < n; j++) d += v[p * n + j] * v[q * n + j];
        err = Math.max(err, Math.abs(d - (p === q ? 1 : 0)));
      }
    }
    expect(err).toBeLessThan(1e-5);
    expect(elapsed).toBeLessThan(30_000); // tf.linalg.qr takes minutes at this size; ~0.1 s here
    w.dispose();
  });

  it('rejects 1-D shapes', () => {
    expect(() => orthogonal([5])).toThrow(RangeError);
  });
});
