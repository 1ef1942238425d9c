import { testBackends, useBackend } from '@archzoo/core/testing';
import { afterAll, beforeAll, describe, it } from 'vitest';
import fx from '../../fixtures/rnn.json';
import { checkCase, logObserved, parityCases } from './rnn_harness.js';

// nn.RNN, nn.LSTM, nn.GRU and their cells against PyTorch 1.13 (fixtures/gen_fixtures.py):
// outputs, final states, and the gradients of the input, the initial states and every parameter;
// 1 and 2 layers, bidirectional, batchFirst, per-sample lengths (pack_padded_sequence), projSize.
for (const backend of testBackends()) {
  describe(`recurrent parity (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    afterAll(() => logObserved(backend));
    for (const c of parityCases(fx)) it(c.name, () => checkCase(c));
  });
}
