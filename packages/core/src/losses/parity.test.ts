import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bceFx from '../../fixtures/losses/bce_with_logits.json' with { type: 'json' };
import ceFx from '../../fixtures/losses/cross_entropy.json' with { type: 'json' };
import klFx from '../../fixtures/losses/kl_div.json' with { type: 'json' };
import nllFx from '../../fixtures/losses/nll.json' with { type: 'json' };
import regFx from '../../fixtures/losses/regression.json' with { type: 'json' };
import '../register.js';
import { testBackends, useBackend } from '../testing/backends.js';
import {
  bceWithLogits,
  crossEntropy,
  huberLoss,
  type KlDivReduction,
  klDiv,
  l1Loss,
  mseLoss,
  nllLoss,
  smoothL1Loss,
} from './index.js';
import type { Reduction } from './reduction.js';

// Every loss against torch 1.13 (fixtures/gen_optim_fixtures.py, float32): the loss and the
// gradient of sum(loss) w.r.t. the input, for every reduction and option. Logits are stored
// channels-last (class axis last); the generator moved them to axis 1 for torch.

interface FxTensor {
  shape: number[];
  data: number[];
  dtype?: string;
}
interface FxCase {
  name: string;
  opts: {
    reduction: string;
    weight?: boolean;
    posWeight?: boolean;
    ignoreIndex?: number;
    labelSmoothing?: number;
    loss?: string;
    beta?: number;
    delta?: number;
    logTarget?: boolean;
  };
  input: FxTensor;
  target: FxTensor;
  loss: FxTensor;
  grad: FxTensor;
  weight?: FxTensor;
  posWeight?: FxTensor;
}

/** The options of a case, with its fixture tensors. */
interface CaseOpts {
  reduction: Reduction;
  weight: tf.Tensor | null;
  posWeight: tf.Tensor | null;
  ignoreIndex?: number;
  labelSmoothing?: number;
  beta?: number;
  delta?: number;
  logTarget?: boolean;
}

const ATOL = 1e-5;
const RTOL = 1e-5;

function toTensor(t: FxTensor): tf.Tensor {
  return tf.tensor(t.data, t.shape, t.dtype === 'int32' ? 'int32' : 'float32');
}

/** Max |a - b| (where |b| <= 10) and max |a - b| / |b| (elsewhere); fails where |a - b| > ATOL + RTOL |b|. */
function compare(
  actual: tf.Tensor,
  expected: FxTensor,
  what: string,
): { abs: number; rel: number } {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  let abs = 0;
  let rel = 0;
  for (let i = 0; i < a.length; i++) {
    const e = expected.data[i]!;
    const d = Math.abs(a[i]! - e);
    if (!(d <= ATOL + RTOL * Math.abs(e)))
      throw new Error(`${what}[${i}]: got ${a[i]}, expected ${e}`);
    // absolute error where the value is O(1); relative error for the +-1e4 cases
    if (Math.abs(e) <= 10) abs = Math.max(abs, d);
    else rel = Math.max(rel, d / Math.abs(e));
  }
  return { abs, rel };
}

type LossFn = (x: tf.Tensor, t: tf.Tensor, o: CaseOpts, c: FxCase) => tf.Tensor;

function runCases(cases: FxCase[], fn: LossFn, observed: { abs: number; rel: number }) {
  for (const c of cases) {
    it(c.name, () => {
      const x = toTensor(c.input);
      const t = toTensor(c.target);
      const w = c.weight ? toTensor(c.weight) : null;
      const pw = c.posWeight ? toTensor(c.posWeight) : null;
      const opts: CaseOpts = {
        reduction: c.opts.reduction as Reduction,
        weight: w,
        posWeight: pw,
        ignoreIndex: c.opts.ignoreIndex,
        labelSmoothing: c.opts.labelSmoothing,
        beta: c.opts.beta,
        delta: c.opts.delta,
        logTarget: c.opts.logTarget,
      };
      const before = tf.memory().numTensors;
      const loss = fn(x, t, opts, c);
      const grad = tf.grad((xi: tf.Tensor) => tf.sum(fn(xi, t, opts, c)))(x);
      for (const [got, want, what] of [
        [loss, c.loss, 'loss'],
        [grad, c.grad, 'grad'],
      ] as const) {
        expect(Array.from(got.dataSync()).every(Number.isFinite)).toBe(true);
        const e = compare(got, want, what);
        observed.abs = Math.max(observed.abs, e.abs);
        observed.rel = Math.max(observed.rel, e.rel);
      }
      tf.dispose([loss, grad]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, t, ...[w, pw].filter((z): z is tf.Tensor => z !== null)]);
    });
  }
}

const regression: LossFn = (x, t, o, c) => {
  if (c.opts.loss === 'mse') return mseLoss(x, t, o);
  if (c.opts.loss === 'l1') return l1Loss(x, t, o);
  if (c.opts.loss === 'smooth_l1') return smoothL1Loss(x, t, o);
  return huberLoss(x, t, o);
};

const suites: [string, FxCase[], LossFn][] = [
  ['crossEntropy', ceFx.cases as FxCase[], (x, t, o) => crossEntropy(x, t, o)],
  ['nllLoss', nllFx.cases as FxCase[], (x, t, o) => nllLoss(x, t, o)],
  ['mse / l1 / smoothL1 / huber', regFx.cases as FxCase[], regression],
  ['bceWithLogits', bceFx.cases as FxCase[], (x, t, o) => bceWithLogits(x, t, o)],
  [
    'klDiv',
    klFx.cases as FxCase[],
    (x, t, o) => klDiv(x, t, { reduction: o.reduction as KlDivReduction, logTarget: o.logTarget }),
  ],
];

for (const backend of testBackends()) {
  describe(`loss parity with torch (${backend})`, () => {
    const observed = { abs: 0, rel: 0 };
    beforeAll(() => useBackend(backend));
    afterAll(() =>
      console.log(
        `[losses] ${backend}: max abs err ${observed.abs.toExponential(2)} (|ref| <= 10), ` +
          `max rel err ${observed.rel.toExponential(2)} (|ref| > 10)`,
      ),
    );
    for (const [name, cases, fn] of suites) describe(name, () => runCases(cases, fn, observed));
  });
}
