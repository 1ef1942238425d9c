// Runs only in the vitest browser project (headless Chromium, software WebGL2): proves that
// `setBackend('auto')` chooses webgl there, that gradients are computed on it, and that the
// project resolves workspace packages to their sources and imports JSON fixtures.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import expected from '../test-apps/vite-grad/expected.json' with { type: 'json' };
import { autoBackend, getBackend, hasWebGL2Float, setBackend } from './index.js';

describe('webgl in the browser', () => {
  it("setBackend('auto') picks webgl, with float32 render targets", async () => {
    expect(hasWebGL2Float()).toBe(true);
    expect(autoBackend()).toBe('webgl');
    expect(await setBackend('auto')).toBe('webgl');
    expect(getBackend()).toBe('webgl');
    // tfjs 4.22's `backend().floatPrecision()` reports 16 whenever float32 render targets are
    // enabled (so `epsilon()` is 1e-4 on webgl); check the flag and a float32-only value instead.
    expect(tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')).toBe(true);
    const tiny = 2 ** -20; // below float16's resolution at 1, exact in float32
    const back = tf.tidy(() => tf.sub(tf.add(tf.scalar(1), tf.scalar(tiny)), tf.scalar(1)));
    expect((await back.data())[0]).toBe(tiny);
    back.dispose();
  });

  it('computes a gradient on webgl', async () => {
    await setBackend('webgl');
    // f(x) = sum(x^3 + 2x), so f'(x) = 3x^2 + 2 (expected.json holds both).
    const f = (x: tf.Tensor) => tf.sum(tf.add(tf.pow(x, 3), tf.mul(x, 2)));
    const x = tf.tensor1d(expected.x);
    const before = tf.memory().numTensors;
    const dx = tf.grad(f)(x);
    expect(getBackend()).toBe('webgl');
    expect(dx.shape).toEqual([expected.x.length]);
    const got = Array.from(await dx.data());
    got.forEach((v, i) => expect(v).toBeCloseTo(expected.grad[i]!, 4));
    dx.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('computes the gradient of a matMul + logSoftmax loss on webgl', async () => {
    await setBackend('webgl');
    // loss(w) = -log softmax(a w)[0, 0]; d/dw = a[0]^T (p - onehot(0)), p = softmax((a w)[0]).
    const a = tf.tensor2d([
      [1, 2],
      [0.5, -1],
    ]);
    const w = tf.tensor2d([
      [0.1, -0.2, 0.3],
      [0.4, 0.0, -0.1],
    ]);
    const loss = (wt: tf.Tensor) =>
      tf.neg(tf.sum(tf.slice(tf.logSoftmax(tf.matMul(a, wt as tf.Tensor2D)), [0, 0], [1, 1])));
    const { value, grad } = tf.valueAndGrad(loss)(w);
    const e = [0.9, -0.2, 0.1].map(Math.exp); // row 0 of a w, in float64
    const p = e.map((v) => v / e.reduce((s, u) => s + u, 0));
    const want = [1, 2].flatMap((ai) => p.map((pj, j) => ai * (pj - (j === 0 ? 1 : 0))));
    expect((await value.data())[0]).toBeCloseTo(-Math.log(p[0]!), 4);
    Array.from(await grad.data()).forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 4));
    tf.dispose([a, w, value, grad]);
  });

  it("loads workspace packages from their sources ('archzoo-source')", () => {
    // index.ts re-exports @archzoo/init; under the condition it is served from packages/init/src.
    const urls = performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname);
    expect(urls.some((u) => u.endsWith('/packages/init/src/index.ts'))).toBe(true);
    expect(urls.filter((u) => u.includes('/packages/init/dist/'))).toEqual([]);
  });
});
