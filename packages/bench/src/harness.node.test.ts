import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  formatDuration,
  type Impl,
  limitedOptions,
  measure,
  readLoss,
  runBench,
  type Trainer,
  type Workload,
} from './harness.js';

/** A trainer whose steps "take" the given durations on a fake clock, and counts its steps. */
function fakeTimed(durations: number[], loss = 1) {
  let t = 0;
  let i = 0;
  const trainer: Trainer & { stepsTaken: number; disposed: boolean } = {
    stepsTaken: 0,
    disposed: false,
    step() {
      t += durations[i++ % durations.length]!;
      this.stepsTaken++;
      return loss;
    },
    dispose() {
      this.disposed = true;
    },
  };
  return { trainer, now: () => t };
}

describe('measure', () => {
  it('runs the warm-up untimed, then reports the median of the timed steps', async () => {
    // Warm-up steps take 1000 ms each (they must not count), then 5, 9, 7, 6, 100.
    const { trainer, now } = fakeTimed([1000, 1000, 5, 9, 7, 6, 100]);
    const m = await measure(trainer, { warmup: 2, steps: 5, now });
    expect(trainer.stepsTaken).toBe(7);
    expect(m.timesMs).toEqual([5, 9, 7, 6, 100]);
    expect(m.msPerStep).toBe(7);
    expect(m.steps).toBe(5);
    expect(m.lastLoss).toBe(1);
  });

  it('stops early once the time budget is spent, after at least minSteps', async () => {
    const { trainer, now } = fakeTimed([400]);
    const m = await measure(trainer, { warmup: 3, steps: 20, maxMs: 1000, minSteps: 3, now });
    // Warm-up stops after its first step (400 > 1000 / 4); timed steps stop at 3 (1200 >= 1000).
    expect(trainer.stepsTaken).toBe(4);
    expect(m.steps).toBe(3);
    expect(m.msPerStep).toBe(400);
  });

  it('keeps going until the budget is spent when steps are fast', async () => {
    const { trainer, now } = fakeTimed([100]);
    const m = await measure(trainer, { warmup: 0, steps: 50, maxMs: 1000, now });
    expect(m.steps).toBe(10);
  });

  it('rejects a non-finite loss and bad counts', async () => {
    await expect(measure(fakeTimed([1], Number.NaN).trainer, { warmup: 0 })).rejects.toThrow(
      /non-finite loss/,
    );
    await expect(measure(fakeTimed([1]).trainer, { steps: 0 })).rejects.toThrow(
      /steps expected an integer >= 1/,
    );
    await expect(measure(fakeTimed([1]).trainer, { warmup: -1 })).rejects.toThrow(/warmup/);
  });
});

