import { describe, expect, it } from 'vitest';
import { measureInRounds, pairedRatio, roundOrder } from './interleave.js';
import { StepRunner } from './measure.js';

describe('roundOrder', () => {
  it('starts round r at impl r mod n and wraps around', () => {
    expect(roundOrder(0, 3)).toEqual([0, 1, 2]);
    expect(roundOrder(1, 3)).toEqual([1, 2, 0]);
    expect(roundOrder(5, 3)).toEqual([2, 0, 1]);
    expect(roundOrder(7, 1)).toEqual([0]);
    expect(roundOrder(0, 0)).toEqual([]);
  });
});

describe('pairedRatio', () => {
  it('is the median of the per-round ratios', () => {
    expect(pairedRatio([10, 10, 40], [20, 20, 80])).toBe(2);
    // Ratios 3, 1, 2: median 2, where the medians' ratio is 30 / 20 = 1.5.
    expect(pairedRatio([10, 30, 20], [30, 30, 40])).toBe(2);
    // Ratios 0.5 and 2 (even count): their mean, 1.25.
    expect(pairedRatio([10, 10], [5, 20])).toBe(1.25);
  });

  it('uses only the rounds both ran and leaves out rounds where the reference took 0 ms', () => {
    // Rounds 0 and 1 only (the impl stopped after 2 steps): ratios 3 and 5.
    expect(pairedRatio([10, 10, 10, 10], [30, 50])).toBe(4);
    // Round 0 left out (0 ms reference): ratio 2 from round 1.
    expect(pairedRatio([0, 10], [5, 20])).toBe(2);
    expect(pairedRatio([0], [5])).toBeUndefined();
    expect(pairedRatio([], [5])).toBeUndefined();
  });
});

describe('measureInRounds', () => {
  it('takes one step of each runner per round, step j in round j, and isolates a failure', async () => {
    let t = 0;
    const log: string[] = [];
    const runner = (name: string, ms: number, steps: number, failAt?: number) => {
      let k = 0;
      const trainer = {
        step() {
          if (k++ === failAt) throw new Error(`${name} failed`);
          t += ms;
          log.push(name);
          return 0.5;
        },
        dispose() {},
      };
      return new StepRunner(trainer, { warmup: 1, steps, minSteps: 1, maxMs: 1e9, now: () => t });
    };
    const runners = [runner('x', 1, 3), runner('y', 2, 2), runner('z', 3, 3, 2)];
    const outcomes = await measureInRounds(runners);
    expect(log).toEqual([
      ...['x', 'y', 'z'], // warm-up
      ...['x', 'y', 'z'], // round 0
      ...['y', 'x'], // round 1: y, z (fails on its second timed step, before logging), x
      'x', // round 2: y is done, z failed
    ]);
    expect(outcomes).toEqual([{}, {}, { error: 'z failed' }]);
    expect(runners.map((r) => r.timesMs)).toEqual([[1, 1, 1], [2, 2], [3]]);
  });

  it('leaves out of the rounds a runner whose warm-up fails', async () => {
    const bad = new StepRunner(
      { step: () => Number.POSITIVE_INFINITY, dispose() {} },
      { warmup: 1, steps: 2, minSteps: 1, maxMs: 1e9, now: () => 0 },
    );
    const good = new StepRunner(
      { step: () => 1, dispose() {} },
      { warmup: 1, steps: 2, minSteps: 1, maxMs: 1e9, now: () => 0 },
    );
    const outcomes = await measureInRounds([bad, good]);
    expect(outcomes).toEqual([{ error: 'measure: step 0 gave a non-finite loss (Infinity)' }, {}]);
    expect(bad.timesMs).toEqual([]);
    expect(good.timesMs).toEqual([0, 0]);
  });
});
