import { type BackendName, setBackend } from '@archzoo/core';
import type * as tf from '@tensorflow/tfjs-core';
import { measureInRounds, pairedRatio } from './interleave.js';
import {
  DEFAULT_MIN_STEPS,
  DEFAULT_STEPS,
  DEFAULT_WARMUP,
  type MeasureOptions,
  measure,
  measurePlan,
  StepRunner,
} from './measure.js';
import { median } from './stats.js';

// `measure` and its options belong to the harness's interface; they live in measure.ts.
export {
  DEFAULT_MIN_STEPS,
  DEFAULT_STEPS,
  DEFAULT_WARMUP,
  type Measurement,
  type MeasureOptions,
  measure,
} from './measure.js';

/** A model, its data and its optimizer, ready to take training steps. Made by `Impl.create`. */
export interface Trainer {
  /**
   * One training step: forward, loss, backward, optimizer update. Resolves to the loss once the
   * backend has finished the step (implementations read the loss back, which waits for it).
   */
  step(): Promise<number> | number;
  /** Frees every tensor the trainer holds. */
  dispose(): void;
  /**
   * What the row depends on beyond the impl's name, known once it is created (say the BLAS
   * library PyTorch loaded); shown next to the impl's name in the table and kept in the record.
   */
  note?: string;
}

/** What an implementation gets to build its trainer from. */
export interface ImplContext {
  /** The active tfjs backend (already set). */
  backend: BackendName;
  /** Seed for data and weights, the same for every implementation of a workload. */
  seed: number;
}

/** One way to run a workload, e.g. with archzoo modules or with tfjs-layers. */
export interface Impl {
  /** Short name shown in reports, e.g. 'archzoo', 'tfjs-layers'. */
  name: string;
  /** One line: what exactly is measured (API, loop). */
  description: string;
  create(ctx: ImplContext): Promise<Trainer> | Trainer;
  /** Bounds on this impl's measurements; they override the workload's `limits` field by field. */
  limits?: MeasureLimits;
}

/**
 * Bounds a workload or an impl puts on its measurements, for steps that take seconds to minutes
 * (a tfjs-layers orthogonal initializer of 1024 x 1024 is one call of a minute and more). They
 * only ever lower the run's counts: `--warmup 0` stays 0 whatever `warmup` says here.
 */
export interface MeasureLimits {
  /** At most this many untimed warm-up steps. */
  warmup?: number;
  /** At most this many timed steps. */
  steps?: number;
  /** At most this many timed steps always taken, whatever the time budget (the run's default is 3). */
  minSteps?: number;
  /**
   * Rough duration of one step on a backend in ms, or undefined when unknown. When it is above
   * the run's `maxStepMs`, the measurement is not started: its record says `skipped` and why.
   */
  estimateMs?: (backend: BackendName) => number | undefined;
}

/** A benchmark workload (ROADMAP.md names them): one training step of one model on one batch. */
export interface Workload {
  /** The ROADMAP name, e.g. 'lenet5_b64'. */
  name: string;
  description: string;
  /** Name of the impl the others are compared with (ratio 1). */
  reference: string;
  impls: readonly Impl[];
  /** Bounds on every impl's measurements (an impl's own `limits` override them field by field). */
  limits?: MeasureLimits;
  /**
   * Bytes one step reads plus writes, for data-movement workloads: their records then carry the
   * effective bandwidth (`gbPerS`). Absent for compute workloads.
   */
  bytesPerStep?: number;
}

/** One measurement as `archzoo bench --json` prints it. */
export interface BenchRecord {
  workload: string;
  impl: string;
  backend: BackendName;
  /** Median milliseconds per training step; null when the measurement failed or was skipped. */
  msPerStep: number | null;
  /** Timed steps the median is taken over (warm-up not counted; 0 when it failed or was skipped). */
  steps: number;
  /** Effective bandwidth, the workload's `bytesPerStep` / msPerStep, in GB/s (only for those). */
  gbPerS?: number;
  /** Why the measurement failed (only present when it did). */
  error?: string;
  /**
   * Why the measurement was not started (only present when it was not): its estimated step time
   * is over the run's `maxStepMs`. Not a failure.
   */
  skipped?: string;
  /** The trainer's `note` (only present when it has one): say, the BLAS library PyTorch loaded. */
  note?: string;
  /**
   * Interleaved runs only (`RunOptions.interleave`), for a non-reference impl whose reference was
   * measured: the median over the rounds in which both ran of this impl's step time over the
   * reference's step time in the same round (`pairedRatio` of interleave.ts). It cancels load
   * that slows a whole round, so it is a better estimate of the speed ratio than the ratio of
   * the two `msPerStep`.
   */
  pairedRatio?: number;
}

