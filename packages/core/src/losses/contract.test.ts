import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchzooError, Module } from '../index.js';
import { testBackends, useBackend } from '../testing/backends.js';
import { describeModuleContract } from '../testing/contract.js';
import { uniformTensor } from '../testing/inputs.js';
import {
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  HuberLoss,
  KLDivLoss,
  L1Loss,
  MSELoss,
  NLLLoss,
  SmoothL1Loss,
} from './index.js';

/** Every loss module, with inputs it accepts and a pair of mismatched inputs it must reject. */
const LOSSES: {
  name: string;
  cls: new () => Module & { forward(a: tf.Tensor, b: tf.Tensor): tf.Tensor };
  input: () => tf.Tensor[];
  bad: () => tf.Tensor[];
}[] = [
  {
    name: 'CrossEntropyLoss',
    cls: CrossEntropyLoss,
    input: () => [uniformTensor([4, 3], 1), tf.tensor1d([0, 2, 1, 2], 'int32')],
    bad: () => [tf.zeros([4, 3]), tf.tensor1d([0, 1, 1], 'int32')],
  },
  {
    name: 'NLLLoss',
    cls: NLLLoss,
    input: () => [
      tf.tidy(() => tf.logSoftmax(uniformTensor([4, 3], 2))),
      tf.tensor1d([1, 0, 2, 2], 'int32'),
    ],
    bad: () => [tf.zeros([4, 3]), tf.tensor1d([0, 1, 1, 1], 'float32')],
  },
  {
    name: 'BCEWithLogitsLoss',
    cls: BCEWithLogitsLoss,
    input: () => [uniformTensor([3, 2], 3), tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2])],
    bad: () => [tf.zeros([3, 2]), tf.zeros([3, 3])],
  },
  {
    name: 'KLDivLoss',
    cls: KLDivLoss,
    input: () => [
      tf.tidy(() => tf.logSoftmax(uniformTensor([3, 4], 4))),
      tf.tidy(() => tf.softmax(uniformTensor([3, 4], 5))),
    ],
    bad: () => [tf.zeros([3, 4]), tf.zeros([4, 3])],
  },
  {
    name: 'MSELoss',
    cls: MSELoss,
    input: () => [uniformTensor([3, 2], 6), uniformTensor([3, 2], 7)],
    bad: () => [tf.zeros([3, 2]), tf.zeros([2, 3])],
  },
  {
    name: 'L1Loss',
    cls: L1Loss,
    input: () => [uniformTensor([3, 2], 8), uniformTensor([3, 2], 9)],
    bad: () => [tf.zeros([3, 2]), tf.zeros([3])],
  },
  {
    name: 'SmoothL1Loss',
    cls: SmoothL1Loss,
    input: () => [uniformTensor([3, 2], 10), uniformTensor([3, 2], 11)],
    bad: () => [tf.zeros([3, 2]), tf.zeros([3, 2], 'int32')],
  },
  {
    name: 'HuberLoss',
    cls: HuberLoss,
    input: () => [uniformTensor([3, 2], 12), uniformTensor([3, 2], 13)],
    bad: () => [tf.zeros([3, 2]), tf.zeros([1, 2, 3])],
  },
];

describe('coverage', () => {
  it('every loss module exported by @archzoo/core is covered here', async () => {
    const core = await import('../index.js');
    const lossModules = Object.values(await import('./index.js')).filter(
      (v) => typeof v === 'function' && v.prototype instanceof Module,
    );
    expect(lossModules.length).toBe(LOSSES.length);
    for (const cls of lossModules) {
      expect(LOSSES.map((l) => l.cls)).toContain(cls);
      expect(Object.values(core)).toContain(cls);
    }
  });
});

for (const backend of testBackends()) {
  describe(backend, () => {
    beforeAll(() => useBackend(backend));

    for (const l of LOSSES) {
      describeModuleContract(l.name, {
        make: () => new l.cls(),
        input: l.input,
        outputShape: () => [],
        gradInputs: [0],
        randomInit: false,
      });

      it(`${l.name} rejects mismatched inputs with an error naming the loss`, () => {
        const [a, b] = l.bad();
        const before = tf.memory().numTensors;
        let err: unknown;
        try {
          new l.cls().forward(a!, b!);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ArchzooError);
        expect((err as Error).message.toLowerCase()).toMatch(/expected/);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([a!, b!]);
      });
    }
  });
}
