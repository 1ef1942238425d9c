// tfjs-core must be evaluated before @archzoo/core (see mnist.node.test.ts): the MNIST job's
// BatchNorm cannot train otherwise. A bare import keeps the import sorter from moving it.
import '@tensorflow/tfjs-core';
import { setBackend } from '@archzoo/core';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { environmentNote, main } from './command.js';

describe('archzoo command line', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('lists the workloads with their reference impl', async () => {
    await expect(main(['list'])).resolves.toBe(0);
    expect(out[0]).toMatch(/^lenet5_b64: /);
    expect(out).toContainEqual(expect.stringMatching(/^ {2}tfjs-layers \(reference\): /));
  });

  it('prints usage for --help (exit 0) and for no command (exit 2)', async () => {
    await expect(main(['--help'])).resolves.toBe(0);
    expect(out.join('\n')).toContain('usage: archzoo <command>');
    await expect(main([])).resolves.toBe(2);
    expect(out.join('\n')).toContain(
      '--sequential       measure the impls one after the other (reference first), all',
    );
    expect(out.join('\n')).toContain('take their timed\n          steps in interleaved rounds');
  });

  it('answers usage errors with exit code 2 and a reason', async () => {
    await expect(main(['frobnicate'])).resolves.toBe(2);
    expect(err.join('\n')).toContain("unknown command 'frobnicate'");
    await expect(main(['bench', '--workload', 'nope'])).resolves.toBe(2);
    expect(err.join('\n')).toContain("unknown workload 'nope'; known: lenet5_b64");
    await expect(main(['bench', '--backend', 'gpu'])).resolves.toBe(2);
    expect(err.join('\n')).toContain("--backend expected some of wasm, cpu, webgl, got 'gpu'");
    await expect(main(['bench', '--steps', '0'])).resolves.toBe(2);
    await expect(main(['bench', '--bogus'])).resolves.toBe(2);
    await expect(main(['demo', 'extra'])).resolves.toBe(2);
    await expect(main(['mnist', '--epochs', '0'])).resolves.toBe(2);
    expect(err.join('\n')).toContain("--epochs expected an integer >= 1, got '0'");
    await expect(main(['mnist', '--max-lr', '0'])).resolves.toBe(2);
    expect(err.join('\n')).toContain("--max-lr expected a positive number, got '0'");
    await expect(main(['mnist', '--train-samples', '0'])).resolves.toBe(2);
  });

  it('runs the MNIST job and exits 1, saying so, when the accuracy misses 97%', async () => {
    // One Adam step on 32 digits cannot reach 97%: the failure path, quickly.
    const args = ['--train-samples', '32', '--test-samples', '64', '--batch-size', '32'];
    await expect(main(['mnist', '--epochs', '1', ...args])).resolves.toBe(1);
    expect(out[0]).toMatch(
      /^archzoo mnist: MNIST digits \(mnist package\), 32 train \/ 64 held out/,
    );
    expect(out[1]).toMatch(/^backend wasm; /);
    expect(out).toContainEqual(
      expect.stringMatching(/^held-out accuracy: \d+\.\d\d% on 64 digits/),
    );
    expect(out.at(-1)).toMatch(
      /^\(\d+ cores, load average [\d.]+ \/ [\d.]+ \/ [\d.]+ over 1 \/ 5 \/ 15 min\)$/,
    );
    expect(err.join('\n')).toMatch(
      /archzoo mnist: FAILED: held-out accuracy \d+\.\d\d% is below the 97% target/,
    );
  });

  it('runs the demo and exits 0 when the loss falls', async () => {
    await expect(main(['demo', '--steps', '30', '--backend', 'cpu'])).resolves.toBe(0);
    expect(out[0]).toMatch(/^archzoo demo: two moons/);
    expect(out.at(-1)).toMatch(/^accuracy: /);
  });

  it('skips, saying why, a reference too slow for --max-step-time, and exits 0', async () => {
    // tfjs-layers' orthogonal 1024 x 1024 is estimated at about 23 min on cpu: never started.
    const args = ['--workload', 'orthogonal_1024x1024', '--backend', 'cpu'];
    await expect(main(['bench', ...args, '--impl', 'tfjs-layers'])).resolves.toBe(0);
    const table = out.join('\n');
    expect(table).toMatch(
      /orthogonal_1024x1024 +tfjs-layers +cpu +- +skipped: over time budget: one step takes about \d+ min on cpu \(estimate\), the limit is 5 min/,
    );
    expect(table).toContain(
      'skipped: not run, its step is estimated above --max-step-time (300 s); --max-step-time 0 runs it',
    );
    expect(out.at(-1)).toMatch(/^\(\d+ cores, load average /);
    out.length = 0;
    await expect(
      main(['bench', ...args, '--impl', 'tfjs-layers', '--json', '--max-step-time', '60']),
    ).resolves.toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ msPerStep: null, steps: 0 });
    expect(JSON.parse(out[0]!).skipped).toMatch(/the limit is 60 s$/);
    await expect(main(['bench', '--max-step-time', 'soon'])).resolves.toBe(2);
    expect(err.join('\n')).toContain(
      "--max-step-time expected a number of seconds >= 0, got 'soon'",
    );
  });

  it('interleaves the impls by default, with paired ratios, and not with --sequential', async () => {
    const args = ['bench', '--workload', 'kernel_slice_50x32x512', '--backend', 'cpu'];
    const quick = ['--steps', '3', '--warmup', '1'];
    await expect(main([...args, ...quick])).resolves.toBe(0);
    // The table is one log: header, rule, then the rows.
    const lines = () => out.join('\n').split('\n');
    const rows = lines()
      .slice(2, 4)
      .map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      ['kernel_slice_50x32x512', 'stock', 'cpu'],
      ['kernel_slice_50x32x512', 'archzoo', 'cpu'],
    ]);
    expect(rows[0]![4]).toBe('1.00x (ref)');
    expect(rows[1]![4]).toMatch(/^\d+\.\d+x \(paired\)$/);
    expect(out).toContain(
      'median of 3 timed steps after warm-up (slow workloads take fewer: see README); impls measured in interleaved rounds; vs ref = median of per-round ratios (below 1: faster)',
    );
    out.length = 0;
    await expect(main([...args, ...quick, '--json'])).resolves.toBe(0);
    const json = out.map((l) => JSON.parse(l));
    expect(json.map((l) => [l.impl, l.steps, typeof l.pairedRatio])).toEqual([
      ['stock', 3, 'undefined'],
      ['archzoo', 3, 'number'],
    ]);
    out.length = 0;
    await expect(main([...args, ...quick, '--sequential'])).resolves.toBe(0);
    expect(lines()[3]!.split(/\s{2,}/)[4]).toMatch(/^\d+\.\d+x$/);
    expect(out).toContain(
      'median of 3 timed steps after warm-up (slow workloads take fewer: see README); impls measured one after the other, reference first; vs ref = ms/step / reference ms/step on the same backend (below 1: faster)',
    );
  });

  it('says on which terms wasm was measured', () => {
    const note = environmentNote([
      { workload: 'w', impl: 'i', backend: 'wasm', msPerStep: 1, steps: 1 },
    ]);
    expect(note).toMatch(/@archzoo\/core imported/);
    expect(note).toMatch(/wasm Conv2DBackpropFilter (registered|NOT registered)/);
    expect(
      environmentNote([{ workload: 'w', impl: 'i', backend: 'cpu', msPerStep: 1, steps: 1 }]),
    ).not.toMatch(/wasm/);
  });
});
