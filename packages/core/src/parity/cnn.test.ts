import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fx from '../../fixtures/cnn.json';
import { BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../index.js';
import { testBackends, useBackend } from '../testing/backends.js';
import { toTensor } from '../testing/fixtures.js';
import { channelsLast, checkCase, logObserved, parityCases, stateToTensors } from './helpers.js';

/**
 * The archzoo twin of the fixture's
 * nn.Sequential(Conv2d(3, 4, 3, padding=1), BatchNorm2d(4), ReLU(), MaxPool2d(2), Conv2d(4, 6, 3),
 * ReLU(), Flatten(), Linear(54, 5)): same child indices, so torch's state dict loads unchanged.
 * Linear's 54 inputs are torch's (C, H, W) order, which Flatten's default 'torch' order reproduces.
 */
function smallCnn(flattenOrder: 'torch' | 'native' = 'torch'): Sequential {
  return new Sequential(
    new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, padding: 1 }),
    new BatchNorm2d({ numFeatures: 4 }),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Conv2d({ inChannels: 4, outChannels: 6, kernelSize: 3 }),
    new ReLU(),
    new Flatten({ order: flattenOrder }),
    new Linear({ inFeatures: 6 * 3 * 3, outFeatures: 5 }),
  );
}

const cases = parityCases(fx);

for (const backend of testBackends()) {
  describe(`small CNN parity (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    afterAll(() => logObserved(backend));

    for (const c of cases) it(c.name, () => checkCase(c, 'cnn', () => smallCnn()));

    it("Flatten's torch order is what makes the torch Linear weights fit", () => {
      const c = cases.find((k) => k.mode === 'eval')!;
      const native = smallCnn('native').eval();
      const state = stateToTensors(c.state);
      native.loadStateDict(state);
      const ref = c.output.data;
      const err = tf.tidy(() => {
        const y = native.forward(channelsLast(toTensor(c.input))).dataSync();
        return Math.max(...ref.map((r, i) => Math.abs(r - y[i]!)));
      });
      // The same weights read in (H, W, C) order give a visibly different answer.
      expect(err).toBeGreaterThan(1e-2);
      tf.dispose(Object.values(state));
      native.dispose();
    });
  });
}
