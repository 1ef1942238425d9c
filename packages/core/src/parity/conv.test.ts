import { afterAll, beforeAll, describe, it } from 'vitest';
import fx from '../../fixtures/conv.json';
import { testBackends, useBackend } from '../testing/backends.js';
import { checkCase, logObserved, parityCases } from './helpers.js';

// Conv1d and Conv2d against PyTorch 1.13 (fixtures/gen_fixtures.py): output, input and parameter gradients.
for (const backend of testBackends()) {
  describe(`Conv1d and Conv2d parity (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    afterAll(() => logObserved(backend));
    for (const c of parityCases(fx)) it(c.name, () => checkCase(c, 'conv'));
  });
}
