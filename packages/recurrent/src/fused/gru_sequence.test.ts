import { gruSequence } from '../sequence_ops.js';
import { fusedGruSequence } from './gru_sequence.js';
import { gruReference } from './testing/reference.js';
import { sequenceSuite } from './testing/suite.js';

// The suite of testing/suite.ts (reference values and gradients, finite differences, memory) on
// the GRU, which has no cell state: no c0 gradient, no c result.
sequenceSuite({
  cell: 'GRU',
  fused: { name: 'fusedGruSequence', op: fusedGruSequence },
  dispatching: { name: 'gruSequence', op: gruSequence },
  reference: gruReference,
  seeds: {
    cases: 11,
    partial: 12,
    finiteDifferences: 13,
    leak: 14,
    inference: 21,
    dispatching: 21,
  },
  partial: {
    name: 'gives the right gradients when only the output or only h is used',
    terms: [
      { output: true, h: false, c: false },
      { output: false, h: true, c: false },
    ],
  },
});
