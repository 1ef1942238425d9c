import { ArchzooError, Generator } from '@archzoo/core';
import { testBackends, useBackend } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeAddingProblem } from './adding_problem.js';
import { makeCopyTask } from './copy_task.js';
import { makeGaussianMixture } from './gaussian_mixture.js';
import { makeMoons } from './moons.js';
import { makeSinusoids } from './sinusoids.js';
import { makeSpirals } from './spirals.js';

/** Reads every tensor of a result (disposing them) to plain arrays. */
function read<T extends object>(r: T): Record<keyof T, number[]> {
  const out = {} as Record<keyof T, number[]>;
  for (const [k, v] of Object.entries(r)) {
    if (v instanceof tf.Tensor) {
      out[k as keyof T] = Array.from(v.dataSync());
      v.dispose();
    }
  }
  return out;
}

const makers = {
  moons: (seed: number) => makeMoons({ nSamples: 50, noise: 0.1, seed }),
  spirals: (seed: number) => makeSpirals({ nSamples: 60, nClasses: 3, noise: 0.05, seed }),
  gaussianMixture: (seed: number) => makeGaussianMixture({ nSamples: 40, seed }),
  sinusoids: (seed: number) =>
    makeSinusoids({ nSamples: 30, frequencies: [1, 2.5], noise: 0.1, seed }),
  copyTask: (seed: number) => makeCopyTask({ nSamples: 8, copyLength: 4, delay: 5, seed }),
  addingProblem: (seed: number) => makeAddingProblem({ nSamples: 8, seqLength: 10, seed }),
};

