import { describe, expect, it } from 'vitest';
import type { BenchRecord } from './harness.js';
import { formatTable, howMeasured, referencesOf, toJsonLine, withRatios } from './report.js';

const records: BenchRecord[] = [
  { workload: 'lenet5_b64', impl: 'tfjs-layers', backend: 'wasm', msPerStep: 20, steps: 20 },
  { workload: 'lenet5_b64', impl: 'archzoo', backend: 'wasm', msPerStep: 15, steps: 20 },
  { workload: 'lenet5_b64', impl: 'tfjs-layers', backend: 'cpu', msPerStep: 400, steps: 5 },
  { workload: 'lenet5_b64', impl: 'archzoo', backend: 'cpu', msPerStep: 500.126, steps: 5 },
  {
    workload: 'lenet5_b64',
    impl: 'other',
    backend: 'cpu',
    msPerStep: null,
    steps: 0,
    error: 'Kernel X not registered',
  },
];
const refs = { lenet5_b64: 'tfjs-layers' };

describe('toJsonLine', () => {
  it('prints exactly { workload, impl, backend, msPerStep, steps } as one line', () => {
    const line = toJsonLine({ ...records[1]!, msPerStep: 15.123456 });
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line);
    expect(Object.keys(parsed)).toEqual(['workload', 'impl', 'backend', 'msPerStep', 'steps']);
    expect(parsed).toEqual({
      workload: 'lenet5_b64',
      impl: 'archzoo',
      backend: 'wasm',
      msPerStep: 15.123,
      steps: 20,
    });
  });

  it('adds error (and a null msPerStep) for a failed measurement', () => {
    expect(JSON.parse(toJsonLine(records[4]!))).toEqual({
      workload: 'lenet5_b64',
      impl: 'other',
      backend: 'cpu',
      msPerStep: null,
      steps: 0,
      error: 'Kernel X not registered',
    });
  });
});

describe('withRatios', () => {
  it('divides by the reference on the same backend only', () => {
    const rated = withRatios(records, refs);
    expect(rated.map((r) => r.ratio)).toEqual([1, 0.75, 1, 500.126 / 400, null]);
    expect(rated.map((r) => r.isReference)).toEqual([true, false, true, false, false]);
  });

  it('gives null when the reference did not run or failed', () => {
    const rated = withRatios([records[1]!, { ...records[0]!, msPerStep: null, error: 'x' }], refs);
    expect(rated[0]!.ratio).toBeNull();
    expect(withRatios([records[1]!], refs)[0]!.ratio).toBeNull();
  });

  it('takes references from workloads', () => {
    expect(referencesOf([{ name: 'w', description: '', reference: 'r', impls: [] }])).toEqual({
      w: 'r',
    });
  });
});

describe('small ratios', () => {
  it('keep two significant digits below 0.1', () => {
    const rows = withRatios(
      [
        { workload: 'w', impl: 'ref', backend: 'wasm', msPerStep: 60648.93, steps: 1 },
        { workload: 'w', impl: 'fast', backend: 'wasm', msPerStep: 1113.64, steps: 10 },
        { workload: 'w', impl: 'close', backend: 'wasm', msPerStep: 6500, steps: 10 },
      ],
      { w: 'ref' },
    );
    const cells = formatTable(rows)
      .split('\n')
      .slice(3)
      .map((l) => l.split(/\s{2,}/)[4]);
    expect(cells).toEqual(['0.018x', '0.11x']);
  });
});

describe('skipped measurements', () => {
  const skipped: BenchRecord[] = [
    {
      workload: 'w',
      impl: 'ref',
      backend: 'cpu',
      msPerStep: null,
      steps: 0,
      skipped: 'over time budget: one step takes about 23 min on cpu (estimate)',
    },
    { workload: 'w', impl: 'fast', backend: 'cpu', msPerStep: 12, steps: 20 },
  ];

  it('carry their reason in the JSON line', () => {
    expect(JSON.parse(toJsonLine(skipped[0]!))).toEqual({
      workload: 'w',
      impl: 'ref',
      backend: 'cpu',
      msPerStep: null,
      steps: 0,
      skipped: 'over time budget: one step takes about 23 min on cpu (estimate)',
    });
  });

  it('show the reason in the table, and the other impls say their reference was skipped', () => {
    const lines = formatTable(withRatios(skipped, { w: 'ref' })).split('\n');
    expect(lines[2]!.split(/\s{2,}/)).toEqual([
      'w',
      'ref',
      'cpu',
      '-',
      'skipped: over time budget: one step takes about 23 min on cpu (estimate)',
    ]);
    expect(lines[3]!.split(/\s{2,}/)).toEqual(['w', 'fast', 'cpu', '12.00', 'n/a (ref skipped)']);
  });
});

