import { beforeAll, describe, expect, it } from 'vitest';
import { chronoGruBias, chronoLstmBias, chronoValues } from './chrono.js';
import { Generator } from './random.js';
import { momentErrors, moments, useCpu } from './testing/cpu.js';

beforeAll(useCpu);

describe('chrono (Tallec & Ollivier 2018)', () => {
  it('b ~ log U[1, T_max - 1]: exp(b) is uniform on [1, T_max - 1]', () => {
    const tMax = 101;
    const b = chronoValues(100_000, { tMax, generator: new Generator(1) });
    const e = Array.from(b, Math.exp);
    // U[1, 100] has mean 50.5 and variance 99^2 / 12.
    const z = momentErrors(e, {
      mean: 50.5,
      variance: 99 ** 2 / 12,
      mu4: (9 / 5) * (99 ** 2 / 12) ** 2,
    });
    expect(Math.abs(z.meanZ)).toBeLessThan(5);
    expect(Math.abs(z.varZ)).toBeLessThan(5);
    // Median of exp(b) is 50.5: half of the units remember longer than ~51 steps.
    expect(Math.abs(e.filter((x) => x < 50.5).length / e.length - 0.5)).toBeLessThan(
      5 * Math.sqrt(0.25 / e.length),
    );
    const m = moments(b);
    expect(m.min).toBeGreaterThanOrEqual(0);
    expect(m.max).toBeLessThanOrEqual(Math.log(tMax - 1));
  });

  it('LSTM: PyTorch gate order [i, f, g, o], b_i = -b_f, the rest zero, all in bias_ih', () => {
    const h = 16;
    const { biasIh, biasHh } = chronoLstmBias(h, { tMax: 50, generator: new Generator(2) });
    expect(biasIh.shape).toEqual([4 * h]);
    expect(biasHh.shape).toEqual([4 * h]);
    const v = biasIh.dataSync();
    for (let j = 0; j < h; j++) {
      expect(v[j]).toBe(-v[h + j]!); // input gate
      expect(v[h + j]).toBeGreaterThanOrEqual(0);
      expect(v[h + j]).toBeLessThanOrEqual(Math.log(49) + 1e-6);
      expect(v[2 * h + j]).toBe(0); // cell candidate
      expect(v[3 * h + j]).toBe(0); // output gate
    }
    expect(Array.from(biasHh.dataSync()).every((x) => x === 0)).toBe(true);
    // Characteristic forget times 1 / (1 - sigmoid(b_f)) = 1 + exp(b_f) lie in [2, T_max].
    for (let j = 0; j < h; j++) {
      const t = 1 / (1 - 1 / (1 + Math.exp(-v[h + j]!)));
      expect(t).toBeGreaterThanOrEqual(2 - 1e-5);
      expect(t).toBeLessThanOrEqual(50 + 1e-3);
    }
  });

  it('GRU: PyTorch gate order [r, z, n], only the update gate z is set; into hh works', () => {
    const h = 8;
    const { biasIh, biasHh } = chronoGruBias(h, {
      tMax: 1000,
      into: 'hh',
      generator: new Generator(3),
    });
    expect(Array.from(biasIh.dataSync()).every((x) => x === 0)).toBe(true);
    const v = biasHh.dataSync();
    expect(v.length).toBe(3 * h);
    for (let j = 0; j < h; j++) {
      expect(v[j]).toBe(0);
      expect(v[h + j]).toBeGreaterThanOrEqual(0);
      expect(v[2 * h + j]).toBe(0);
    }
    expect(moments(v.slice(h, 2 * h)).max).toBeGreaterThan(0);
  });

  it('is deterministic by seed and rejects T_max < 2', () => {
    const a = chronoValues(10, { tMax: 30, generator: new Generator(4) });
    const b = chronoValues(10, { tMax: 30, generator: new Generator(4) });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(() => chronoValues(3, { tMax: 1 })).toThrow(RangeError);
  });
});
