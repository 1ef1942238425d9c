/**
 * The `archzoo` command line (`main`), separate from the executable `cli.ts` so that it can be
 * called and tested without running anything on import.
 *
 *   archzoo mnist [--epochs 2] [--batch-size 64] [--max-lr 0.01] [--backend wasm] [--seed 0]
 *                 [--train-samples N] [--test-samples N]
 *   archzoo bench [--workload a,b] [--backend wasm,cpu] [--impl x,y] [--steps 20] [--warmup 3] [--max-time 10]
 *                 [--max-step-time 300] [--sequential] [--json]
 *   archzoo demo [--steps 300] [--backend wasm] [--seed 0]
 *   archzoo list
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { BackendName } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { runDemo } from './demo.js';
import { type BenchRecord, runBench } from './harness.js';
import { runMnist } from './mnist.js';
import { builtinRegistry } from './registry.js';
import { formatTable, howMeasured, referencesOf, toJsonLine, withRatios } from './report.js';

const USAGE = `usage: archzoo <command> [options]

commands:
  mnist   train a small CNN on MNIST digits (8,000 train / 2,000 held out) with fit(); exits 1
          if the held-out accuracy is below 97%
            --epochs N (default 2)  --batch-size N (default 64)  --max-lr X (default 0.01)
            --backend wasm|cpu (default wasm)  --seed N (default 0)
            --train-samples N, --test-samples N  use only the first N digits (quick checks)
  bench   measure steps (median ms/step) of the benchmark workloads: a training step, or one
          initializer call for the init workloads; the impls of a workload take their timed
          steps in interleaved rounds, one step each, and vs ref is the median of the per-round
          ratios (a burst of load then slows every impl alike)
            --workload a,b     workloads to run (default: all; see 'archzoo list')
            --backend  a,b     tfjs backends (default: wasm,cpu)
            --impl     a,b     only these implementations (default: all)
            --steps    N       timed steps per measurement (default: 20)
            --warmup   N       untimed steps first (default: 3)
            --max-time S       seconds of timed steps per measurement before it stops early,
                               after at least 3 steps (default: 10; 0: no limit)
            --max-step-time S  skip (with a note) a measurement whose step is estimated to take
                               longer than S seconds (default: 300; 0: no limit)
            --sequential       measure the impls one after the other (reference first), all
                               steps of one before the next; vs ref = ratio of the medians
            --json             one JSON line per measurement instead of the table
  demo    train a small MLP on two moons and print the loss as it falls
            --steps N (default 300)  --backend wasm|cpu (default wasm)  --seed N (default 0)
  list    list the workloads and their implementations`;

const BACKENDS: readonly BackendName[] = ['wasm', 'cpu', 'webgl'];

function list(v: string | undefined): string[] | undefined {
  return v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
}

function int(name: string, v: string | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} expected an integer >= ${min}, got '${v}'`);
  return n;
}

function seconds(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} expected a number of seconds >= 0, got '${v}'`);
  return n;
}

function optionalInt(name: string, v: string | undefined): number | undefined {
  return v === undefined ? undefined : int(name, v, 0, 1);
}

function positive(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} expected a positive number, got '${v}'`);
  return n;
}

function backends(v: string | undefined, fallback: BackendName[]): BackendName[] {
  const names = list(v) ?? fallback;
  for (const b of names) {
    if (!BACKENDS.includes(b as BackendName))
      throw new UsageError(`--backend expected some of ${BACKENDS.join(', ')}, got '${b}'`);
  }
  return names as BackendName[];
}

class UsageError extends Error {}

/** Seconds a bench step may be estimated to take before `archzoo bench` skips it (`--max-step-time`). */
export const DEFAULT_MAX_STEP_TIME = 300;

