import { type FxTensor, testBackends, toTensor, useBackend } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import actFx from '../../fixtures/act.json';
import { AdaptiveComputationTime } from '../act.js';
import { ConvLSTMCell, type ConvLSTMCellOptions } from '../conv_lstm.js';
import { GatedRNNCell, type GatedRNNCellOptions } from '../gated.js';
import {
  cases,
  checkExoticCase,
  type ExoticCase,
  logObserved,
  weightedSum,
} from './exotic_helpers.js';

// Adaptive Computation Time against Graves (2016) written in torch ops (fixtures/gen_exotic.py):
// pondered outputs, final state, N(t), R(t), the ponder cost, and the gradients of
// L = sum(outputs * R) + sum(ponderCost * R_p). The fixture's inputs keep every halting decision
// at least `minMargin` (> 2e-3) away from the threshold 1 - ε, so float32 decides as float64 does.

interface ActCase extends ExoticCase {
  options: {
    maxPonderSteps: number;
    epsilon: number;
    cellOptions: Record<string, unknown>;
    haltingInputSize?: number;
  };
  ponderTarget: FxTensor;
}

function build(c: ActCase): AdaptiveComputationTime {
  const o = c.options;
  const cell = c.name.includes('ConvLSTM')
    ? new ConvLSTMCell(o.cellOptions as unknown as ConvLSTMCellOptions)
    : new GatedRNNCell(o.cellOptions as unknown as GatedRNNCellOptions);
  return new AdaptiveComputationTime({
    cell,
    maxPonderSteps: o.maxPonderSteps,
    epsilon: o.epsilon,
    haltingInputSize: o.haltingInputSize,
  });
}

for (const backend of testBackends()) {
  describe(`ACT parity (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    afterAll(() => logObserved(backend));
    for (const c of cases<ActCase>(actFx)) {
      it(c.name, () => {
        const act = build(c);
        checkExoticCase(c, 'act', act, (xs, state) => {
          const r = act.forward(xs, { state });
          const loss = tf.tidy(
            () =>
              tf.add(
                weightedSum(r.outputs, c.target),
                tf.sum(tf.mul(r.ponderCost, toTensor(c.ponderTarget))),
              ) as tf.Scalar,
          );
          return {
            outputs: r.outputs,
            state: r.state,
            loss,
            extra: { steps: r.steps, remainders: r.remainders, ponderCost: r.ponderCost },
          };
        });
      });
    }
  });
}
