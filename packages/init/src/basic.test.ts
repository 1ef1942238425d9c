import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { constant, normal, ones, truncatedNormal, uniform, zeros } from './basic.js';
import { erfc, normalCdf, normalPdf, normalQuantile, truncatedNormalMoments } from './gaussian.js';
import { Generator, manualSeed } from './random.js';
import { momentErrors, moments, useCpu } from './testing/cpu.js';

beforeAll(useCpu);

const N = 200_000;

describe('constants', () => {
  it('zeros, ones, constant', () => {
    expect(Array.from(zeros([2, 3]).dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(ones([2]).dataSync())).toEqual([1, 1]);
    const c = constant([2, 2], 0.25);
    expect(c.shape).toEqual([2, 2]);
    expect(Array.from(c.dataSync())).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('uniform', () => {
  it('has the mean, variance and bounds of U(low, high) within 5 standard errors', () => {
    const [low, high] = [-0.3, 0.7];
    const v = uniform([N], { low, high, generator: new Generator(1) }).dataSync();
    const variance = (high - low) ** 2 / 12;
    const { meanZ, varZ } = momentErrors(v, { mean: 0.2, variance, mu4: (9 / 5) * variance ** 2 });
    expect(Math.abs(meanZ)).toBeLessThan(5);
    expect(Math.abs(varZ)).toBeLessThan(5);
    expect(moments(v).min).toBeGreaterThanOrEqual(low);
    expect(moments(v).max).toBeLessThanOrEqual(high);
  });

  it('is deterministic by seed and by the global generator', () => {
    const a = uniform([50], { generator: new Generator(7) }).dataSync();
    const b = uniform([50], { generator: new Generator(7) }).dataSync();
    const c = uniform([50], { generator: new Generator(8) }).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    manualSeed(7);
    expect(Array.from(uniform([50]).dataSync())).toEqual(Array.from(a));
  });

  it('rejects high < low', () => {
    expect(() => uniform([2], { low: 1, high: 0 })).toThrow(RangeError);
  });
});

describe('normal', () => {
  it('has the mean and variance of N(mean, std^2) within 5 standard errors', () => {
    const v = normal([N], { mean: 1.5, std: 0.5, generator: new Generator(2) }).dataSync();
    const { meanZ, varZ } = momentErrors(v, { mean: 1.5, variance: 0.25, mu4: 3 * 0.25 ** 2 });
    expect(Math.abs(meanZ)).toBeLessThan(5);
    expect(Math.abs(varZ)).toBeLessThan(5);
  });
});

describe('gaussian helpers', () => {
  it('erfc matches Python math.erfc', () => {
    // Values printed by CPython's math.erfc.
    const table: [number, number][] = [
      [0, 1],
      [0.5, 0.4795001221869535],
      [-1, 1.8427007929497148],
      [2.4, 0.0006885138966450789],
      [2.6, 0.00023603441652934908],
      [5, 1.5374597944280351e-12],
      [10, 2.088487583762545e-45],
    ];
    for (const [x, want] of table) expect(Math.abs(erfc(x) - want) / want).toBeLessThan(1e-12);
  });

  it('normalQuantile inverts normalCdf, and hits known quantiles', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 15);
    for (let x = -30; x <= 3; x += 0.37) {
      expect(Math.abs(normalQuantile(normalCdf(x)) - x)).toBeLessThan(1e-11 * (1 + Math.abs(x)));
    }
  });

  it('truncatedNormalMoments reproduces the Keras constant 0.87962566103423978', () => {
    expect(Math.sqrt(truncatedNormalMoments(-2, 2).variance)).toBeCloseTo(0.87962566103423978, 14);
    expect(truncatedNormalMoments(-2, 2).mean).toBeCloseTo(0, 15);
    // One-sided: E[Z | Z > 0] = sqrt(2 / pi).
    expect(truncatedNormalMoments(0, Number.POSITIVE_INFINITY).mean).toBeCloseTo(
      Math.sqrt(2 / Math.PI),
      14,
    );
  });
});

describe('truncatedNormal', () => {
  const cases = [
    { mean: 0, std: 1, a: -2, b: 2, bounds: 'absolute' as const },
    { mean: 1, std: 2, a: -1, b: 4, bounds: 'absolute' as const },
    { mean: 0, std: 1, a: 0.5, b: 3, bounds: 'absolute' as const },
    { mean: 3, std: 0.5, a: 4, b: 6, bounds: 'absolute' as const }, // far in the upper tail
    { mean: 0.5, std: 0.1, a: -2, b: 2, bounds: 'std' as const },
    { mean: 0, std: 2, a: -1, b: 0.5, bounds: 'std' as const },
  ];
  for (const c of cases) {
    it(`matches the closed-form moments for ${JSON.stringify(c)}`, () => {
      const v = truncatedNormal([N], { ...c, generator: new Generator(3) }).dataSync();
      const lo = c.bounds === 'std' ? c.mean + c.a * c.std : c.a;
      const hi = c.bounds === 'std' ? c.mean + c.b * c.std : c.b;
      const m = truncatedNormalMoments((lo - c.mean) / c.std, (hi - c.mean) / c.std);
      const variance = m.variance * c.std ** 2;
      // mu4 <= 3 var^2 for a truncated normal; 3 var^2 makes the tolerance conservative.
      const { meanZ, varZ } = momentErrors(v, {
        mean: c.mean + c.std * m.mean,
        variance,
        mu4: 3 * variance ** 2,
      });
      expect(Math.abs(meanZ)).toBeLessThan(5);
      expect(Math.abs(varZ)).toBeLessThan(5);
      const f32 = 1e-6 * Math.max(Math.abs(lo), Math.abs(hi), 1);
      expect(moments(v).min).toBeGreaterThanOrEqual(lo - f32);
      expect(moments(v).max).toBeLessThanOrEqual(hi + f32);
    });
  }

  it('absolute bounds and std bounds differ exactly as documented', () => {
    // PyTorch: std 0.02 with a = -2, b = 2 is effectively untruncated; TF: truncated at 2 std.
    const torchStyle = truncatedNormal([N], { std: 0.02, generator: new Generator(4) }).dataSync();
    const tfStyle = truncatedNormal([N], {
      std: 0.02,
      bounds: 'std',
      generator: new Generator(4),
    }).dataSync();
    expect(moments(torchStyle).max).toBeGreaterThan(0.07); // ~4 std occurs in 2e5 draws
    expect(moments(tfStyle).max).toBeLessThanOrEqual(0.04 + 1e-8);
  });

  it('rejects an empty interval', () => {
    expect(() => truncatedNormal([2], { a: 1, b: 1 })).toThrow(RangeError);
    expect(() => tf.tidy(() => truncatedNormal([2], { a: 100, b: 101 }))).toThrow(RangeError);
  });
});