async function bench(values: Record<string, string | boolean | undefined>): Promise<number> {
  const registry = builtinRegistry();
  let workloads: ReturnType<typeof registry.select>;
  try {
    workloads = registry.select(list(values.workload as string | undefined));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const json = values.json === true;
  const interleave = values.sequential !== true;
  const maxTime = seconds('max-time', values['max-time'] as string | undefined, 10);
  const maxStepTime = seconds(
    'max-step-time',
    values['max-step-time'] as string | undefined,
    DEFAULT_MAX_STEP_TIME,
  );
  const onTty = process.stderr.isTTY === true && !json;
  const records: BenchRecord[] = await runBench({
    workloads,
    backends: backends(values.backend as string | undefined, ['wasm', 'cpu']),
    impls: list(values.impl as string | undefined),
    steps: int('steps', values.steps as string | undefined, 20, 1),
    warmup: int('warmup', values.warmup as string | undefined, 3, 0),
    maxMs: maxTime === 0 ? undefined : maxTime * 1000,
    maxStepMs: maxStepTime === 0 ? undefined : maxStepTime * 1000,
    interleave,
    onStart: (w, i, b) => {
      if (onTty) process.stderr.write(`measuring ${w} ${i} on ${b} ...\n`);
    },
    onRecord: (r) => {
      if (json) console.log(toJsonLine(r));
    },
  });
  if (records.length === 0) throw new UsageError('no measurement matched (check --impl)');
  if (!json) {
    console.log(formatTable(withRatios(records, referencesOf(workloads))));
    console.log('');
    console.log(howMeasured(records, interleave));
    if (records.some((r) => r.skipped !== undefined)) {
      console.log(
        `skipped: not run, its step is estimated above --max-step-time (${maxStepTime} s); --max-step-time 0 runs it`,
      );
    }
    console.log(
      `tfjs-core ${tf.version_core}, Node ${process.version}; ${environmentNote(records)}`,
    );
    console.log(`(${loadNote()})`);
  }
  return records.some((r) => r.msPerStep === null && r.skipped === undefined) ? 1 : 0;
}

/** '2 cores, load average 5.7 / 6.4 / 8.5 over 1 / 5 / 15 min': how busy the machine was. */
function loadNote(): string {
  const load = loadavg().map((l) => l.toFixed(1));
  return `${availableParallelism()} cores, load average ${load.join(' / ')} over 1 / 5 / 15 min`;
}

/**
 * What the numbers depend on beyond the code: @archzoo/core is imported (its kernel registrations
 * are active for every impl, tfjs-layers included), and on wasm, whether the conv filter gradient
 * is registered and that tfjs runs wasm single-threaded in Node.
 */
export function environmentNote(records: readonly BenchRecord[]): string {
  const parts = ['@archzoo/core imported for every impl (its kernel registrations are active)'];
  if (records.some((r) => r.backend === 'wasm')) {
    const filterGrad = tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined;
    parts.push(
      `wasm Conv2DBackpropFilter ${filterGrad ? 'registered' : 'NOT registered (conv training fails on wasm)'}`,
    );
    const threads = Number(process.env.ARCHZOO_WASM_THREADS ?? 1);
    parts.push(
      threads > 1
        ? `wasm asked for ${Math.floor(threads)} XNNPACK threads (ARCHZOO_WASM_THREADS)`
        : 'wasm single-threaded (tfjs disables wasm threads in Node; ARCHZOO_WASM_THREADS=2 opts in)',
    );
  }
  return parts.join('; ');
}

async function demo(values: Record<string, string | boolean | undefined>): Promise<number> {
  const [backend] = backends(values.backend as string | undefined, ['wasm']);
  const result = await runDemo({
    steps: int('steps', values.steps as string | undefined, 300, 1),
    seed: int('seed', values.seed as string | undefined, 0, 0),
    backend,
  });
  const last = result.losses.at(-1)!;
  if (!(last < result.losses[0]!)) {
    console.error(`archzoo demo: the loss did not fall (${result.losses[0]} -> ${last})`);
    return 1;
  }
  return 0;
}

/** Held-out accuracy `archzoo mnist` must reach (exit code 1 below it). */
export const MNIST_TARGET = 0.97;

async function mnist(values: Record<string, string | boolean | undefined>): Promise<number> {
  const [backend] = backends(values.backend as string | undefined, ['wasm']);
  const result = await runMnist({
    backend,
    epochs: int('epochs', values.epochs as string | undefined, 2, 1),
    batchSize: int('batch-size', values['batch-size'] as string | undefined, 64, 1),
    maxLr: positive('max-lr', values['max-lr'] as string | undefined, 0.01),
    seed: int('seed', values.seed as string | undefined, 0, 0),
    trainSamples: optionalInt('train-samples', values['train-samples'] as string | undefined),
    testSamples: optionalInt('test-samples', values['test-samples'] as string | undefined),
  });
  console.log(`(${loadNote()})`);
  if (!(result.testAccuracy >= MNIST_TARGET)) {
    console.error(
      `archzoo mnist: FAILED: held-out accuracy ${(100 * result.testAccuracy).toFixed(2)}% is below the ${100 * MNIST_TARGET}% target`,
    );
    return 1;
  }
  console.log(`archzoo mnist: OK (target ${100 * MNIST_TARGET}% reached)`);
  return 0;
}

function listWorkloads(): number {
  for (const w of builtinRegistry().list()) {
    console.log(`${w.name}: ${w.description}`);
    for (const i of w.impls)
      console.log(`  ${i.name}${i.name === w.reference ? ' (reference)' : ''}: ${i.description}`);
  }
  return 0;
}

const OPTIONS = {
  workload: { type: 'string' },
  backend: { type: 'string' },
  impl: { type: 'string' },
  steps: { type: 'string' },
  warmup: { type: 'string' },
  'max-time': { type: 'string' },
  'max-step-time': { type: 'string' },
  seed: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'max-lr': { type: 'string' },
  'train-samples': { type: 'string' },
  'test-samples': { type: 'string' },
  json: { type: 'boolean' },
  sequential: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Runs an `archzoo` command line (`argv` without node and the script) and resolves to the exit
 * code: 0 success, 1 a failed measurement, demo or MNIST job (accuracy below target), 2 a usage error.
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const parsed = parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS });
    const [command, ...rest] = parsed.positionals;
    if (parsed.values.help || command === undefined || command === 'help') {
      console.log(USAGE);
      return command === undefined && !parsed.values.help ? 2 : 0;
    }
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    // tfjs prints a banner about tfjs-node on the cpu backend's first use; 'PROD' only silences logs.
    tf.env().set('PROD', true);
    if (command === 'bench') return await bench(parsed.values);
    if (command === 'demo') return await demo(parsed.values);
    if (command === 'mnist') return await mnist(parsed.values);
    if (command === 'list') return listWorkloads();
    throw new UsageError(`unknown command '${command}'`);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`archzoo: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}
