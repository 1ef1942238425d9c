import { describe, expect, it } from 'vitest';
import { Generator } from '../random.js';
import { sampleConvNetwork, sampleDenseNetwork } from './random_networks.js';
import { convIsometry, denseIsometry, jacobianSpectrum } from './spectrum.js';

function gaussianVector(n: number, g: Generator): Float64Array {
  return Float64Array.from({ length: n }, () => g.normal());
}

describe('Jacobian singular values (dynamical isometry)', () => {
  it('deep linear orthogonal and delta-orthogonal networks are exact isometries', () => {
    const g = new Generator(1);
    const dense = sampleDenseNetwork({
      widths: Array(21).fill(24),
      init: 'orthogonal',
      hidden: 'linear',
      generator: g,
    });
    const conv = sampleConvNetwork({
      depth: 12,
      channels: 4,
      height: 3,
      width: 4,
      init: 'delta_orthogonal',
      hidden: 'linear',
      generator: g,
    });
    for (const [net, n] of [
      [dense, 24],
      [conv, 48],
    ] as const) {
      const s = jacobianSpectrum(net, gaussianVector(n, g));
      expect(s.singularValues).toHaveLength(n);
      for (const v of s.singularValues) expect(Math.abs(v - 1)).toBeLessThan(1e-10);
    }
  });

  it('deep linear Gaussian networks: mean s^2 = 1, variance of s^2 ~ depth (free probability: E[s^4] -> L + 1)', () => {
    const depth = 4;
    let m2 = 0;
    let v2 = 0;
    const trials = 10;
    for (let t = 0; t < trials; t++) {
      const g = new Generator(100 + t);
      const net = sampleDenseNetwork({
        widths: Array(depth + 1).fill(64),
        hidden: 'linear',
        generator: g,
      });
      const s = jacobianSpectrum(net, gaussianVector(64, g));
      m2 += s.meanSquared / trials;
      v2 += s.varianceSquared / trials;
    }
    expect(Math.abs(m2 - 1)).toBeLessThan(0.1);
    expect(v2).toBeGreaterThan(0.75 * depth);
    expect(v2).toBeLessThan(1.35 * depth);
  });

  it('critical tanh (q* = 1/64), depth 32: orthogonal stays near isometry, Gaussian does not', () => {
    const { gaussian, orthogonal } = denseIsometry({
      depth: 32,
      width: 64,
      generator: new Generator(2),
    });
    // chi_1 = 1: the mean squared singular value stays ~1 for orthogonal weights.
    expect(Math.abs(orthogonal.meanSquared - 1)).toBeLessThan(0.25);
    expect(orthogonal.varianceSquared).toBeLessThan(0.2);
    expect(orthogonal.median).toBeGreaterThan(0.8);
    expect(orthogonal.median).toBeLessThan(1.25);
    expect(orthogonal.max).toBeLessThan(1.6);
    // Gaussian: a few large singular values, most of them collapsed.
    expect(gaussian.varianceSquared).toBeGreaterThan(10 * orthogonal.varianceSquared);
    expect(gaussian.varianceSquared).toBeGreaterThan(2);
    expect(gaussian.median).toBeLessThan(0.01);
    expect(gaussian.max).toBeGreaterThan(2);
  });

  it('vanilla tanh CNN, depth 32: delta-orthogonal kernels keep the spectrum near 1, Gaussian kernels do not', () => {
    const { gaussian, deltaOrthogonal } = convIsometry({
      depth: 32,
      channels: 8,
      size: 4,
      generator: new Generator(3),
    });
    expect(deltaOrthogonal.singularValues).toHaveLength(128);
    expect(Math.abs(deltaOrthogonal.meanSquared - 1)).toBeLessThan(0.3);
    expect(deltaOrthogonal.median).toBeGreaterThan(0.8);
    expect(deltaOrthogonal.median).toBeLessThan(1.25);
    expect(deltaOrthogonal.varianceSquared).toBeLessThan(0.5);
    expect(gaussian.median).toBeLessThan(0.01);
    expect(gaussian.varianceSquared).toBeGreaterThan(5 * deltaOrthogonal.varianceSquared);
  });
});
