import { type FxTensor, testBackends, toTensor, useBackend } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import socialFx from '../../fixtures/social_lstm.json';
import { bivariateGaussianNll } from '../bivariate_gaussian.js';
import { SocialLSTM, type SocialLSTMOptions } from '../social_lstm.js';
import { socialPooling } from '../social_pooling.js';
import {
  cases,
  checkExoticCase,
  compare,
  type ExoticCase,
  GRAD_TOL,
  logObserved,
  OUTPUT_TOL,
  weightedSum,
} from './exotic_helpers.js';

// Social LSTM against Alahi et al. (2016) written in torch ops (fixtures/gen_exotic.py): two
// scenes in one batch of agents, agents leaving (presence), the occupancy-grid pooling, the
// embeddings, the shared LSTM, the Gaussian head and the bivariate Gaussian NLL, with the
// gradients of L = sum(outputs * R) + NLL(outputs, targets). Every neighbour offset is at least
// `minMargin` (in cells) from a grid-cell boundary.

interface PoolCase {
  name: string;
  options: { neighborhoodSize: number; gridSize: number };
  inputs: { positions: FxTensor; hidden: FxTensor; sceneIds: FxTensor };
  target: FxTensor;
  outputs: { pooled: FxTensor };
  grads: { hidden: FxTensor };
}

const all = cases<ExoticCase & Partial<PoolCase>>(socialFx);

for (const backend of testBackends()) {
  describe(`Social LSTM parity (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    afterAll(() => logObserved(backend));

    for (const c of all.filter((k) => k.cell === 'SocialLSTM')) {
      it(c.name, () => {
        const model = new SocialLSTM(c.options as SocialLSTMOptions);
        const sceneIds = toTensor(c.inputs.sceneIds as FxTensor);
        const presence = toTensor(c.inputs.presence as FxTensor);
        const targets = toTensor(c.inputs.targets as FxTensor);
        try {
          checkExoticCase(c, 'social', model, (xs, state) => {
            const r = model.forward(xs, { state, sceneIds, presence });
            const nll = bivariateGaussianNll(r.outputs, targets, { mask: presence });
            const loss = tf.tidy(() => tf.add(weightedSum(r.outputs, c.target), nll) as tf.Scalar);
            return { ...r, loss, extra: { nll } };
          });
        } finally {
          tf.dispose([sceneIds, presence, targets]);
        }
      });
    }

    for (const c of all.filter((k) => k.cell === undefined) as unknown as PoolCase[]) {
      it(c.name, () => {
        const positions = toTensor(c.inputs.positions);
        const sceneIds = toTensor(c.inputs.sceneIds);
        const hidden = tf.variable(toTensor(c.inputs.hidden), true);
        const r = toTensor(c.target);
        const { value, grads } = tf.variableGrads(() => {
          const pooled = socialPooling(positions, hidden, { ...c.options, sceneIds });
          compare(pooled, c.outputs.pooled, OUTPUT_TOL, `${c.name}: pooled`, 'pooling output');
          return tf.sum(tf.mul(pooled, r)) as tf.Scalar;
        }, [hidden]);
        expect(grads[hidden.name]).toBeDefined();
        compare(
          grads[hidden.name]!,
          c.grads.hidden,
          GRAD_TOL,
          `${c.name}: grad hidden`,
          'pooling grad',
        );
        tf.dispose([positions, sceneIds, hidden, r, value, ...Object.values(grads)]);
      });
    }
  });
}
