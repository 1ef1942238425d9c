import { type BackendName, Generator, setBackend } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_STEP_TIME } from '../command.js';
import { runBench } from '../harness.js';
import { builtinRegistry } from '../registry.js';
import {
  archzooDeltaOrthogonal,
  archzooOrthogonal,
  deltaOrthogonalWorkload,
  orthogonal1024,
  orthogonalWorkload,
  tfjsLayersDeltaOrthogonal,
  tfjsLayersOrthogonal,
  tfjsLayersOrthogonalEstimateMs,
} from './init_workloads.js';

/** max |(A^T A)_ij - I_ij| of a row-major rows x cols matrix, in float64. */
function gramError(a: ArrayLike<number>, rows: number, cols: number): number {
  let worst = 0;
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += a[r * cols + i]! * a[r * cols + j]!;
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

/** The transpose of a row-major rows x cols matrix. */
function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

/**
 * Checks a `[k, k, c, c]` delta-orthogonal kernel: orthogonal `[c, c]` at the spatial centre
 * (floor(k / 2), floor(k / 2)), zero at every other tap. Returns the centre's Gram error.
 */
function deltaError(w: Float32Array, k: number, c: number): number {
  const centre = Math.floor(k / 2);
  const taps = k * k;
  for (let t = 0; t < taps; t++) {
    if (t === centre * k + centre) continue;
    const tap = w.subarray(t * c * c, (t + 1) * c * c);
    expect(tap.every((v) => v === 0)).toBe(true);
  }
  const mid = w.subarray((centre * k + centre) * c * c, (centre * k + centre + 1) * c * c);
  return gramError(mid, c, c);
}

describe.each<BackendName>(['cpu', 'wasm'])('init workloads on %s', (backend) => {
  afterAll(async () => {
    await setBackend('cpu');
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('orthogonal: both impls give an n x n float32 matrix; archzoo Q^T Q = Q Q^T = I', async () => {
    await setBackend(backend);
    const n = 48;
    const ours = archzooOrthogonal(n, new Generator(0));
    const theirs = tfjsLayersOrthogonal(n, 0);
    expect(ours.shape).toEqual([n, n]);
    expect(theirs.shape).toEqual([n, n]);
    expect(ours.dtype).toBe('float32');
    expect(theirs.dtype).toBe('float32');
    const q = await ours.data();
    expect(gramError(q, n, n)).toBeLessThan(1e-4);
    expect(gramError(transpose(q, n, n), n, n)).toBeLessThan(1e-4);
    // The reference is a real orthogonal matrix too (float32 QR in tfjs: a looser bound).
    expect(gramError(await theirs.data(), n, n)).toBeLessThan(1e-3);
    tf.dispose([ours, theirs]);
  });

  it('delta-orthogonal: both impls give [3, 3, c, c] with an orthogonal centre, zero elsewhere', async () => {
    await setBackend(backend);
    const c = 16;
    const ours = archzooDeltaOrthogonal(3, c, new Generator(0));
    const theirs = tfjsLayersDeltaOrthogonal(3, c, 0);
    expect(ours.shape).toEqual([3, 3, c, c]);
    expect(theirs.shape).toEqual([3, 3, c, c]);
    expect(deltaError((await ours.data()) as Float32Array, 3, c)).toBeLessThan(1e-4);
    expect(deltaError((await theirs.data()) as Float32Array, 3, c)).toBeLessThan(1e-3);
    tf.dispose([ours, theirs]);
    // An even kernel: the centre is floor(k / 2) in both.
    const even = tfjsLayersDeltaOrthogonal(4, 8, 1);
    expect(even.shape).toEqual([4, 4, 8, 8]);
    expect(deltaError((await even.data()) as Float32Array, 4, 8)).toBeLessThan(1e-3);
    even.dispose();
  });

  it("silences only tfjs-layers' slowness warning, and leaks no tensors", async () => {
    await setBackend(backend);
    const warnings: unknown[][] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((...a) => void warnings.push(a));
    const before = tf.memory().numTensors;
    // 64 x 64 = 4096 elements, above the 2,000 where tfjs-layers warns on every call.
    tfjsLayersOrthogonal(64, 0).dispose();
    expect(warnings).toEqual([]);
    expect(console.warn).toBe(spy);
    for (const w of [orthogonalWorkload(8), deltaOrthogonalWorkload(3, 8)]) {
      for (const impl of w.impls) {
        const trainer = await impl.create({ backend, seed: 0 });
        expect(Number.isFinite(await trainer.step())).toBe(true);
        trainer.dispose();
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs a tiny measurement of both impls end to end, the reference first', async () => {
    const records = await runBench({
      workloads: [orthogonalWorkload(16), deltaOrthogonalWorkload(3, 8)],
      backends: [backend],
      steps: 2,
      warmup: 1,
    });
    expect(records.map((r) => `${r.workload} ${r.impl}`)).toEqual([
      'orthogonal_16x16 tfjs-layers',
      'orthogonal_16x16 archzoo',
      'delta_orthogonal_3x3x8x8 tfjs-layers',
      'delta_orthogonal_3x3x8x8 archzoo',
    ]);
    for (const r of records) {
      expect(r).toMatchObject({ backend, steps: 2 });
      expect(r.error).toBeUndefined();
      expect(r.skipped).toBeUndefined();
      expect(r.msPerStep).toBeGreaterThan(0);
    }
  });
});

describe('the builtin init workloads', () => {
  it('are registered under their names, tfjs-layers the reference', () => {
    const r = builtinRegistry();
    expect(r.get('orthogonal_1024x1024')).toBe(orthogonal1024);
    expect(r.get('delta_orthogonal_3x3x256x256').reference).toBe('tfjs-layers');
  });

  it('bound the reference: no warm-up, few steps; on cpu the 1024 x 1024 call is skipped', async () => {
    const ref = orthogonal1024.impls.find((i) => i.name === 'tfjs-layers')!;
    expect(ref.limits).toMatchObject({ warmup: 0, minSteps: 1 });
    expect(ref.limits!.steps).toBeLessThanOrEqual(3);
    const limit = DEFAULT_MAX_STEP_TIME * 1000;
    // Measured on wasm within the default step limit; about 23 min on cpu, over it.
    expect(tfjsLayersOrthogonalEstimateMs(1024, 'wasm')).toBeLessThan(limit);
    expect(tfjsLayersOrthogonalEstimateMs(1024, 'cpu')).toBeGreaterThan(limit);
    expect(tfjsLayersOrthogonalEstimateMs(256, 'cpu')).toBeLessThan(limit);
    const [skipped] = await runBench({
      workloads: [orthogonal1024],
      backends: ['cpu'],
      impls: ['tfjs-layers'],
      maxStepMs: limit,
    });
    expect(skipped).toMatchObject({ impl: 'tfjs-layers', msPerStep: null, steps: 0 });
    expect(skipped!.skipped).toMatch(/^over time budget: one step takes about \d+ min on cpu/);
    expect(skipped!.error).toBeUndefined();
    await setBackend('cpu');
  });
});
