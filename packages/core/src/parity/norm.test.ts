import { afterAll, beforeAll, describe, it } from 'vitest';
import fx from '../../fixtures/norm.json';
import { testBackends, useBackend } from '../testing/backends.js';
import { checkCase, logObserved, parityCases } from './helpers.js';

// LayerNorm and GroupNorm against PyTorch 1.13 (fixtures/gen_fixtures.py): output, input and parameter gradients.
for (const backend of testBackends()) {
  describe(`LayerNorm and GroupNorm parity (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    afterAll(() => logObserved(backend));
    for (const c of parityCases(fx)) it(c.name, () => checkCase(c, 'norm'));
  });
}
