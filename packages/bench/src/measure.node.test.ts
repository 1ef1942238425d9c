import { describe, expect, it } from 'vitest';
import { measurePlan, StepRunner } from './measure.js';

describe('measurePlan', () => {
  it('applies the defaults and checks the counts', () => {
    const plan = measurePlan({ steps: 2 });
    expect([plan.warmup, plan.steps, plan.minSteps, plan.maxMs]).toEqual([
      3,
      2,
      2,
      Number.POSITIVE_INFINITY,
    ]);
    expect(() => measurePlan({ minSteps: 0 })).toThrow(/minSteps expected an integer >= 1/);
    expect(() => measurePlan({ maxMs: 0 })).toThrow(/maxMs expected a positive number, got 0/);
  });
});

describe('StepRunner', () => {
  it('runs as its example says: warm-up, then timed steps while measuring', async () => {
    let t = 0;
    const now = () => t;
    const trainer = {
      step() {
        t += 7;
        return 0.25;
      },
      dispose() {},
    };
    const runner = new StepRunner(trainer, {
      warmup: 1,
      steps: 5,
      minSteps: 3,
      maxMs: Number.POSITIVE_INFINITY,
      now,
    });
    await runner.warmUp();
    expect(runner.timesMs).toEqual([]);
    while (runner.measuring) await runner.timedStep();
    expect(runner.timesMs).toEqual([7, 7, 7, 7, 7]);
    expect(runner.lastLoss).toBe(0.25);
    expect(t).toBe(42);
  });

  it('stops once minSteps are done and the budget is spent', async () => {
    let t = 0;
    const trainer = {
      step() {
        t += 400;
        return 1;
      },
      dispose() {},
    };
    const runner = new StepRunner(trainer, {
      warmup: 0,
      steps: 10,
      minSteps: 1,
      maxMs: 1000,
      now: () => t,
    });
    const taken: number[] = [];
    while (runner.measuring) taken.push(await runner.timedStep());
    expect(taken).toEqual([400, 400, 400]);
    expect(runner.measuring).toBe(false);
  });
});
