import { describe, expect, it } from 'vitest';
import { TANH } from './activations.js';
import { networkForward } from './diagnostics/network.js';
import { sampleDenseNetwork } from './diagnostics/random_networks.js';
import {
  chi1,
  criticalTanhPoint,
  fixedPoint,
  gaussianExpectation,
  varianceMap,
} from './mean_field.js';
import { Generator } from './random.js';

describe('gaussianExpectation', () => {
  it('integrates polynomials and tanh^2 near 0 exactly', () => {
    expect(gaussianExpectation((x) => x * x, 2)).toBeCloseTo(2, 13);
    expect(gaussianExpectation((x) => x ** 4, 0.5)).toBeCloseTo(3 * 0.25, 13);
    expect(gaussianExpectation(() => 1, 7)).toBeCloseTo(1, 13);
    expect(gaussianExpectation(Math.cos, 1)).toBeCloseTo(Math.exp(-0.5), 13); // E[cos z] = e^{-1/2}
  });
});

describe('critical tanh point (chi_1 = 1 and q*)', () => {
  it('given q*: chi_1 = 1 and q* is a fixed point of the variance map', () => {
    for (const qStar of [0.001, 1 / 64, 0.3, 1, 3]) {
      const p = criticalTanhPoint({ qStar });
      expect(p.chi1).toBeCloseTo(1, 12);
      expect(varianceMap(qStar, p)).toBeCloseTo(qStar, 12);
      expect(chi1(qStar, p)).toBeCloseTo(1, 12);
    }
  });

  it('given sigma_b^2: finds the q* whose critical sigma_b^2 it is', () => {
    for (const sigmaB2 of [1e-6, 0.01, 0.05, 0.5]) {
      const p = criticalTanhPoint({ sigmaB2 });
      expect(p.sigmaB2).toBeCloseTo(sigmaB2, 12);
      expect(p.chi1).toBeCloseTo(1, 12);
      expect(fixedPoint(p, p.qStar * 1.5)).toBeCloseTo(p.qStar, 6);
    }
    const origin = criticalTanhPoint({ sigmaB2: 0 });
    expect(origin.qStar).toBe(0);
    expect(origin.sigmaW2).toBeCloseTo(1, 14); // tanh'(0) = 1
    expect(origin.sigmaB2).toBe(0);
  });

  it('chi_1 < 1 below the critical line (ordered) and > 1 above it (chaotic)', () => {
    const p = criticalTanhPoint({ qStar: 0.5 });
    const below = { sigmaW2: p.sigmaW2 * 0.8, sigmaB2: p.sigmaB2 };
    const above = { sigmaW2: p.sigmaW2 * 1.2, sigmaB2: p.sigmaB2 };
    expect(chi1(fixedPoint(below), below)).toBeLessThan(1);
    expect(chi1(fixedPoint(above), above)).toBeGreaterThan(1);
  });

  it('predicts the pre-activation variance through a wide random tanh network', () => {
    // Mean-field recursion vs a width-500 network (4 inputs): agreement within a few percent.
    const params = { sigmaW2: 1.5, sigmaB2: 0.05, activation: TANH };
    const width = 500;
    const depth = 10;
    const g = new Generator(1);
    const net = sampleDenseNetwork({
      widths: Array(depth + 1).fill(width),
      sigmaW2: 1.5,
      sigmaB2: 0.05,
      hidden: 'tanh',
      output: 'tanh',
      generator: g,
    });
    const measured = new Float64Array(depth);
    const inputs = 4;
    for (let b = 0; b < inputs; b++) {
      const x = Float64Array.from({ length: width }, () => g.normal()); // q_0 = 1 per coordinate
      networkForward(net, x).pre.forEach((h, l) => {
        measured[l] += h.reduce((s, v) => s + v * v, 0) / width / inputs;
      });
    }
    // q_1 = sigma_w^2 * mean(x^2) + sigma_b^2, then q_l = varianceMap(q_{l-1}).
    let q = params.sigmaW2 * 1 + params.sigmaB2;
    for (let l = 0; l < depth; l++) {
      expect(Math.abs(measured[l] / q - 1)).toBeLessThan(0.15); // seeds 1-8: at most 0.115
      q = varianceMap(q, params);
    }
  });
});