export interface RunOptions extends MeasureOptions {
  workloads: readonly Workload[];
  /** Backends to measure on, in order. */
  backends: readonly BackendName[];
  /** Only these impls (default: all). */
  impls?: readonly string[];
  /** Default 0. */
  seed?: number;
  /**
   * A measurement whose step is estimated (`MeasureLimits.estimateMs`) to take longer than this
   * many ms is skipped, with a record saying why. Default: no limit.
   */
  maxStepMs?: number;
  /**
   * Measure the impls of a workload on a backend together, in interleaved rounds of one timed
   * step each, instead of one after the other (see `runBench`). Default false (one after the
   * other); `archzoo bench` interleaves unless given `--sequential`.
   */
  interleave?: boolean;
  /**
   * Called as each measurement finishes (to stream results); when interleaving, for each impl of
   * a workload and backend in turn once all of them have finished.
   */
  onRecord?: (r: BenchRecord) => void;
  /**
   * Called before each measurement starts (progress); when interleaving, before each impl's
   * trainer is created, all of them before the first step.
   */
  onStart?: (workload: string, impl: string, backend: BackendName) => void;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A duration for people: '850 ms', '42 s', '23 min'. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** `value`, lowered to `cap` when there is one. */
const lower = (value: number, cap: number | undefined) =>
  cap === undefined ? value : Math.min(value, cap);

/**
 * The measure options of one impl of a workload: the run's counts, lowered by the workload's
 * and the impl's `limits` (the impl's fields override the workload's).
 */
export function limitedOptions(
  opts: Omit<MeasureOptions, 'now'>,
  limits: MeasureLimits = {},
): Omit<MeasureOptions, 'now'> {
  return {
    maxMs: opts.maxMs,
    warmup: lower(opts.warmup ?? DEFAULT_WARMUP, limits.warmup),
    steps: lower(opts.steps ?? DEFAULT_STEPS, limits.steps),
    minSteps: lower(opts.minSteps ?? DEFAULT_MIN_STEPS, limits.minSteps),
  };
}

/** A record with no measurement yet. */
function emptyRecord(w: Workload, impl: Impl, backend: BackendName): BenchRecord {
  return { workload: w.name, impl: impl.name, backend, msPerStep: null, steps: 0 };
}

/**
 * Marks `record` as not measured when it cannot or should not be: the backend did not start
 * (`error`, after `onStart`), or its step is estimated over `maxStepMs` (`skipped`). Returns
 * whether it did.
 */
function notMeasured(
  record: BenchRecord,
  limits: MeasureLimits,
  backendError: string | undefined,
  opts: RunOptions,
): boolean {
  if (backendError !== undefined) {
    opts.onStart?.(record.workload, record.impl, record.backend);
    record.error = backendError;
    return true;
  }
  const estimate = limits.estimateMs?.(record.backend);
  if (estimate !== undefined && opts.maxStepMs !== undefined && estimate > opts.maxStepMs) {
    record.skipped = `over time budget: one step takes about ${formatDuration(estimate)} on ${record.backend} (estimate), the limit is ${formatDuration(opts.maxStepMs)}`;
    return true;
  }
  return false;
}

/** Fills a measured record's time (and GB/s for data-movement workloads) from its step times. */
function setTimes(record: BenchRecord, w: Workload, timesMs: readonly number[]): void {
  record.msPerStep = median(timesMs);
  record.steps = timesMs.length;
  if (w.bytesPerStep !== undefined) record.gbPerS = w.bytesPerStep / (record.msPerStep * 1e6);
}

/** The impls of `w` to run, reference first. */
function implsToRun(w: Workload, opts: RunOptions): Impl[] {
  return [...w.impls]
    .filter((i) => !opts.impls || opts.impls.includes(i.name))
    .sort((a, b) => Number(b.name === w.reference) - Number(a.name === w.reference));
}

/** One workload on one backend, each impl measured on its own, one after the other. */
async function benchSequential(
  w: Workload,
  backend: BackendName,
  backendError: string | undefined,
  opts: RunOptions,
): Promise<BenchRecord[]> {
  const records: BenchRecord[] = [];
  for (const impl of implsToRun(w, opts)) {
    const record = emptyRecord(w, impl, backend);
    const limits: MeasureLimits = { ...w.limits, ...impl.limits };
    if (!notMeasured(record, limits, backendError, opts)) {
      opts.onStart?.(w.name, impl.name, backend);
      let trainer: Trainer | undefined;
      try {
        trainer = await impl.create({ backend, seed: opts.seed ?? 0 });
        if (trainer.note !== undefined) record.note = trainer.note;
        const m = await measure(trainer, { ...limitedOptions(opts, limits), now: opts.now });
        setTimes(record, w, m.timesMs);
      } catch (e) {
        record.error = message(e);
      } finally {
        trainer?.dispose();
      }
    }
    records.push(record);
    opts.onRecord?.(record);
  }
  return records;
}

/**
 * One workload on one backend, its impls measured together: every trainer is created, warmed up,
 * then they take timed steps in rounds (`measureInRounds`). Adds `pairedRatio` to the records of
 * the impls measured along with their reference. Every trainer is disposed at the end, also when
 * something throws.
 */
async function benchInterleaved(
  w: Workload,
  backend: BackendName,
  backendError: string | undefined,
  opts: RunOptions,
): Promise<BenchRecord[]> {
  const records: BenchRecord[] = [];
  const measured: { record: BenchRecord; runner: StepRunner }[] = [];
  const trainers: Trainer[] = [];
  try {
    for (const impl of implsToRun(w, opts)) {
      const record = emptyRecord(w, impl, backend);
      records.push(record);
      const limits: MeasureLimits = { ...w.limits, ...impl.limits };
      if (notMeasured(record, limits, backendError, opts)) continue;
      opts.onStart?.(w.name, impl.name, backend);
      try {
        const plan = measurePlan({ ...limitedOptions(opts, limits), now: opts.now });
        const trainer = await impl.create({ backend, seed: opts.seed ?? 0 });
        trainers.push(trainer);
        if (trainer.note !== undefined) record.note = trainer.note;
        measured.push({ record, runner: new StepRunner(trainer, plan) });
      } catch (e) {
        record.error = message(e);
      }
    }
    const outcomes = await measureInRounds(measured.map((m) => m.runner));
    for (const [i, { record, runner }] of measured.entries()) {
      const error = outcomes[i]!.error;
      if (error === undefined) setTimes(record, w, runner.timesMs);
      else record.error = error;
    }
    const ref = measured.find((m) => m.record.impl === w.reference && m.record.msPerStep !== null);
    for (const { record, runner } of measured) {
      if (ref === undefined || record === ref.record || record.msPerStep === null) continue;
      const paired = pairedRatio(ref.runner.timesMs, runner.timesMs);
      if (paired !== undefined) record.pairedRatio = paired;
    }
  } finally {
    disposeAll(trainers);
  }
  for (const record of records) opts.onRecord?.(record);
  return records;
}

/** Disposes every trainer, even when one's `dispose` throws (the first such error is rethrown). */
function disposeAll(trainers: readonly Trainer[]): void {
  const errors: unknown[] = [];
  for (const t of trainers) {
    try {
      t.dispose();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length > 0) throw errors[0];
}

/**
 * Measures every impl of every workload on every backend. A failure (say a kernel missing on a
 * backend) becomes a record with `msPerStep: null` and `error`, and the run goes on. Each
 * measurement runs under its workload's and impl's `limits`; one estimated to be slower per step
 * than `maxStepMs` is not started and becomes a record with `msPerStep: null` and `skipped`.
 * Records come reference first on each backend.
 *
 * By default the impls of a workload on a backend are measured one after the other, the reference
 * first: all of one impl's steps, then the next impl's. With `interleave`, they are measured
 * together: every impl's trainer is created and warmed up, then they take timed steps in rounds,
 * one step each, round r starting at impl r mod n; each impl stops at its own limits (its steps,
 * `minSteps` and the `maxMs` budget of its own timed steps) and drops out of later rounds, and one
 * whose step fails gets an error record while the others go on. A burst of load then slows every
 * impl of the round alike, and each non-reference record gets `pairedRatio`, the median of its
 * per-round ratios to the reference. `msPerStep` is the median of the impl's own steps either way.
 */
export async function runBench(opts: RunOptions): Promise<BenchRecord[]> {
  const records: BenchRecord[] = [];
  for (const w of opts.workloads) {
    for (const backend of opts.backends) {
      let backendError: string | undefined;
      try {
        await setBackend(backend);
      } catch (e) {
        backendError = message(e);
      }
      const bench = opts.interleave ? benchInterleaved : benchSequential;
      records.push(...(await bench(w, backend, backendError, opts)));
    }
  }
  return records;
}

/** Reads a scalar loss back from the backend (which waits for the step to finish) and frees it. */
export async function readLoss(loss: tf.Scalar | null): Promise<number> {
  if (loss === null) throw new Error('readLoss: the optimizer returned no loss');
  const v = (await loss.data())[0]!;
  loss.dispose();
  return v;
}
