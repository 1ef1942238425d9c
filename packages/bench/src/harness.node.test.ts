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

describe('runBench, interleaved', () => {
  /**
   * Impls whose steps advance one shared fake clock by their own durations (step k takes
   * `durations[k % length]`) and log their name; `failAt` makes step k throw, `nanAt` return NaN.
   */
  function fakeClock() {
    let t = 0;
    const log: string[] = [];
    const disposed: string[] = [];
    const impl = (
      name: string,
      durations: number[],
      o: { limits?: Impl['limits']; failAt?: number; nanAt?: number; disposeThrows?: boolean } = {},
    ): Impl => ({
      name,
      description: name,
      limits: o.limits,
      create() {
        let k = 0;
        return {
          step() {
            const i = k++;
            if (i === o.failAt) throw new Error(`${name} broke at step ${i}`);
            t += durations[i % durations.length]!;
            log.push(name);
            return i === o.nanAt ? Number.NaN : 1;
          },
          dispose() {
            disposed.push(name);
            if (o.disposeThrows) throw new Error(`${name} cannot dispose`);
          },
        };
      },
    });
    return { impl, log, disposed, now: () => t };
  }
  const workload = (reference: string, impls: Impl[], name = 'w'): Workload => ({
    name,
    description: name,
    reference,
    impls,
  });

  afterAll(async () => {
    const { setBackend } = await import('@archzoo/core');
    await setBackend('cpu');
  });

  it('creates every trainer, warms each up, then rotates the order of each round', async () => {
    const { impl, log, disposed, now } = fakeClock();
    const streamed: string[] = [];
    const records = await runBench({
      workloads: [workload('ref', [impl('a', [1]), impl('ref', [1]), impl('b', [1])])],
      backends: ['cpu'],
      warmup: 1,
      steps: 4,
      interleave: true,
      now,
      onStart: (_w, name) => log.push(`start ${name}`),
      onRecord: (r) => streamed.push(r.impl),
    });
    expect(log).toEqual([
      ...['start ref', 'start a', 'start b'],
      ...['ref', 'a', 'b'], // warm-up, impl by impl
      ...['ref', 'a', 'b'], // round 0 starts at impl 0
      ...['a', 'b', 'ref'], // round 1 at impl 1
      ...['b', 'ref', 'a'], // round 2 at impl 2
      ...['ref', 'a', 'b'], // round 3 at impl 3 mod 3 = 0
    ]);
    expect(records.map((r) => [r.impl, r.steps, r.msPerStep])).toEqual([
      ['ref', 4, 1],
      ['a', 4, 1],
      ['b', 4, 1],
    ]);
    expect(streamed).toEqual(['ref', 'a', 'b']);
    expect(disposed).toEqual(['ref', 'a', 'b']);
  });

  it('gives the median of per-round ratios, which can differ from the ratio of medians', async () => {
    const { impl, now } = fakeClock();
    const records = await runBench({
      workloads: [
        // Same ratio every round: paired 2, and the medians 20 / 10 agree.
        workload('ref', [impl('ref', [10, 10, 40]), impl('a', [20, 20, 80])], 'same'),
        // Per-round ratios 30/10, 30/30, 40/20 = 3, 1, 2: paired 2; the medians give 30/20 = 1.5.
        workload('ref', [impl('ref', [10, 30, 20]), impl('b', [30, 30, 40])], 'differ'),
      ],
      backends: ['cpu'],
      warmup: 0,
      steps: 3,
      interleave: true,
      now,
    });
    expect(records).toEqual([
      { workload: 'same', impl: 'ref', backend: 'cpu', msPerStep: 10, steps: 3 },
      { workload: 'same', impl: 'a', backend: 'cpu', msPerStep: 20, steps: 3, pairedRatio: 2 },
      { workload: 'differ', impl: 'ref', backend: 'cpu', msPerStep: 20, steps: 3 },
      { workload: 'differ', impl: 'b', backend: 'cpu', msPerStep: 30, steps: 3, pairedRatio: 2 },
    ]);
  });

  it("keeps each impl's own limits: its steps and its time budget; done impls drop out", async () => {
    const { impl, log, now } = fakeClock();
    const records = await runBench({
      workloads: [
        workload('ref', [
          impl('ref', [100]),
          impl('short', [200], { limits: { steps: 2 } }),
          // 450, 900, 1350 ms spent: over the 1000 ms budget after its third step.
          impl('slow', [450]),
        ]),
      ],
      backends: ['cpu'],
      warmup: 0,
      steps: 5,
      minSteps: 1,
      maxMs: 1000,
      interleave: true,
      now,
    });
    expect(log).toEqual([
      ...['ref', 'short', 'slow'], // round 0
      ...['short', 'slow', 'ref'], // round 1: short has taken its 2 steps
      ...['slow', 'ref'], // round 2: slow has spent 1350 ms
      'ref', // round 3
      'ref', // round 4: ref's 5 steps (500 ms) are done
    ]);
    expect(records.map((r) => [r.impl, r.steps, r.msPerStep, r.pairedRatio])).toEqual([
      ['ref', 5, 100, undefined],
      ['short', 2, 200, 2],
      ['slow', 3, 450, 4.5],
    ]);
  });

  it('stops the warm-up after a quarter of the budget, as measure does', async () => {
    const { impl, log, now } = fakeClock();
    const records = await runBench({
      workloads: [workload('ref', [impl('ref', [10]), impl('slow', [300])])],
      backends: ['cpu'],
      warmup: 3,
      steps: 3,
      maxMs: 1000,
      interleave: true,
      now,
    });
    // ref warms up 3 times (30 ms); slow once (300 ms > 1000 / 4).
    expect(log.slice(0, 4)).toEqual(['ref', 'ref', 'ref', 'slow']);
    expect(records.map((r) => r.steps)).toEqual([3, 3]);
  });

  it('isolates a failing impl: the others go on, every trainer is disposed', async () => {
    const { impl, log, disposed, now } = fakeClock();
    const failing: Impl = {
      name: 'broken',
      description: 'broken',
      create: () => {
        throw new Error('broken cannot run on cpu');
      },
    };
    const records = await runBench({
      workloads: [
        workload('ref', [
          impl('ref', [10]),
          impl('flaky', [10], { failAt: 2 }),
          failing,
          impl('nan', [10], { nanAt: 1 }),
          impl('a', [30]),
        ]),
      ],
      backends: ['cpu'],
      warmup: 0,
      steps: 4,
      interleave: true,
      now,
    });
    expect(log).toEqual([
      // The four created impls take turns (broken never started).
      ...['ref', 'flaky', 'nan', 'a'], // round 0
      ...['flaky', 'nan', 'a', 'ref'], // round 1: nan's step gives NaN (logged, then rejected)
      ...['a', 'ref'], // round 2 would start at nan (out); flaky throws before logging
      ...['a', 'ref'], // round 3 starts at a
    ]);
    expect(records).toEqual([
      { workload: 'w', impl: 'ref', backend: 'cpu', msPerStep: 10, steps: 4 },
      {
        workload: 'w',
        impl: 'flaky',
        backend: 'cpu',
        msPerStep: null,
        steps: 0,
        error: 'flaky broke at step 2',
      },
      {
        workload: 'w',
        impl: 'broken',
        backend: 'cpu',
        msPerStep: null,
        steps: 0,
        error: 'broken cannot run on cpu',
      },
      {
        workload: 'w',
        impl: 'nan',
        backend: 'cpu',
        msPerStep: null,
        steps: 0,
        error: 'measure: step 1 gave a non-finite loss (NaN)',
      },
      { workload: 'w', impl: 'a', backend: 'cpu', msPerStep: 30, steps: 4, pairedRatio: 3 },
    ]);
    expect(disposed).toEqual(['ref', 'flaky', 'nan', 'a']);
  });

  it('gives no paired ratio when the reference failed or was skipped', async () => {
    const { impl, now } = fakeClock();
    const run = (ref: Impl) =>
      runBench({
        workloads: [workload('ref', [ref, impl('a', [20])])],
        backends: ['cpu'],
        warmup: 0,
        steps: 2,
        maxStepMs: 1000,
        interleave: true,
        now,
      });
    const failed = await run(impl('ref', [10], { failAt: 1 }));
    expect(failed.map((r) => [r.msPerStep, r.pairedRatio, r.error])).toEqual([
      [null, undefined, 'ref broke at step 1'],
      [20, undefined, undefined],
    ]);
    const skipped = await run({ ...impl('ref', [10]), limits: { estimateMs: () => 5000 } });
    expect(skipped.map((r) => [r.msPerStep, r.pairedRatio, r.skipped !== undefined])).toEqual([
      [null, undefined, true],
      [20, undefined, false],
    ]);
  });

  it('disposes every trainer when something throws, and rethrows', async () => {
    const { impl, disposed, now } = fakeClock();
    await expect(
      runBench({
        workloads: [
          workload('ref', [
            impl('ref', [1], { disposeThrows: true }),
            impl('a', [1]),
            impl('b', [1]),
          ]),
        ],
        backends: ['cpu'],
        warmup: 0,
        steps: 1,
        interleave: true,
        now,
      }),
    ).rejects.toThrow('ref cannot dispose');
    expect(disposed).toEqual(['ref', 'a', 'b']);
    disposed.length = 0;
    await expect(
      runBench({
        workloads: [workload('ref', [impl('ref', [1]), impl('a', [1]), impl('b', [1])])],
        backends: ['cpu'],
        interleave: true,
        now,
        onStart: (_w, name) => {
          if (name === 'b') throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(disposed).toEqual(['ref', 'a']);
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
