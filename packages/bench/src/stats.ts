/**
 * The median of a list of numbers: the middle value, or the mean of the two middle values when
 * the list has even length. Robust to the occasional slow step (GC pause, JIT), which is why the
 * harness reports it instead of the mean.
 *
 * @example
 * median([3, 1, 2]); // 2
 * median([4, 1, 3, 2]); // 2.5
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: values expected a non-empty list, got []');
  for (const v of values) {
    if (!Number.isFinite(v))
      throw new RangeError(`median: values expected finite numbers, got ${v}`);
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
