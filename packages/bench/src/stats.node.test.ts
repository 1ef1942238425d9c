import { describe, expect, it } from 'vitest';
import { median } from './stats.js';

describe('median', () => {
  it('takes the middle value of an odd-length list, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([5])).toBe(5);
    expect(median([10, 1, 1000, 7, 3])).toBe(7);
  });

  it('averages the two middle values of an even-length list', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([1, 100])).toBe(50.5);
  });

  it('ignores outliers (the reason the harness uses it)', () => {
    expect(median([10, 10, 11, 10, 500])).toBe(10);
  });

  it('does not reorder its input', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });

  it('rejects an empty list and non-finite values', () => {
    expect(() => median([])).toThrow(/non-empty/);
    expect(() => median([1, Number.NaN])).toThrow(/finite/);
  });
});
