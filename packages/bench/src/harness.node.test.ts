import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type Impl, measure, readLoss, runBench, type Trainer, type Workload } from './harness.js';

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
