// T = 1 sequences: runCell and AdaptiveComputationTime unstack xs (and the mask) along time, and
// tfjs 4.22's Unpack gradient threw for an axis of size 1 until @archzoo/core corrected it. Their
// gradients must equal those of one direct step.
import { Generator } from '@archzoo/core';
import { maxAbsDiff, testBackends, uniformTensor, useBackend } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdaptiveComputationTime } from './act.js';
import { GatedRNNCell } from './gated.js';
import { runCell } from './run_cell.js';

const B = 2;
const I = 3;
const H = 4;

/** Gradients of `loss` w.r.t. xs and every trainable variable it reads. */
function gradsOf(loss: (xs: tf.Tensor) => tf.Scalar, xs: tf.Tensor) {
  const dxs = tf.grad(loss)(xs);
  const { value, grads } = tf.variableGrads(() => loss(xs));
  return { dxs, value, grads };
}

function expectSameGrads(a: ReturnType<typeof gradsOf>, b: ReturnType<typeof gradsOf>): void {
  expect(Object.keys(a.grads).sort()).toEqual(Object.keys(b.grads).sort());
  expect(Object.keys(a.grads).length).toBeGreaterThan(0);
  expect(maxAbsDiff(a.value, b.value)).toBeLessThan(1e-5);
  expect(maxAbsDiff(a.dxs, b.dxs)).toBeLessThan(1e-5);
  for (const [name, g] of Object.entries(a.grads)) {
    expect(maxAbsDiff(g, b.grads[name]!), name).toBeLessThan(1e-5);
  }
}

for (const backend of testBackends()) {
  describe(`T = 1 gradients on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it('runCell: equal to one cell step, with and without a mask', () => {
      const cell = new GatedRNNCell({ inputSize: I, hiddenSize: H, generator: new Generator(3) });
      const xs = uniformTensor([1, B, I], 5);
      const w = uniformTensor([1, B, H], 7);
      const mask = tf.ones([1, B]);
      const before = tf.memory().numTensors;
      const direct = gradsOf((x) => {
        const [h0] = cell.initialState(B);
        return tf.sum(tf.mul(cell.step(tf.squeeze(x, [0]), [h0!]).output, tf.squeeze(w, [0])));
      }, xs);
      for (const opts of [{}, { mask }]) {
        const run = gradsOf((x) => {
          const { outputs, state } = runCell(cell, x, opts);
          tf.dispose(state);
          return tf.sum(tf.mul(outputs, w));
        }, xs);
        expectSameGrads(run, direct);
        tf.dispose([run.dxs, run.value, ...Object.values(run.grads)]);
      }
      tf.dispose([direct.dxs, direct.value, ...Object.values(direct.grads)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([xs, w, mask]);
      cell.dispose();
    });

    it('AdaptiveComputationTime: equal to one pondered step, output and ponder cost', () => {
      // Halting bias -3: every sample ponders all M steps, so the remainder carries gradient.
      const act = new AdaptiveComputationTime({
        // The cell reads [x, first-step flag].
        cell: new GatedRNNCell({ inputSize: I + 1, hiddenSize: H, generator: new Generator(11) }),
        maxPonderSteps: 3,
        haltingBias: -3,
        generator: new Generator(12),
      });
      const xs = uniformTensor([1, B, I], 13);
      const w = uniformTensor([1, B, H], 17);
      const before = tf.memory().numTensors;
      const direct = gradsOf((x) => {
        const r = act.step(tf.squeeze(x, [0]), act.initialState(B));
        return tf.add(tf.sum(tf.mul(r.output, tf.squeeze(w, [0]))), tf.sum(r.ponderCost));
      }, xs);
      const run = gradsOf((x) => {
        const r = act.forward(x);
        return tf.add(tf.sum(tf.mul(r.outputs, w)), tf.sum(r.ponderCost));
      }, xs);
      expectSameGrads(run, direct);
      tf.dispose([run.dxs, run.value, ...Object.values(run.grads)]);
      tf.dispose([direct.dxs, direct.value, ...Object.values(direct.grads)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([xs, w]);
      act.dispose();
    });
  });
}
