import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { varianceMap } from '../mean_field.js';
import { Generator } from '../random.js';
import { useCpu } from '../testing/cpu.js';
import { activationStats } from './activation_stats.js';
import { depthProfile } from './depth_profile.js';

beforeAll(useCpu);

const secondMoment = (s: { mean: number; variance: number }) => s.variance + s.mean * s.mean;

describe('activationStats', () => {
  it('reports mean, variance, dead and saturated fractions, and disposes what it creates', () => {
    const x = tf.tensor2d([
      [1, -2, 3, 0.5],
      [-1, 2, 5, -0.5],
    ]);
    const before = tf.memory().numTensors;
    const stats = activationStats(
      [
        (v) => tf.relu(v), // [[1, 0, 3, 0.5], [0, 2, 5, 0]]: no unit is 0 on both rows
        (v) => tf.relu(tf.sub(v, 2.5)), // [[0, 0, 0.5, 0], [0, 0, 2.5, 0]]: units 0, 1, 3 dead
        (v) => tf.tanh(tf.mul(v, 100)), // saturated where v > 0
      ],
      x,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(stats.map((s) => s.layer)).toEqual([0, 1, 2]);
    expect(stats[0]!.mean).toBeCloseTo(11.5 / 8, 6);
    expect(stats[0]!.deadFraction).toBe(0);
    expect(stats[1]!.deadFraction).toBe(0.75);
    expect(stats[1]!.variance).toBeCloseTo((0.25 + 6.25) / 8 - (3 / 8) ** 2, 6);
    expect(stats[2]!.saturatedFraction).toBe(0.25);
  });
});

describe('depthProfile: the standard picture at depth 50', () => {
  it('ReLU: He keeps the second moment, Glorot halves it every layer, N(0, 1) explodes', () => {
    const p = depthProfile({
      activation: 'relu',
      depth: 50,
      width: 128,
      batch: 32,
      inits: ['he', 'glorot', 'naive'],
      generator: new Generator(1),
    });
    const he = p.he!;
    const glorot = p.glorot!;
    // Per-layer growth, averaged over 49 layers: log(m_50 / m_1) / 49.
    const rate = (s: typeof he) => Math.log(secondMoment(s[49]!) / secondMoment(s[0]!)) / 49;
    expect(Math.abs(rate(he))).toBeLessThan(0.12); // closed form: 0 (E[a_l^2] = E[x^2] = 1)
    expect(Math.abs(secondMoment(he[0]!) - 1)).toBeLessThan(0.25);
    expect(Math.abs(rate(glorot) - Math.log(0.5))).toBeLessThan(0.12); // closed form: log(1/2)
    const naive = p.naive!;
    expect(secondMoment(naive[10]!)).toBeGreaterThan(1e15); // grows like (128 / 2)^l
    expect(Number.isFinite(naive[49]!.variance) && naive[49]!.variance < 1e30).toBe(false);
    expect(he[0]!.deadFraction).toBeLessThan(0.05);
  });

  it('tanh: N(0, 1) saturates every unit; Glorot follows the mean-field variance map', () => {
    const p = depthProfile({
      activation: 'tanh',
      depth: 50,
      width: 128,
      batch: 64,
      inits: ['glorot', 'naive'],
      generator: new Generator(2),
    });
    for (const s of p.naive!) expect(s.saturatedFraction).toBeGreaterThan(0.7);
    // Glorot on square layers is sigma_w^2 = 1: q_1 = 1, q_{l+1} = E[tanh(sqrt(q_l) z)^2], which
    // decays like 1/(2l), not exponentially. Width 128 tracks it closely for the first layers;
    // deeper, finite-width fluctuations pull the measured variance somewhat below the
    // infinite-width map.
    let q = 1;
    p.glorot!.forEach((s, l) => {
      const predicted = varianceMap(q, { sigmaW2: 1, sigmaB2: 0 }); // E[tanh(sqrt(q) z)^2]
      const ratio = secondMoment(s) / predicted;
      if (l < 10) expect(Math.abs(ratio - 1), `layer ${l}`).toBeLessThan(0.2);
      expect(Math.abs(Math.log(ratio)), `layer ${l}`).toBeLessThan(Math.log(2.5));
      expect(s.saturatedFraction).toBeLessThan(0.05);
      q = predicted;
    });
    expect(secondMoment(p.glorot![49]!)).toBeGreaterThan(1e-3); // no exponential collapse
  });
});
