import { type BackendName, setBackend } from '@archzoo/core';
import type * as tf from '@tensorflow/tfjs-core';
import { median } from './stats.js';

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
}

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

function count(where: string, name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min)
    throw new RangeError(`${where}: ${name} expected an integer >= ${min}, got ${v}`);
  return v;
}

/**
 * Runs up to `warmup` untimed steps, then up to `steps` timed ones (see `maxMs`), each timed on
 * its own, and returns the median time per step. A non-finite loss is an error: a diverging step
 * is not a valid measurement.
 */
export async function measure(trainer: Trainer, opts: MeasureOptions = {}): Promise<Measurement> {
  const warmup = count('measure', 'warmup', opts.warmup ?? DEFAULT_WARMUP, 0);
  const steps = count('measure', 'steps', opts.steps ?? DEFAULT_STEPS, 1);
  const minSteps = Math.min(
    steps,
    count('measure', 'minSteps', opts.minSteps ?? DEFAULT_MIN_STEPS, 1),
  );
  const maxMs = opts.maxMs ?? Number.POSITIVE_INFINITY;
  if (!(maxMs > 0)) throw new RangeError(`measure: maxMs expected a positive number, got ${maxMs}`);
  const now = opts.now ?? (() => performance.now());
  let lastLoss = Number.NaN;
  let taken = 0;
  const check = (loss: number) => {
    if (!Number.isFinite(loss))
      throw new Error(`measure: step ${taken} gave a non-finite loss (${loss})`);
    lastLoss = loss;
    taken++;
  };
  const warmStart = now();
  for (let i = 0; i < warmup; i++) {
    check(await trainer.step());
    if (now() - warmStart > maxMs / 4) break;
  }
  const timesMs: number[] = [];
  let spent = 0;
  while (timesMs.length < steps && (timesMs.length < minSteps || spent < maxMs)) {
    const t0 = now();
    const loss = await trainer.step();
    const dt = now() - t0;
    timesMs.push(dt);
    spent += dt;
    check(loss);
  }
  return { msPerStep: median(timesMs), steps: timesMs.length, timesMs, lastLoss };
}

export interface RunOptions extends Omit<MeasureOptions, 'now'> {
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
  /** Called as each measurement finishes (to stream results). */
  onRecord?: (r: BenchRecord) => void;
  /** Called before each measurement starts (progress). */
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

/**
 * Measures every impl of every workload on every backend. A failure (say a kernel missing on a
 * backend) becomes a record with `msPerStep: null` and `error`, and the run goes on. The
 * reference impl of each workload is measured first on each backend. Each measurement runs under
 * its workload's and impl's `limits`; one estimated to be slower per step than `maxStepMs` is not
 * started and becomes a record with `msPerStep: null` and `skipped`.
 */
export async function runBench(opts: RunOptions): Promise<BenchRecord[]> {
  const records: BenchRecord[] = [];
  const seed = opts.seed ?? 0;
  for (const w of opts.workloads) {
    const impls = [...w.impls]
      .filter((i) => !opts.impls || opts.impls.includes(i.name))
      .sort((a, b) => Number(b.name === w.reference) - Number(a.name === w.reference));
    for (const backend of opts.backends) {
      let backendError: string | undefined;
      try {
        await setBackend(backend);
      } catch (e) {
        backendError = message(e);
      }
      for (const impl of impls) {
        const record: BenchRecord = {
          workload: w.name,
          impl: impl.name,
          backend,
          msPerStep: null,
          steps: 0,
        };
        const limits: MeasureLimits = { ...w.limits, ...impl.limits };
        const estimate = backendError ? undefined : limits.estimateMs?.(backend);
        if (backendError) {
          opts.onStart?.(w.name, impl.name, backend);
          record.error = backendError;
        } else if (
          estimate !== undefined &&
          opts.maxStepMs !== undefined &&
          estimate > opts.maxStepMs
        ) {
          record.skipped = `over time budget: one step takes about ${formatDuration(estimate)} on ${backend} (estimate), the limit is ${formatDuration(opts.maxStepMs)}`;
        } else {
          opts.onStart?.(w.name, impl.name, backend);
          let trainer: Trainer | undefined;
          try {
            trainer = await impl.create({ backend, seed });
            if (trainer.note !== undefined) record.note = trainer.note;
            const m = await measure(trainer, limitedOptions(opts, limits));
            record.msPerStep = m.msPerStep;
            record.steps = m.steps;
            if (w.bytesPerStep !== undefined) record.gbPerS = w.bytesPerStep / (m.msPerStep * 1e6);
          } catch (e) {
            record.error = message(e);
          } finally {
            trainer?.dispose();
          }
        }
        records.push(record);
        opts.onRecord?.(record);
      }
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