describe('runBench', () => {
  const order: string[] = [];
  const disposed: string[] = [];
  const impl = (name: string, fail = false): Impl => ({
    name,
    description: `fake ${name}`,
    create({ backend }) {
      if (fail) throw new Error(`${name} cannot run on ${backend}`);
      return {
        step: () => {
          order.push(`${name}@${backend}`);
          return 0.5;
        },
        dispose: () => disposed.push(name),
      };
    },
  });
  const workload: Workload = {
    name: 'fake_w',
    description: 'fake',
    reference: 'ref',
    impls: [impl('a'), impl('ref'), impl('broken', true)],
  };

  afterAll(async () => {
    const { setBackend } = await import('@archzoo/core');
    await setBackend('cpu');
  });

  it('measures every impl on every backend, the reference first, and records failures', async () => {
    const streamed: string[] = [];
    const records = await runBench({
      workloads: [workload],
      backends: ['cpu'],
      steps: 2,
      warmup: 1,
      onRecord: (r) => streamed.push(r.impl),
    });
    expect(records.map((r) => r.impl)).toEqual(['ref', 'a', 'broken']);
    expect(streamed).toEqual(['ref', 'a', 'broken']);
    expect(order).toEqual(['ref@cpu', 'ref@cpu', 'ref@cpu', 'a@cpu', 'a@cpu', 'a@cpu']);
    expect(disposed).toEqual(['ref', 'a']);
    const [ref, a, broken] = records;
    expect(ref).toMatchObject({ workload: 'fake_w', impl: 'ref', backend: 'cpu', steps: 2 });
    expect(ref!.msPerStep).toBeGreaterThanOrEqual(0);
    expect(a!.error).toBeUndefined();
    expect(broken).toEqual({
      workload: 'fake_w',
      impl: 'broken',
      backend: 'cpu',
      msPerStep: null,
      steps: 0,
      error: 'broken cannot run on cpu',
    });
  });

  it('can be narrowed to some impls', async () => {
    const records = await runBench({
      workloads: [workload],
      backends: ['cpu'],
      impls: ['a'],
      steps: 1,
      warmup: 0,
    });
    expect(records.map((r) => r.impl)).toEqual(['a']);
  });

  it("lowers the run's counts by the workload's limits, the impl's overriding them", async () => {
    const steps: Record<string, number> = {};
    const counting = (name: string, limits?: Impl['limits']): Impl => ({
      name,
      description: name,
      limits,
      create: () => ({
        step: () => {
          steps[name] = (steps[name] ?? 0) + 1;
          return 1;
        },
        dispose() {},
      }),
    });
    const limited: Workload = {
      name: 'limited',
      description: 'limited',
      reference: 'ref',
      limits: { warmup: 1, steps: 4 },
      impls: [counting('ref', { warmup: 0, steps: 2 }), counting('other')],
    };
    const records = await runBench({
      workloads: [limited],
      backends: ['cpu'],
      warmup: 3,
      steps: 10,
    });
    // ref: its own limits, 0 warm-up + 2 timed; other: the workload's, 1 warm-up + 4 timed.
    expect(steps).toEqual({ ref: 2, other: 5 });
    expect(records.map((r) => r.steps)).toEqual([2, 4]);
  });

  it('limits only lower counts, and minSteps', () => {
    expect(limitedOptions({ warmup: 0, steps: 1, maxMs: 5 }, { warmup: 2, steps: 3 })).toEqual({
      warmup: 0,
      steps: 1,
      minSteps: 3,
      maxMs: 5,
    });
    expect(limitedOptions({}, { minSteps: 1 })).toEqual({
      warmup: 3,
      steps: 20,
      minSteps: 1,
      maxMs: undefined,
    });
  });

  it('skips, without creating it, a measurement estimated to be slower than maxStepMs', async () => {
    const created: string[] = [];
    const started: string[] = [];
    const slow = (name: string, estimate: number | undefined): Impl => ({
      name,
      description: name,
      limits: { estimateMs: (backend) => (backend === 'cpu' ? estimate : undefined) },
      create: () => {
        created.push(name);
        return { step: () => 1, dispose() {} };
      },
    });
    const w: Workload = {
      name: 'slow_w',
      description: 'slow',
      reference: 'ref',
      impls: [slow('ref', 1_500_000), slow('fast', 10), slow('unknown', undefined)],
    };
    const run = (maxStepMs?: number) =>
      runBench({
        workloads: [w],
        backends: ['cpu'],
        steps: 1,
        warmup: 0,
        maxStepMs,
        onStart: (_w, impl) => started.push(impl),
      });
    const records = await run(300_000);
    expect(created).toEqual(['fast', 'unknown']);
    expect(started).toEqual(['fast', 'unknown']);
    expect(records[0]).toEqual({
      workload: 'slow_w',
      impl: 'ref',
      backend: 'cpu',
      msPerStep: null,
      steps: 0,
      skipped:
        'over time budget: one step takes about 25 min on cpu (estimate), the limit is 5 min',
    });
    expect(records.slice(1).map((r) => [r.steps, r.skipped])).toEqual([
      [1, undefined],
      [1, undefined],
    ]);
    // No step limit: everything runs.
    created.length = 0;
    expect((await run()).every((r) => r.steps === 1)).toBe(true);
    expect(created).toEqual(['ref', 'fast', 'unknown']);
  });
});

describe('formatDuration', () => {
  it('picks ms, s or min', () => {
    expect(formatDuration(850.4)).toBe('850 ms');
    expect(formatDuration(42_400)).toBe('42 s');
    expect(formatDuration(1_408_000)).toBe('23 min');
  });
});

describe('readLoss', () => {
  it('reads the scalar and disposes it', async () => {
    const before = tf.memory().numTensors;
    const loss = tf.scalar(0.25);
    await expect(readLoss(loss)).resolves.toBe(0.25);
    expect(loss.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    await expect(readLoss(null)).rejects.toThrow(/no loss/);
  });
});