describe('formatTable', () => {
  const table = formatTable(withRatios(records, refs));
  const lines = table.split('\n');

  it('has a header, a rule and one row per record', () => {
    expect(lines).toHaveLength(2 + records.length);
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['workload', 'impl', 'backend', 'ms/step', 'vs ref']);
    expect(lines[1]).toMatch(/^-+( {2}-+){4}$/);
  });

  it('shows ms with two decimals, right-aligned, and ratios with the reference marked', () => {
    expect(lines[2]!.split(/\s{2,}/)).toEqual([
      'lenet5_b64',
      'tfjs-layers',
      'wasm',
      '20.00',
      '1.00x (ref)',
    ]);
    expect(lines[3]!.split(/\s{2,}/)).toEqual(['lenet5_b64', 'archzoo', 'wasm', '15.00', '0.75x']);
    expect(lines[5]!.split(/\s{2,}/)).toEqual(['lenet5_b64', 'archzoo', 'cpu', '500.13', '1.25x']);
    // Right-aligned: the ms column ends at the same place in every row.
    const end = (l: string, cell: string) => l.indexOf(cell) + cell.length;
    expect(end(lines[2]!, '20.00')).toBe(end(lines[5]!, '500.13'));
    expect(end(lines[0]!, 'ms/step')).toBe(end(lines[5]!, '500.13'));
  });

  it('shows a failed measurement with its error', () => {
    expect(lines[6]).toContain('failed: Kernel X not registered');
    expect(lines[6]!.split(/\s{2,}/)[3]).toBe('-');
  });

  it('starts every text column where its header starts', () => {
    const header = lines[0]!;
    for (const col of ['impl', 'backend', 'vs ref']) {
      const at = header.indexOf(col);
      for (const l of lines.slice(2)) {
        expect(l.slice(at - 2, at)).toBe('  ');
        expect(l[at]).not.toBe(' ');
      }
    }
  });
});

describe('paired ratios (interleaved runs)', () => {
  const paired: BenchRecord[] = [
    { workload: 'w', impl: 'ref', backend: 'wasm', msPerStep: 20, steps: 20 },
    // Medians give 30 / 20 = 1.5; the per-round ratios give 1.82456.
    { workload: 'w', impl: 'a', backend: 'wasm', msPerStep: 30, steps: 20, pairedRatio: 1.82456 },
    {
      workload: 'w',
      impl: 'fast',
      backend: 'wasm',
      msPerStep: 0.4,
      steps: 20,
      pairedRatio: 0.0183,
    },
    { workload: 'w', impl: 'b', backend: 'wasm', msPerStep: 30, steps: 20 },
  ];

  it('go in the JSON line, rounded to 3 decimals, after steps', () => {
    const parsed = JSON.parse(toJsonLine(paired[1]!));
    expect(Object.keys(parsed)).toEqual([
      'workload',
      'impl',
      'backend',
      'msPerStep',
      'steps',
      'pairedRatio',
    ]);
    expect(parsed.pairedRatio).toBe(1.825);
    expect(JSON.parse(toJsonLine(paired[0]!))).not.toHaveProperty('pairedRatio');
  });

  it('fill the vs ref cell, marked (paired), in place of the ratio of medians', () => {
    const rated = withRatios(paired, { w: 'ref' });
    // The ratio of medians is kept in the rated record; only the cell prefers the paired one.
    expect(rated.map((r) => r.ratio)).toEqual([1, 1.5, 0.02, 1.5]);
    const cells = formatTable(rated)
      .split('\n')
      .slice(2)
      .map((l) => l.split(/\s{2,}/)[4]);
    expect(cells).toEqual(['1.00x (ref)', '1.82x (paired)', '0.018x (paired)', '1.50x']);
  });
});

describe('howMeasured', () => {
  const rows: BenchRecord[] = [
    { workload: 'w', impl: 'a', backend: 'cpu', msPerStep: 1, steps: 20 },
    { workload: 'w', impl: 'b', backend: 'cpu', msPerStep: 1, steps: 3 },
    { workload: 'w', impl: 'c', backend: 'cpu', msPerStep: 1, steps: 20 },
    { workload: 'w', impl: 'd', backend: 'cpu', msPerStep: null, steps: 0, error: 'x' },
  ];

  it('says the rounds were interleaved and vs ref is the median of per-round ratios', () => {
    expect(howMeasured(rows, true)).toBe(
      'median of 3/20 timed steps after warm-up (slow workloads take fewer: see README); impls measured in interleaved rounds; vs ref = median of per-round ratios (below 1: faster)',
    );
  });

  it('says the impls ran one after the other and vs ref is the ratio of medians', () => {
    expect(howMeasured(rows, false)).toBe(
      'median of 3/20 timed steps after warm-up (slow workloads take fewer: see README); impls measured one after the other, reference first; vs ref = ms/step / reference ms/step on the same backend (below 1: faster)',
    );
    expect(howMeasured([rows[3]!], false)).toMatch(/^median of 0 timed steps after warm-up/);
  });
});
