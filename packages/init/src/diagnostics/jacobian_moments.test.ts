import { describe, expect, it } from 'vitest';
import { Generator } from '../random.js';
import { haninBeta, jacobianMoments, reluJacobianMoments } from './jacobian_moments.js';

describe('Hanin 2018: Jacobian moments of a ReLU network at initialization', () => {
  it('beta sums 1/n over the hidden layers', () => {
    expect(haninBeta([10, 20, 20, 5])).toBeCloseTo(0.1, 15);
    expect(haninBeta([10, 5])).toBe(0);
  });

  it('the oracle formula: E[Z^2] = 1/n_0, E[Z^4] = (6/n_0^2) prod (1 + 5/n_l)', () => {
    expect(reluJacobianMoments([4, 10, 10, 4])).toEqual({ m2: 0.25, m4: (6 / 16) * 1.5 * 1.5 });
    // Exact small cases worked by hand: [1, 1, 1]: E[Z^4] = E[D w^4]^2 = 6^2; [1, 2, 1]: 21.
    expect(reluJacobianMoments([1, 1, 1]).m4).toBe(36);
    expect(reluJacobianMoments([1, 2, 1]).m4).toBe(21);
    expect(reluJacobianMoments([4, 10, 10, 4], { output: 'linear' }).m4).toBeCloseTo(
      (3 / 16) * 2.25,
      15,
    );
  });

  // Monte Carlo over random Gaussian He initializations (zero biases): within 4.5 standard errors.
  for (const [widths, output, trials] of [
    [[4, 8, 8, 4], 'relu', 6000],
    [[3, 5, 5, 5, 2], 'relu', 6000],
    [[4, 8, 8, 4], 'linear', 4000],
  ] as const) {
    it(`Monte Carlo matches the oracle for widths [${widths}] with a ${output} output`, () => {
      const r = jacobianMoments({
        widths,
        trials,
        output,
        generator: new Generator(widths.length * 10 + widths[1]!),
      });
      const o = reluJacobianMoments(widths, { output });
      expect(Math.abs(r.m2 - o.m2)).toBeLessThan(4.5 * r.m2StdErr);
      expect(Math.abs(r.m4 - o.m4)).toBeLessThan(4.5 * r.m4StdErr);
      // The width correction is real: without prod (1 + 5/n_l) the fourth moment would be
      // (6 or 3)/n_0^2, many standard errors away.
      const naive = (output === 'relu' ? 6 : 3) / widths[0] ** 2;
      expect((r.m4 - naive) / r.m4StdErr).toBeGreaterThan(6);
      expect(r.beta).toBeCloseTo(haninBeta(widths), 15);
    });
  }

  it('E[Z^2] does not depend on the architecture, E[Z^4] grows with beta (thin deep vs wide shallow)', () => {
    const g = new Generator(9);
    const thin = jacobianMoments({ widths: [4, 6, 6, 6, 4], trials: 4000, generator: g });
    const wide = jacobianMoments({ widths: [4, 40, 4], trials: 1500, generator: g });
    expect(Math.abs(thin.m2 - 0.25)).toBeLessThan(4.5 * thin.m2StdErr);
    expect(Math.abs(wide.m2 - 0.25)).toBeLessThan(4.5 * wide.m2StdErr);
    expect(thin.beta).toBeGreaterThan(wide.beta);
    expect(thin.m4 - wide.m4).toBeGreaterThan(4 * Math.hypot(thin.m4StdErr, wide.m4StdErr));
    for (const r of [thin, wide])
      expect(Math.abs(r.m4 - reluJacobianMoments(r.widths).m4)).toBeLessThan(4.5 * r.m4StdErr);
  });
});
