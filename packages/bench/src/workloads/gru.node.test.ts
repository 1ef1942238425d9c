import { describe } from 'vitest';
import { gruB32T50H128 } from './gru.js';
import { rnnWorkloadTests } from './testing/rnn_workload.js';

describe('gru_b32_t50_h128', () => {
  rnnWorkloadTests(gruB32T50H128, { layerImpl: 'archzoo.GRU' });
});
