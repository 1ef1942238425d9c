import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import clipFx from '../../fixtures/optim/clip_grad.json' with { type: 'json' };
import '../register.js';
import { testBackends, useBackend } from '../testing/backends.js';
import { clipGradNorm, clipGradValue } from './index.js';

// clip_grad_norm_ / clip_grad_value_ against torch 1.13 (fixtures/gen_optim_fixtures.py):
// three gradients ([3, 4], [5], [2, 2, 2]); norms of order 2, inf, 1 and 3.

interface FxTensor {
  shape: number[];
  data: number[];
}
interface ClipCase {
  kind: string;
  maxNorm?: number;
  normType?: number | string;
  clipValue?: number;
  totalNorm?: number;
  clipped: FxTensor[];
}

const grads = () => clipFx.grads.map((g) => tf.tensor(g.data, g.shape));

function maxErr(t: tf.Tensor, want: FxTensor): number {
  const a = t.dataSync();
  return Math.max(...want.data.map((w, i) => Math.abs(a[i]! - w)));
}

for (const backend of testBackends()) {
  describe(`gradient clipping vs torch (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    for (const c of clipFx.cases as ClipCase[]) {
      const label =
        c.kind === 'norm'
          ? `clipGradNorm(maxNorm ${c.maxNorm}, normType ${c.normType})`
          : `clipGradValue(${c.clipValue})`;
      it(`${label} equals torch, in a NamedTensorMap and a Map`, () => {
        const named: tf.NamedTensorMap = Object.fromEntries(grads().map((g, i) => [`g${i}`, g]));
        const vars = grads().map((g) => tf.variable(g));
        const byVar = new Map(vars.map((v) => [v, tf.clone(v)]));
        const before = tf.memory().numTensors;
        for (const container of [named, byVar]) {
          if (c.kind === 'norm') {
            const p = c.normType === 'inf' ? Infinity : (c.normType as number);
            const n = clipGradNorm(container, c.maxNorm!, { normType: p });
            expect(Math.abs(n - c.totalNorm!)).toBeLessThanOrEqual(1e-5 * c.totalNorm!);
          } else {
            clipGradValue(container, c.clipValue!);
          }
        }
        expect(tf.memory().numTensors).toBe(before); // old gradients were disposed
        const lists = [Object.values(named), [...byVar.values()]];
        for (const list of lists)
          list.forEach((g, i) => expect(maxErr(g, c.clipped[i]!)).toBeLessThanOrEqual(1e-6));
        tf.dispose([...lists.flat(), ...vars]);
      });
    }

    it('returns 0 for no gradients, and can refuse a non-finite norm', () => {
      expect(clipGradNorm({}, 1)).toBe(0);
      const g = { a: tf.tensor1d([Number.NaN, 1]) };
      expect(() => clipGradNorm(g, 1, { errorIfNonfinite: true })).toThrow(
        /total norm of order 2 of the gradients is NaN/,
      );
      expect(g.a.isDisposed).toBe(false); // nothing changed
      expect(() => clipGradNorm(g, 1, { normType: 0 })).toThrow(
        /normType expected a number > 0 or Infinity/,
      );
      expect(() => clipGradValue(g, -1)).toThrow(/clipValue expected a finite number >= 0/);
      tf.dispose(g.a);
    });
  });
}
