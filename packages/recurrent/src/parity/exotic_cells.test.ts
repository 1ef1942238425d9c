import { testBackends, toTensor, useBackend } from '@archzoo/core/testing';
import { afterAll, beforeAll, describe, it } from 'vitest';
import convLstmFx from '../../fixtures/conv_lstm.json';
import gatedFx from '../../fixtures/gated.json';
import leakyFx from '../../fixtures/leaky.json';
import minimalFx from '../../fixtures/minimal_rnn.json';
import type { RecurrentCell } from '../cell.js';
import { ConvLSTMCell, type ConvLSTMCellOptions } from '../conv_lstm.js';
import { GatedRNNCell, type GatedRNNCellOptions } from '../gated.js';
import { LeakyRNNCell, type LeakyRNNCellOptions } from '../leaky.js';
import { MinimalRNNCell, type MinimalRNNCellOptions } from '../minimal_rnn.js';
import { runCell } from '../run_cell.js';
import {
  cases,
  checkExoticCase,
  type ExoticCase,
  logObserved,
  weightedSum,
} from './exotic_helpers.js';

// Leaky, gated, MinimalRNN and ConvLSTM cells against their papers' equations written in torch
// ops (fixtures/gen_exotic.py, float64): outputs over a sequence, final state and the gradients
// of L = sum(outputs * R) with respect to the inputs, the initial state and every parameter.

function build(
  c: ExoticCase,
): RecurrentCell & (LeakyRNNCell | GatedRNNCell | MinimalRNNCell | ConvLSTMCell) {
  switch (c.cell) {
    case 'LeakyRNNCell':
      return new LeakyRNNCell(c.options as unknown as LeakyRNNCellOptions);
    case 'GatedRNNCell':
      return new GatedRNNCell(c.options as unknown as GatedRNNCellOptions);
    case 'MinimalRNNCell':
      return new MinimalRNNCell(c.options as unknown as MinimalRNNCellOptions);
    case 'ConvLSTMCell':
      return new ConvLSTMCell(c.options as unknown as ConvLSTMCellOptions);
    default:
      throw new Error(`no cell ${c.cell}`);
  }
}

const families: [string, unknown][] = [
  ['leaky', leakyFx],
  ['gated', gatedFx],
  ['minimal', minimalFx],
  ['convlstm', convLstmFx],
];

for (const backend of testBackends()) {
  describe(`recurrent cells parity (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    afterAll(() => logObserved(backend));
    for (const [family, fx] of families) {
      for (const c of cases(fx)) {
        it(c.name, () => {
          const cell = build(c);
          const mask = c.inputs.mask ? toTensor(c.inputs.mask as never) : undefined;
          try {
            checkExoticCase(c, family, cell, (xs, state) => {
              const r = runCell(cell, xs, { state, mask });
              return { ...r, loss: weightedSum(r.outputs, c.target) };
            });
          } finally {
            mask?.dispose();
          }
        });
      }
    }
  });
}
