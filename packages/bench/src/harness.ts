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
}

/** A benchmark workload (ROADMAP.md names them): one training step of one model on one batch. */
export interface Workload {
  /** The ROADMAP name, e.g. 'lenet5_b64'. */
  name: string;
  description: string;
  /** Name of the impl the others are compared with (ratio 1). */
  reference: string;
  impls: readonly Impl[];
}

/** One measurement as `archzoo bench --json` prints it. */
export interface BenchRecord {
  workload: string;
  impl: string;
  backend: BackendName;
  /** Median milliseconds per training step; null when the measurement failed. */
  msPerStep: number | null;
  /** Timed steps the median is taken over (warm-up not counted; 0 when it failed). */
  steps: number;
  /** Why the measurement failed (only present when it did). */
  error?: string;
}

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
  const warmup = count('measure', 'warmup', opts.warmup ?? 3, 0);
  const steps = count('measure', 'steps', opts.steps ?? 20, 1);
  const minSteps = Math.min(steps, count('measure', 'minSteps', opts.minSteps ?? 3, 1));
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
  /** Called as each measurement finishes (to stream results). */
  onRecord?: (r: BenchRecord) => void;
  /** Called before each measurement starts (progress). */
  onStart?: (workload: string, impl: string, backend: BackendName) => void;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Measures every impl of every workload on every backend. A failure (say a kernel missing on a
 * backend) becomes a record with `msPerStep: null` and `error`, and the run goes on. The
 * reference impl of each workload is measured first on each backend.
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
        opts.onStart?.(w.name, impl.name, backend);
        const record: BenchRecord = {
          workload: w.name,
          impl: impl.name,
          backend,
          msPerStep: null,
          steps: 0,
        };
        if (backendError) {
          record.error = backendError;
        } else {
          let trainer: Trainer | undefined;
          try {
            trainer = await impl.create({ backend, seed });
            const m = await measure(trainer, opts);
            record.msPerStep = m.msPerStep;
            record.steps = m.steps;
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
