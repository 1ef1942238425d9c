import { beforeAll, describe, expect, it } from 'vitest';
import { calculateGain } from './fans.js';
import { kaimingNormal, kaimingStd, kaimingUniform, kaimingUniformBound } from './kaiming.js';
import { lecunNormal, lecunStd, lecunUniform, lecunUniformBound } from './lecun.js';
import { Generator } from './random.js';
import { momentErrors, moments, useCpu } from './testing/cpu.js';
import { varianceScaling } from './variance_scaling.js';
import { xavierNormal, xavierStd, xavierUniform, xavierUniformBound } from './xavier.js';

beforeAll(useCpu);

/** mean 0, the given variance; mu4 = 3 var^2 (normal) or 9/5 var^2 (uniform). */
function expectMoments(v: ArrayLike<number>, variance: number, kind: 'normal' | 'uniform'): void {
  const mu4 = (kind === 'normal' ? 3 : 9 / 5) * variance ** 2;
  const { meanZ, varZ } = momentErrors(v, { mean: 0, variance, mu4 });
  expect(Math.abs(meanZ)).toBeLessThan(5);
  expect(Math.abs(varZ)).toBeLessThan(5);
}

describe('Kaiming (He et al. 2015)', () => {
  it('std = gain / sqrt(fan); bound = sqrt(3) std', () => {
    expect(kaimingStd([256, 128])).toBeCloseTo(Math.sqrt(2 / 128), 15);
    expect(kaimingStd([256, 128], { mode: 'fan_out' })).toBeCloseTo(Math.sqrt(2 / 256), 15);
    expect(kaimingStd([64, 16, 3, 3], { nonlinearity: 'tanh' })).toBeCloseTo(5 / 3 / 12, 15);
    expect(kaimingStd([8, 4], { a: 0.2 })).toBeCloseTo(Math.sqrt(2 / 1.04 / 4), 15);
    expect(kaimingUniformBound([256, 128])).toBeCloseTo(Math.sqrt(6 / 128), 15);
    expect(kaimingStd([3, 3, 16, 64], { layout: 'archzoo' })).toBe(kaimingStd([64, 16, 3, 3]));
    expect(kaimingStd([10, 10], { fanIn: 50, fanOut: 1 })).toBeCloseTo(Math.sqrt(2 / 50), 15);
  });

  it('draws with the measured statistics of its formula', () => {
    const shape = [400, 300];
    const n = kaimingNormal(shape, { generator: new Generator(1) }).dataSync();
    expectMoments(n, 2 / 300, 'normal');
    const u = kaimingUniform(shape, { mode: 'fan_out', generator: new Generator(2) }).dataSync();
    expectMoments(u, 2 / 400, 'uniform');
    const b = Math.sqrt(6 / 400);
    const m = moments(u);
    expect(m.max).toBeLessThanOrEqual(b);
    expect(m.min).toBeGreaterThanOrEqual(-b);
    expect(m.max).toBeGreaterThan(0.999 * b); // 120k draws reach the bound
  });

  it('is deterministic by seed', () => {
    const a = kaimingNormal([20, 20], { generator: new Generator(5) }).dataSync();
    const b = kaimingNormal([20, 20], { generator: new Generator(5) }).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe('Xavier (Glorot & Bengio 2010)', () => {
  it('std = gain sqrt(2 / (fan_in + fan_out)); bound = gain sqrt(6 / (fan_in + fan_out))', () => {
    expect(xavierStd([300, 100])).toBeCloseTo(Math.sqrt(2 / 400), 15);
    expect(xavierUniformBound([300, 100], { gain: 2 })).toBeCloseTo(2 * Math.sqrt(6 / 400), 15);
    expect(xavierStd([3, 3, 8, 16], { layout: 'archzoo' })).toBeCloseTo(
      Math.sqrt(2 / (72 + 144)),
      15,
    );
  });

  it('draws with the measured statistics of its formula', () => {
    const shape = [300, 500];
    const g = calculateGain('tanh');
    expectMoments(
      xavierNormal(shape, { gain: g, generator: new Generator(3) }).dataSync(),
      (g * g * 2) / 800,
      'normal',
    );
    const u = xavierUniform(shape, { generator: new Generator(4) }).dataSync();
    expectMoments(u, 2 / 800, 'uniform');
    expect(moments(u).max).toBeLessThanOrEqual(Math.sqrt(6 / 800));
  });
});

describe('LeCun (1998)', () => {
  it('std = sqrt(1 / fan_in); bound = sqrt(3 / fan_in)', () => {
    expect(lecunStd([10, 100])).toBeCloseTo(0.1, 15);
    expect(lecunUniformBound([10, 300])).toBeCloseTo(0.1, 15);
    expect(lecunStd([100, 10], { layout: 'archzoo' })).toBeCloseTo(0.1, 15);
  });

  it('draws with the measured statistics of its formula', () => {
    expectMoments(
      lecunNormal([500, 250], { generator: new Generator(6) }).dataSync(),
      1 / 250,
      'normal',
    );
    const u = lecunUniform([500, 250], { generator: new Generator(7) }).dataSync();
    expectMoments(u, 1 / 250, 'uniform');
    expect(moments(u).max).toBeLessThanOrEqual(Math.sqrt(3 / 250));
  });
});

describe('varianceScaling (Keras)', () => {
  it('has variance scale / n for every mode and distribution', () => {
    const shape = [3, 3, 32, 64]; // archzoo: fan_in 288, fan_out 576
    const fans = { fan_in: 288, fan_out: 576, fan_avg: 432 };
    let seed = 10;
    for (const mode of ['fan_in', 'fan_out', 'fan_avg'] as const) {
      for (const distribution of ['uniform', 'untruncated_normal', 'truncated_normal'] as const) {
        const v = varianceScaling(shape, {
          scale: 2,
          mode,
          distribution,
          layout: 'archzoo',
          generator: new Generator(seed++),
        }).dataSync();
        const variance = 2 / fans[mode];
        // A truncated normal's fourth moment is below 3 var^2; 3 keeps the tolerance conservative.
        expectMoments(v, variance, distribution === 'uniform' ? 'uniform' : 'normal');
        if (distribution === 'truncated_normal') {
          const s = Math.sqrt(variance) / 0.87962566103423978;
          expect(moments(v).max).toBeLessThanOrEqual(2 * s + 1e-7);
        }
      }
    }
  });
});