for (const backend of testBackends()) {
  describe(`synthetic datasets [${backend}]`, () => {
    beforeAll(() => useBackend(backend));

    for (const [name, make] of Object.entries(makers)) {
      it(`${name}: the same seed gives the same data, another seed other data, no leaks`, () => {
        const before = tf.memory().numTensors;
        const a = read(make(1));
        const b = read(make(1));
        const c = read(make(2));
        expect(a).toEqual(b);
        expect(a.x).not.toEqual(c.x);
        expect(tf.memory().numTensors).toBe(before);
      });
    }

    it('a shared generator advances: two draws differ, and replay from the same seed', () => {
      const g = new Generator(5);
      const first = read(makeMoons({ nSamples: 20, noise: 0.1, generator: g }));
      const second = read(makeMoons({ nSamples: 20, noise: 0.1, generator: g }));
      expect(first.x).not.toEqual(second.x);
      const g2 = new Generator(5);
      expect(read(makeMoons({ nSamples: 20, noise: 0.1, generator: g2 }))).toEqual(first);
    });

    it('moons: shapes, label counts, and points on the two half circles', () => {
      const { x, y } = makeMoons({ nSamples: 101, shuffle: false });
      expect(x.shape).toEqual([101, 2]);
      expect(x.dtype).toBe('float32');
      expect(y.shape).toEqual([101]);
      expect(y.dtype).toBe('int32');
      const [xs, ys] = [x.arraySync(), Array.from(y.dataSync())];
      expect(ys.filter((l) => l === 0).length).toBe(50);
      expect(ys.filter((l) => l === 1).length).toBe(51);
      xs.forEach(([u, v], i) => {
        if (ys[i] === 0) {
          expect(Math.hypot(u!, v!)).toBeCloseTo(1, 5); // outer moon
          expect(v!).toBeGreaterThanOrEqual(-1e-7);
        } else {
          expect(Math.hypot(u! - 1, v! - 0.5)).toBeCloseTo(1, 5); // inner moon
          expect(v!).toBeLessThanOrEqual(0.5 + 1e-7);
        }
      });
      tf.dispose([x, y]);
      const shuffled = makeMoons({ nSamples: 101 });
      expect(Array.from(shuffled.y.dataSync().slice(0, 50)).every((l) => l === 0)).toBe(false);
      tf.dispose([shuffled.x, shuffled.y]);
    });

    it('spirals: balanced classes, radius in [0, 1], angle 2 pi (k / K + turns r)', () => {
      const k = 3;
      const turns = 1.5;
      const { x, y } = makeSpirals({ nSamples: 91, nClasses: k, turns, shuffle: false });
      expect(x.shape).toEqual([91, 2]);
      const xs = x.arraySync();
      const ys = Array.from(y.dataSync());
      expect([0, 1, 2].map((c) => ys.filter((l) => l === c).length)).toEqual([31, 30, 30]);
      xs.forEach(([u, v], i) => {
        const r = Math.hypot(u!, v!);
        expect(r).toBeLessThanOrEqual(1 + 1e-6);
        if (r > 1e-3) {
          const theta = 2 * Math.PI * (ys[i]! / k + turns * r);
          expect(Math.cos(theta) * r).toBeCloseTo(u!, 4);
          expect(Math.sin(theta) * r).toBeCloseTo(v!, 4);
        }
      });
      tf.dispose([x, y]);
    });

    it('Gaussian mixture: exact weighted counts, per-component means and spreads', () => {
      const centers: [number, number][] = [
        [-5, 0],
        [5, 5],
      ];
      const {
        x,
        y,
        centers: c,
      } = makeGaussianMixture({ nSamples: 3000, centers, std: [0.5, 2], weights: [1, 2], seed: 4 });
      expect(c).toEqual(centers);
      expect(x.shape).toEqual([3000, 2]);
      const xs = x.arraySync();
      const ys = Array.from(y.dataSync());
      for (const [k, n, std] of [
        [0, 1000, 0.5],
        [1, 2000, 2],
      ] as const) {
        const pts = xs.filter((_, i) => ys[i] === k);
        expect(pts.length).toBe(n);
        const mx = pts.reduce((s, p) => s + p[0]!, 0) / n;
        const my = pts.reduce((s, p) => s + p[1]!, 0) / n;
        expect(Math.abs(mx - centers[k]![0])).toBeLessThan((4 * std) / Math.sqrt(n));
        expect(Math.abs(my - centers[k]![1])).toBeLessThan((4 * std) / Math.sqrt(n));
        const sd = Math.sqrt(pts.reduce((s, p) => s + (p[0]! - mx) ** 2, 0) / n);
        expect(Math.abs(sd / std - 1)).toBeLessThan(0.1);
      }
      tf.dispose([x, y]);
      const drawn = makeGaussianMixture({ nSamples: 10, centers: 4, centerBox: [2, 3] });
      expect(drawn.centers.length).toBe(4);
      for (const p of drawn.centers) for (const v of p) expect(v >= 2 && v < 3).toBe(true);
      tf.dispose([drawn.x, drawn.y]);
    });

    it('sinusoids: y = sum_k a_k sin(2 pi f_k x + phi_k) on x in xRange', () => {
      const opts = {
        nSamples: 200,
        frequencies: [1, 3],
        amplitudes: [2, 0.5],
        phases: [0.3, -1],
        xRange: [-2, 4] as [number, number],
      };
      const { x, y } = makeSinusoids({ ...opts, sorted: true, seed: 9 });
      expect(x.shape).toEqual([200, 1]);
      expect(y.shape).toEqual([200, 1]);
      const xs = Array.from(x.dataSync());
      const ys = Array.from(y.dataSync());
      xs.forEach((v, i) => {
        expect(v).toBeGreaterThanOrEqual(-2);
        expect(v).toBeLessThan(4);
        if (i > 0) expect(v).toBeGreaterThanOrEqual(xs[i - 1]!);
        const want = 2 * Math.sin(2 * Math.PI * v + 0.3) + 0.5 * Math.sin(2 * Math.PI * 3 * v - 1);
        expect(ys[i]).toBeCloseTo(want, 4);
      });
      tf.dispose([x, y]);
      const noisy = makeSinusoids({ ...opts, noise: 0.2, seed: 9 });
      const resid = Array.from(noisy.y.dataSync()).map((v, i) => {
        const u = noisy.x.dataSync()[i]!;
        return v - (2 * Math.sin(2 * Math.PI * u + 0.3) + 0.5 * Math.sin(2 * Math.PI * 3 * u - 1));
      });
      const sd = Math.sqrt(resid.reduce((s, r) => s + r * r, 0) / resid.length);
      expect(sd).toBeGreaterThan(0.15);
      expect(sd).toBeLessThan(0.25);
      tf.dispose([noisy.x, noisy.y]);
    });

    it('copy task: L symbols, T - 1 blanks, delimiter, L blanks; targets repeat the symbols at the end', () => {
      const [l, t, k] = [4, 6, 5];
      const { x, y, numClasses, delimiter } = makeCopyTask({
        nSamples: 16,
        copyLength: l,
        delay: t,
        numSymbols: k,
        seed: 3,
      });
      expect(x.shape).toEqual([16, t + 2 * l]);
      expect(x.dtype).toBe('int32');
      expect(y.dtype).toBe('int32');
      expect(numClasses).toBe(k + 2);
      expect(delimiter).toBe(k + 1);
      const xs = x.arraySync();
      const ys = y.arraySync();
      xs.forEach((row, i) => {
        const symbols = row.slice(0, l);
        for (const s of symbols) expect(s >= 1 && s <= k).toBe(true);
        expect(row.slice(l, l + t - 1)).toEqual(new Array(t - 1).fill(0));
        expect(row[l + t - 1]).toBe(delimiter);
        expect(row.slice(l + t)).toEqual(new Array(l).fill(0));
        expect(ys[i]!.slice(0, t + l)).toEqual(new Array(t + l).fill(0));
        expect(ys[i]!.slice(t + l)).toEqual(symbols);
      });
      tf.dispose([x, y]);
    });

    it('adding problem: two markers (one per half), target = sum of the marked values', () => {
      const t = 11;
      const { x, y } = makeAddingProblem({ nSamples: 2000, seqLength: t, seed: 6 });
      expect(x.shape).toEqual([2000, t, 2]);
      expect(y.shape).toEqual([2000, 1]);
      const xs = x.arraySync();
      const ys = Array.from(y.dataSync());
      const half = Math.floor(t / 2);
      xs.forEach((seq, i) => {
        const marked = seq.flatMap(([, m], s) => (m === 1 ? [s] : []));
        expect(marked.length).toBe(2);
        expect(marked[0]).toBeLessThan(half);
        expect(marked[1]).toBeGreaterThanOrEqual(half);
        for (const [v, m] of seq) {
          expect(v! >= 0 && v! < 1).toBe(true);
          expect(m === 0 || m === 1).toBe(true);
        }
        expect(ys[i]).toBeCloseTo(seq[marked[0]!]![0]! + seq[marked[1]!]![0]!, 6);
      });
      // The baseline: always predicting 1 has mean squared error 1/6.
      const mse = ys.reduce((s, v) => s + (v - 1) ** 2, 0) / ys.length;
      expect(Math.abs(mse - 1 / 6)).toBeLessThan(0.015);
      tf.dispose([x, y]);
    });

    it('rejects bad options with ArchzooErrors', () => {
      const bad: [() => unknown, RegExp][] = [
        [
          () => makeMoons({ nSamples: -1 }),
          /makeMoons: option nSamples expected a non-negative integer, got -1/,
        ],
        [() => makeMoons({ noise: -0.1 }), /makeMoons: option noise expected/],
        [() => makeSpirals({ nClasses: 0 }), /nClasses expected a positive integer/],
        [
          () => makeGaussianMixture({ centers: [[1, 2, 3] as unknown as [number, number]] }),
          /centers\[0\] expected an \[x, y\] pair/,
        ],
        [
          () => makeGaussianMixture({ centers: 2, std: [1, 2, 3] }),
          /option std expected a number or 2 numbers/,
        ],
        [() => makeGaussianMixture({ centers: 2, weights: [1, 0] }), /weights\[1\]/],
        [
          () => makeSinusoids({ frequencies: [1, 2], amplitudes: [1] }),
          /amplitudes expected 2 numbers/,
        ],
        [() => makeSinusoids({ frequencies: [] }), /at least one frequency/],
        [() => makeSinusoids({ xRange: [1, 0] }), /xRange\[1\]/],
        [() => makeCopyTask({ delay: 0 }), /delay expected a positive integer/],
        [() => makeAddingProblem({ seqLength: 1 }), /seqLength expected at least 2/],
      ];
      for (const [f, message] of bad) {
        expect(f).toThrow(ArchzooError);
        expect(f).toThrow(message);
      }
    });

    it('zero samples give empty tensors of the documented shapes', () => {
      const m = makeMoons({ nSamples: 0 });
      const a = makeAddingProblem({ nSamples: 0, seqLength: 4 });
      expect(m.x.shape).toEqual([0, 2]);
      expect(a.x.shape).toEqual([0, 4, 2]);
      tf.dispose([m.x, m.y, a.x, a.y]);
    });
  });
}
