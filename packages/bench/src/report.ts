import type { BenchRecord, Workload } from './harness.js';

/** A record with its speed relative to the workload's reference impl on the same backend. */
export interface RatedRecord extends BenchRecord {
  /** msPerStep / reference msPerStep (below 1: faster than the reference); null if unknown. */
  ratio: number | null;
  /** True for the reference impl's own row. */
  isReference: boolean;
}

/**
 * Adds to each record its ratio to the reference impl of its workload on the same backend, from
 * the same run. `references` maps workload name to reference impl name.
 */
export function withRatios(
  records: readonly BenchRecord[],
  references: Readonly<Record<string, string>>,
): RatedRecord[] {
  return records.map((r) => {
    const refName = references[r.workload];
    const ref = records.find(
      (o) => o.workload === r.workload && o.backend === r.backend && o.impl === refName,
    );
    const ratio = r.msPerStep !== null && ref?.msPerStep ? r.msPerStep / ref.msPerStep : null;
    return { ...r, ratio, isReference: r.impl === refName };
  });
}

/** `workload name -> reference impl` for a list of workloads. */
export function referencesOf(workloads: readonly Workload[]): Record<string, string> {
  return Object.fromEntries(workloads.map((w) => [w.name, w.reference]));
}

/**
 * One JSON line for a record: `{ workload, impl, backend, msPerStep, steps }` (plus `pairedRatio`
 * when the run was interleaved, `gbPerS` for data-movement workloads, `error` when the measurement
 * failed, `skipped` when it was not started, `note` when the trainer has one). msPerStep is
 * rounded to microseconds, pairedRatio to 3 decimals.
 */
export function toJsonLine(r: BenchRecord): string {
  const out: BenchRecord = {
    workload: r.workload,
    impl: r.impl,
    backend: r.backend,
    msPerStep: r.msPerStep === null ? null : Math.round(r.msPerStep * 1000) / 1000,
    steps: r.steps,
  };
  if (r.pairedRatio !== undefined) out.pairedRatio = Math.round(r.pairedRatio * 1000) / 1000;
  if (r.gbPerS !== undefined) out.gbPerS = Math.round(r.gbPerS * 100) / 100;
  if (r.error !== undefined) out.error = r.error;
  if (r.skipped !== undefined) out.skipped = r.skipped;
  if (r.note !== undefined) out.note = r.note;
  return JSON.stringify(out);
}

const HEADERS = ['workload', 'impl', 'backend', 'ms/step', 'vs ref'] as const;

/** '1.82x'; two significant digits below 0.1 (0.018x, not 0.02x): init workloads differ 50-fold. */
function formatRatio(ratio: number): string {
  return `${ratio < 0.1 ? ratio.toPrecision(2) : ratio.toFixed(2)}x`;
}

function ratioCell(r: RatedRecord, rows: readonly RatedRecord[]): string {
  if (r.skipped !== undefined) return `skipped: ${r.skipped}`;
  if (r.msPerStep === null) return `failed: ${r.error ?? 'unknown error'}`;
  if (r.isReference) return '1.00x (ref)';
  // The paired ratio, when the run has one, is the better estimate (see BenchRecord.pairedRatio).
  if (r.pairedRatio !== undefined) return `${formatRatio(r.pairedRatio)} (paired)`;
  if (r.ratio !== null) return formatRatio(r.ratio);
  const refSkipped = rows.some(
    (o) => o.isReference && o.workload === r.workload && o.backend === r.backend && o.skipped,
  );
  return refSkipped ? 'n/a (ref skipped)' : 'n/a (no ref)';
}

/**
 * A plain-text table, one row per record: workload, impl (with its `note` in parentheses when it
 * has one), backend, median ms/step and the ratio to the reference: the paired ratio with
 * '(paired)' when the record has one, else the ratio of the medians. Text columns are left-aligned, numbers right-aligned; a failed or skipped
 * measurement shows '-' and its error or the reason it was skipped in the ratio column.
 */
export function formatTable(rows: readonly RatedRecord[]): string {
  const cells = rows.map((r) => [
    r.workload,
    r.note === undefined ? r.impl : `${r.impl} (${r.note})`,
    r.backend,
    r.msPerStep === null
      ? '-'
      : r.gbPerS === undefined
        ? r.msPerStep.toFixed(2)
        : `${r.msPerStep.toFixed(3)} (${r.gbPerS.toFixed(2)} GB/s)`,
    ratioCell(r, rows),
  ]);
  const widths = HEADERS.map((h, c) =>
    Math.max(h.length, ...cells.map((row) => (c === 4 ? 0 : row[c]!.length))),
  );
  const numeric = [false, false, false, true, false];
  const line = (row: readonly string[]) =>
    row
      .map((cell, c) =>
        c === 4 ? cell : numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((w, c) => '-'.repeat(c === 4 ? Math.max(w, 11) : w)).join('  ');
  return [line(HEADERS), rule, ...cells.map(line)].join('\n');
}

/**
 * The footer line that says how the table's numbers were taken: the timed step counts its
 * medians are over, whether the impls ran in interleaved rounds or one after the other, and so
 * what "vs ref" is.
 *
 * @example
 * howMeasured([{ ..., msPerStep: 2, steps: 20 }], true);
 * // 'median of 20 timed steps after warm-up (slow workloads take fewer: see README); impls
 * //  measured in interleaved rounds; vs ref = median of per-round ratios (below 1: faster)'
 */
export function howMeasured(records: readonly BenchRecord[], interleaved: boolean): string {
  const counts = [...new Set(records.filter((r) => r.msPerStep !== null).map((r) => r.steps))];
  counts.sort((a, b) => a - b);
  const steps = `median of ${counts.join('/') || 0} timed steps after warm-up (slow workloads take fewer: see README)`;
  const how = interleaved
    ? 'impls measured in interleaved rounds; vs ref = median of per-round ratios'
    : 'impls measured one after the other, reference first; vs ref = ms/step / reference ms/step on the same backend';
  return `${steps}; ${how} (below 1: faster)`;
}
