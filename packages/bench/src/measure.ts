/**
 * One measurement of a trainer: its options and their defaults, the step loop (`StepRunner`:
 * warm-up, then timed steps until the counts or the time budget say stop) and `measure`, which
 * runs that loop on its own. The interleaved rounds of interleave.ts run several loops in turns.
 */
import type { Trainer } from './harness.js';
import { median } from './stats.js';

/** `warmup` of `measure` and `runBench` when not given. */
export const DEFAULT_WARMUP = 3;
/** `steps` of `measure` and `runBench` when not given. */
export const DEFAULT_STEPS = 20;
/** `minSteps` of `measure` and `runBench` when not given. */
export const DEFAULT_MIN_STEPS = 3;

export interface MeasureOptions {
  /** Untimed steps first (JIT, kernel setup, memory pools). Default 3. */
  warmup?: number;
  /** Timed steps. Default 20. */
  steps?: number;
  /**
   * Time budget of the timed steps in ms: once it is spent (and `minSteps` are done) the
   * measurement stops early, so a slow backend does not run for minutes. Warm-up stops early
   * too once it has taken a quarter of this (after at least one step). Default: no limit.
   */
  maxMs?: number;
  /** Timed steps always taken, whatever the budget. Default 3 (or `steps` if fewer). */
  minSteps?: number;
  /** Clock in milliseconds. Default `performance.now`. */
  now?: () => number;
}

export interface Measurement {
  /** Median of `timesMs`. */
  msPerStep: number;
  /** Timed steps taken (`timesMs.length`): `steps`, or fewer when the time budget ran out. */
  steps: number;
  /** Duration of each timed step, in order. */
  timesMs: number[];
  /** Loss after the last step. */
  lastLoss: number;
}

/** The bounds of one measurement, defaults applied and checked (`measurePlan`). */
export interface MeasurePlan {
  /** At most this many untimed steps first; they stop early once they took over `maxMs / 4`. */
  warmup: number;
  /** At most this many timed steps. */
  steps: number;
  /** Timed steps always taken, whatever the budget (at most `steps`). */
  minSteps: number;
  /** Time budget of the timed steps in ms (`Infinity`: none). */
  maxMs: number;
  /** Clock in milliseconds. */
  now: () => number;
}

function count(where: string, name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min)
    throw new RangeError(`${where}: ${name} expected an integer >= ${min}, got ${v}`);
  return v;
}

/** `opts` with their defaults applied and checked (a RangeError names the bad one). */
export function measurePlan(opts: MeasureOptions = {}): MeasurePlan {
  const warmup = count('measure', 'warmup', opts.warmup ?? DEFAULT_WARMUP, 0);
  const steps = count('measure', 'steps', opts.steps ?? DEFAULT_STEPS, 1);
  const plan: MeasurePlan = {
    warmup,
    steps,
    minSteps: Math.min(steps, count('measure', 'minSteps', opts.minSteps ?? DEFAULT_MIN_STEPS, 1)),
    maxMs: opts.maxMs ?? Number.POSITIVE_INFINITY,
    now: opts.now ?? (() => performance.now()),
  };
  if (!(plan.maxMs > 0))
    throw new RangeError(`measure: maxMs expected a positive number, got ${plan.maxMs}`);
  return plan;
}

/**
 * Takes the steps of one measurement of `trainer` under `plan`, one call at a time, so that a
 * caller can run several measurements in turns: `warmUp()` once, then `timedStep()` while
 * `measuring`. Every timed step is timed on its own (`timesMs`). A step that gives a non-finite
 * loss throws: a diverging step is not a valid measurement.
 *
 * @example
 * const runner = new StepRunner(trainer, { warmup: 1, steps: 5, minSteps: 3, maxMs: Infinity, now });
 * await runner.warmUp();
 * while (runner.measuring) await runner.timedStep();
 * runner.timesMs; // five durations in ms
 */
export class StepRunner {
  /** Duration of each timed step so far, in order. */
  readonly timesMs: number[] = [];
  /** Loss of the last step (NaN before the first). */
  lastLoss = Number.NaN;
  /** Steps taken, warm-up included (named in the non-finite loss error). */
  private taken = 0;
  /** Sum of `timesMs`, against `maxMs`. */
  private spentMs = 0;

  constructor(
    private readonly trainer: Trainer,
    private readonly plan: MeasurePlan,
  ) {}

  /** Up to `plan.warmup` untimed steps; stops after the first one that ends past `maxMs / 4`. */
  async warmUp(): Promise<void> {
    const start = this.plan.now();
    for (let i = 0; i < this.plan.warmup; i++) {
      this.check(await this.trainer.step());
      if (this.plan.now() - start > this.plan.maxMs / 4) break;
    }
  }

  /**
   * Whether another timed step is due: fewer than `steps` taken, and either fewer than
   * `minSteps` or the budget not yet spent. Once false, it stays false.
   */
  get measuring(): boolean {
    const n = this.timesMs.length;
    return n < this.plan.steps && (n < this.plan.minSteps || this.spentMs < this.plan.maxMs);
  }

  /** One timed step; resolves to its duration in ms. Throws on a non-finite loss. */
  async timedStep(): Promise<number> {
    const t0 = this.plan.now();
    const loss = await this.trainer.step();
    const dt = this.plan.now() - t0;
    this.check(loss);
    this.timesMs.push(dt);
    this.spentMs += dt;
    return dt;
  }

  private check(loss: number): void {
    if (!Number.isFinite(loss))
      throw new Error(`measure: step ${this.taken} gave a non-finite loss (${loss})`);
    this.lastLoss = loss;
    this.taken++;
  }
}

/**
 * Runs up to `warmup` untimed steps, then up to `steps` timed ones (see `maxMs`), each timed on
 * its own, and returns the median time per step. A non-finite loss is an error: a diverging step
 * is not a valid measurement.
 */
export async function measure(trainer: Trainer, opts: MeasureOptions = {}): Promise<Measurement> {
  const runner = new StepRunner(trainer, measurePlan(opts));
  await runner.warmUp();
  while (runner.measuring) await runner.timedStep();
  const timesMs = [...runner.timesMs];
  return { msPerStep: median(timesMs), steps: timesMs.length, timesMs, lastLoss: runner.lastLoss };
}
