// Node only: the mnist package is CommonJS with 21 MB of JSON, which the browser test runner
// would have to pre-bundle; the loader itself has no Node-specific code.
import { ArchzooError } from '@archzoo/core';
import { testBackends, useBackend } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, loadMnistArrays, MNIST_MEAN, MNIST_STD, type MnistArrays } from './mnist.js';

/** Images per digit in the `mnist` package (10,000 in all). */
const PACKAGE_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

/** Element-wise equality of big arrays (vitest's toEqual walks millions of elements slowly). */
function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function classCounts(labels: Int32Array): number[] {
  const c = new Array<number>(10).fill(0);
  for (const l of labels) c[l]!++;
  return c;
}

/** A fingerprint of each image (to compare sets of samples across splits). */
function fingerprints(a: MnistArrays): string[] {
  const out: string[] = [];
  for (let i = 0; i < a.count; i++) {
    let h1 = 0x811c9dc5;
    let h2 = 0;
    for (let p = 0; p < 784; p++) {
      const v = Math.round(a.images[i * 784 + p]! * 1000);
      h1 = Math.imul(h1 ^ v, 0x01000193);
      h2 = (h2 * 31 + v * (p + 1)) % 1_000_000_007;
    }
    out.push(`${a.labels[i]}:${h1 >>> 0}:${h2}`);
  }
  return out;
}

describe('loadMnistArrays', () => {
  it('splits the 10,000 real digits 8000 / 2000, stratified, with no sample in both', async () => {
    const { train, test } = await loadMnistArrays({ seed: 0 });
    expect(train.count).toBe(8000);
    expect(test.count).toBe(2000);
    expect(train.images.length).toBe(8000 * 784);
    const trainCounts = classCounts(train.labels);
    const testCounts = classCounts(test.labels);
    // Every digit is all there, and each holds out its 20% share (rounded).
    expect(trainCounts.map((c, d) => c + testCounts[d]!)).toEqual(PACKAGE_COUNTS);
    testCounts.forEach((c, d) =>
      expect(Math.abs(c - PACKAGE_COUNTS[d]! * 0.2)).toBeLessThanOrEqual(1),
    );
    // Label distribution sanity: every class between 8% and 12% of either split.
    for (const [counts, n] of [
      [trainCounts, 8000],
      [testCounts, 2000],
    ] as const) {
      for (const c of counts) {
        expect(c / n).toBeGreaterThan(0.08);
        expect(c / n).toBeLessThan(0.12);
      }
    }
    const all = fingerprints((await loadMnistArrays({ testSize: 0, stratify: false })).train);
    const trainPrints = fingerprints(train);
    const testPrints = fingerprints(test);
    expect([...trainPrints, ...testPrints].sort()).toEqual([...all].sort()); // a partition of the data
    const trainSet = new Set(trainPrints);
    const shared = testPrints.filter((p) => trainSet.has(p)).length;
    const allDuplicates = all.length - new Set(all).size; // identical images in the source, if any
    expect(shared).toBeLessThanOrEqual(allDuplicates);
  });

  it('is deterministic by seed, and another seed gives another split and order', async () => {
    const a = await loadMnistArrays({ seed: 7, testSize: 500 });
    const b = await loadMnistArrays({ seed: 7, testSize: 500 });
    const c = await loadMnistArrays({ seed: 8, testSize: 500 });
    expect(same(a.test.labels, b.test.labels)).toBe(true);
    expect(same(a.train.images, b.train.images)).toBe(true);
    expect(same(a.test.images, b.test.images)).toBe(true);
    expect(Array.from(c.test.labels)).not.toEqual(Array.from(a.test.labels));
    // Train order is shuffled, not grouped by digit.
    expect(Array.from(a.train.labels.slice(0, 50)).some((l) => l !== a.train.labels[0])).toBe(true);
  });

  it('grey levels lie in [0, 1] with real digit statistics; labels are 0-9', async () => {
    const { train } = await loadMnistArrays({ testSize: 0 });
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of train.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    expect(sum / train.images.length).toBeCloseTo(MNIST_MEAN, 1); // ~0.13: mostly black background
    expect(Math.min(...train.labels)).toBe(0);
    expect(Math.max(...train.labels)).toBe(9);
  });

  it('normalize: true standardizes with the MNIST mean and std', async () => {
    const { train } = await loadMnistArrays({ testSize: 0, normalize: true });
    let sum = 0;
    let sq = 0;
    for (const v of train.images) {
      sum += v;
      sq += v * v;
    }
    const mean = sum / train.images.length;
    const std = Math.sqrt(sq / train.images.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
    expect(Math.min(...train.images.subarray(0, 784))).toBeCloseTo(-MNIST_MEAN / MNIST_STD, 5);
  });

  it('stratify: false holds out exactly testSize random samples', async () => {
    const { train, test } = await loadMnistArrays({ testSize: 1234, stratify: false, seed: 3 });
    expect(test.count).toBe(1234);
    expect(train.count).toBe(10000 - 1234);
    const counts = classCounts(test.labels);
    for (const c of counts) expect(c).toBeGreaterThan(70); // ~123 each
  });

  it('rejects bad options', async () => {
    await expect(loadMnistArrays({ testSize: 10001 })).rejects.toThrow(
      /testSize expected at most 10000, got 10001/,
    );
    await expect(loadMnistArrays({ testSize: -1 })).rejects.toThrow(ArchzooError);
    await expect(loadMnistArrays({ normalize: { mean: 0, std: 0 } })).rejects.toThrow(
      /normalize.std/,
    );
    await expect(loadMnist({ layout: 'nchw' as 'nhwc' })).rejects.toThrow(
      /layout expected one of 'nhwc', 'flat', got 'nchw'/,
    );
  });
});

for (const backend of testBackends()) {
  describe(`loadMnist [${backend}]`, () => {
    beforeAll(() => useBackend(backend));

    it("returns x [N, 28, 28, 1] float32 in [0, 1] and y [N] int32 (layout 'nhwc')", async () => {
      const before = tf.memory().numTensors;
      const { train, test, numClasses } = await loadMnist({ testSize: 2000, seed: 1 });
      expect(tf.memory().numTensors).toBe(before + 4); // exactly the four returned tensors
      expect(numClasses).toBe(10);
      expect(train.x.shape).toEqual([8000, 28, 28, 1]);
      expect(train.x.dtype).toBe('float32');
      expect(train.y.shape).toEqual([8000]);
      expect(train.y.dtype).toBe('int32');
      expect(test.x.shape).toEqual([2000, 28, 28, 1]);
      const [lo, hi] = tf.tidy(() => [
        tf.min(test.x).dataSync()[0]!,
        tf.max(test.x).dataSync()[0]!,
      ]);
      expect([lo, hi]).toEqual([0, 1]);
      const arrays = await loadMnistArrays({ testSize: 2000, seed: 1 });
      expect(same(await test.y.data(), arrays.test.labels)).toBe(true);
      expect(same(await test.x.data(), arrays.test.images)).toBe(true);
      tf.dispose([train.x, train.y, test.x, test.y]);
      expect(tf.memory().numTensors).toBe(before);
    });

    it("layout 'flat' gives x [N, 784]", async () => {
      const { train, test } = await loadMnist({ testSize: 100, layout: 'flat' });
      expect(train.x.shape).toEqual([9900, 784]);
      expect(test.x.shape).toEqual([100, 784]);
      tf.dispose([train.x, train.y, test.x, test.y]);
    });
  });
}
