import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import adagradFx from '../../fixtures/optim/adagrad.json' with { type: 'json' };
import adamFx from '../../fixtures/optim/adam.json' with { type: 'json' };
import adamwFx from '../../fixtures/optim/adamw.json' with { type: 'json' };
import rmspropFx from '../../fixtures/optim/rmsprop.json' with { type: 'json' };
import sgdFx from '../../fixtures/optim/sgd.json' with { type: 'json' };
import { ArchzooError } from '../errors.js';
import { Linear } from '../layers/linear.js';
import { crossEntropy } from '../losses/index.js';
import { Module } from '../module.js';
import '../register.js';
import { testBackends, useBackend } from '../testing/backends.js';
import {
  Adagrad,
  type AdagradOptions,
  Adam,
  type AdamOptions,
  AdamW,
  type Optimizer,
  type OptimizerOptions,
  type ParamGroup,
  RMSprop,
  type RMSpropOptions,
  SGD,
  type SGDOptions,
} from './index.js';

// Optimizers against torch 1.13 (fixtures/gen_optim_fixtures.py): a 2-layer MLP with fixed init
// and data, 5 steps per case. Parameters are in torch layout ([out, in] weights).

/** A tensor in a fixture: flat row-major data. */
interface FxTensor {
  shape: number[];
  data: number[];
  dtype?: string;
}

/** One torch run: options (torch's snake_case), optional groups, 5 steps, final state_dict. */
interface OptimCase {
  name: string;
  kwargs: Record<string, unknown>;
  groups: ({ params: number[] } & Record<string, unknown>)[] | null;
  steps: { loss: number; grads: FxTensor[]; params: FxTensor[] }[];
  stateDict: {
    state: Record<string, Record<string, FxTensor | number | null>>;
    param_groups: Record<string, unknown>[];
  };
}

/** The MLP every case trains: fc1 (4 -> 5), tanh, fc2 (5 -> 3), cross-entropy on 8 samples. */
interface OptimFixture {
  model: { x: FxTensor; y: FxTensor; names: string[]; params: FxTensor[] };
  cases: OptimCase[];
}

type Params = tf.Variable[] | ParamGroup<OptimizerOptions>[];
// The fixture's option keys are exactly each class's options.
const OPTIMIZERS = {
  sgd: (p: Params, o: OptimizerOptions) => new SGD(p, o as SGDOptions),
  adam: (p: Params, o: OptimizerOptions) => new Adam(p, o as AdamOptions),
  adamw: (p: Params, o: OptimizerOptions) => new AdamW(p, o as AdamOptions),
  rmsprop: (p: Params, o: OptimizerOptions) => new RMSprop(p, o as RMSpropOptions),
  adagrad: (p: Params, o: OptimizerOptions) => new Adagrad(p, o as AdagradOptions),
} as const;
type OptimizerName = keyof typeof OPTIMIZERS;

function toTensor(t: FxTensor): tf.Tensor {
  return tf.tensor(t.data, t.shape, t.dtype === 'int32' ? 'int32' : 'float32');
}

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function camelKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]));
}

/** The archzoo optimizer of a torch case, over `params` (in torch's parameter order). */
function makeOptimizer(
  name: OptimizerName,
  c: OptimCase,
  params: tf.Variable[],
): Optimizer<OptimizerOptions> {
  const opts: OptimizerOptions = { ...camelKeys(c.kwargs), lr: c.kwargs.lr as number };
  const groups = c.groups
    ? c.groups.map((g) => ({ ...camelKeys(g), params: g.params.map((i) => params[i]!) }))
    : params;
  return OPTIMIZERS[name](groups, opts);
}

/** Max |a - b| over a tensor and a fixture tensor of the same shape. */
function maxErr(actual: tf.Tensor, expected: FxTensor): number {
  if (actual.shape.join() !== expected.shape.join()) {
    throw new Error(`shape [${actual.shape}] vs fixture [${expected.shape}]`);
  }
  const a = actual.dataSync();
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - expected.data[i]!);
    if (Number.isNaN(d)) return Number.NaN;
    m = Math.max(m, d);
  }
  return m;
}

const FIXTURES: Record<OptimizerName, OptimFixture> = {
  sgd: sgdFx as OptimFixture,
  adam: adamFx as OptimFixture,
  adamw: adamwFx as OptimFixture,
  rmsprop: rmspropFx as OptimFixture,
  adagrad: adagradFx as OptimFixture,
};
const TOL = 1e-5;

/** Fresh variables holding the fixture model's initial parameters. */
function initialParams(fx: OptimFixture): tf.Variable[] {
  return fx.model.params.map((p) => tf.variable(toTensor(p)));
}

/** Steps `opt` with torch's recorded gradients for steps [from, to); returns the max param error. */
function replay(
  opt: Optimizer<OptimizerOptions>,
  params: tf.Variable[],
  c: OptimCase,
  from: number,
  to: number,
): number {
  let err = 0;
  for (let s = from; s < to; s++) {
    const step = c.steps[s]!;
    const grads = new Map(params.map((p, i) => [p, toTensor(step.grads[i]!)]));
    opt.step(grads);
    tf.dispose([...grads.values()]);
    params.forEach((p, i) => {
      err = Math.max(err, maxErr(p, step.params[i]!));
    });
  }
  return err;
}

/** fc1 (4 -> 5), tanh, fc2 (5 -> 3): the fixture's torch model. */
class MLP extends Module {
  fc1 = new Linear({ inFeatures: 4, outFeatures: 5 });
  fc2 = new Linear({ inFeatures: 5, outFeatures: 3 });
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc2.forward(tf.tanh(this.fc1.forward(x))));
  }
}

for (const backend of testBackends()) {
  describe(`optimizers vs torch (${backend})`, () => {
    const observed = { replay: 0, state: 0, e2e: 0 };
    beforeAll(() => useBackend(backend));
    afterAll(() =>
      console.log(
        `[optim] ${backend}: max param err replaying torch grads ${observed.replay.toExponential(2)}, ` +
          `state (relative to each tensor's max) ${observed.state.toExponential(2)}, training with tfjs grads ${observed.e2e.toExponential(2)}`,
      ),
    );

    for (const name of Object.keys(OPTIMIZERS) as OptimizerName[]) {
      const fx = FIXTURES[name];
      for (const c of fx.cases) {
        it(`${name} ${c.name}: 5 steps with torch's gradients give torch's parameters and state_dict`, () => {
          const params = initialParams(fx);
          const opt = makeOptimizer(name, c, params);
          const err = replay(opt, params, c, 0, c.steps.length);
          observed.replay = Math.max(observed.replay, err);
          expect(err).toBeLessThanOrEqual(TOL);

          const sd = opt.stateDict();
          expect(sd.param_groups).toEqual(c.stateDict.param_groups);
          expect(Object.keys(sd.state)).toEqual(Object.keys(c.stateDict.state));
          for (const [i, want] of Object.entries(c.stateDict.state)) {
            const got = sd.state[Number(i)]!;
            expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
            for (const [k, v] of Object.entries(want)) {
              const g = got[k];
              if (v === null || typeof v === 'number') {
                expect(g).toBe(v);
              } else {
                // relative to the tensor's scale: exp_avg_sq is ~1e-5, momentum buffers up to ~30
                const scale = Math.max(...v.data.map(Math.abs), 1e-30);
                const e = maxErr(g as tf.Tensor, v) / scale;
                observed.state = Math.max(observed.state, e);
                expect(e).toBeLessThanOrEqual(TOL);
              }
            }
          }

          // save after 3 steps, restore into a fresh optimizer over fresh variables, finish the run
          const params2 = c.steps[2]!.params.map((p) => tf.variable(toTensor(p)));
          const opt2 = makeOptimizer(name, { ...c, kwargs: { ...c.kwargs, lr: 123 } }, params2);
          const mid = makeOptimizer(name, c, initialParams(fx));
          replay(
            mid,
            mid.paramGroups.flatMap((g) => g.params),
            c,
            0,
            3,
          );
          const midSd = mid.stateDict();
          opt2.loadStateDict(midSd);
          expect(opt2.paramGroups.map((g) => g.lr)).toEqual(
            c.stateDict.param_groups.map((g) => g.lr),
          );
          const err2 = replay(opt2, params2, c, 3, 5);
          expect(err2).toBeLessThanOrEqual(TOL);

          for (const s of [sd, midSd])
            for (const st of Object.values(s.state))
              tf.dispose(Object.values(st).filter((v) => v instanceof tf.Tensor));
          for (const o of [opt, opt2, mid]) {
            o.dispose();
            for (const g of o.paramGroups) tf.dispose(g.params);
          }
        });
      }
    }

    const e2eCases: [OptimizerName, string][] = [
      ['sgd', 'nesterov_wd'],
      ['adam', 'amsgrad_wd'],
      ['adamw', 'groups'],
      ['rmsprop', 'centered_momentum_wd'],
      ['adagrad', 'options'],
    ];
    for (const [name, caseName] of e2eCases) {
      it(`${name} ${caseName}: training an archzoo MLP with tf.variableGrads follows torch`, () => {
        const fx = FIXTURES[name];
        const c = fx.cases.find((k) => k.name === caseName)!;
        const model = new MLP();
        const init = Object.fromEntries(
          fx.model.names.map((n, i) => [n, toTensor(fx.model.params[i]!)]),
        );
        model.loadStateDict(init);
        tf.dispose(Object.values(init));
        const x = toTensor(fx.model.x);
        const y = toTensor(fx.model.y);
        const opt = makeOptimizer(name, c, model.parameters());
        for (const step of c.steps) {
          const { value, grads } = tf.variableGrads(
            () => crossEntropy(model.forward(x), y) as tf.Scalar,
            model.parameters(),
          );
          expect(Math.abs(value.dataSync()[0]! - step.loss)).toBeLessThan(TOL);
          opt.step(grads);
          tf.dispose([value, grads]);
          const sd = model.stateDict();
          fx.model.names.forEach((n, i) => {
            const e = maxErr(sd[n]!, step.params[i]!);
            observed.e2e = Math.max(observed.e2e, e);
            expect(e).toBeLessThanOrEqual(TOL);
          });
          tf.dispose(Object.values(sd));
        }
        opt.dispose();
        model.dispose();
        tf.dispose([x, y]);
      });
    }
  });

  describe(`optimizers: memory and API (${backend})`, () => {
    beforeAll(() => useBackend(backend));
    const fx = FIXTURES.adam;

    const makers: [string, (p: tf.Variable[]) => Optimizer<OptimizerOptions>][] = [
      ['SGD', (p) => new SGD(p, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4 })],
      ['Adam', (p) => new Adam(p, { lr: 1e-3, amsgrad: true, weightDecay: 1e-4 })],
      ['AdamW', (p) => new AdamW(p, { lr: 1e-3 })],
      ['RMSprop', (p) => new RMSprop(p, { momentum: 0.9, centered: true, weightDecay: 1e-4 })],
      ['Adagrad', (p) => new Adagrad(p, { lrDecay: 0.01, weightDecay: 1e-4 })],
    ];
    for (const [name, make] of makers) {
      it(`${name}: 200 steps leak no tensor`, () => {
        const model = new MLP();
        const x = toTensor(fx.model.x);
        const y = toTensor(fx.model.y);
        const opt = make(model.parameters());
        const train = () => {
          const { value, grads } = tf.variableGrads(
            () => crossEntropy(model.forward(x), y) as tf.Scalar,
            model.parameters(),
          );
          opt.step(grads);
          tf.dispose([value, grads]);
        };
        train(); // the first step creates the state
        const before = tf.memory().numTensors;
        for (let i = 0; i < 200; i++) train();
        expect(tf.memory().numTensors).toBe(before);
        const loss = crossEntropy(model.forward(x), y);
        expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
        opt.dispose();
        model.dispose();
        tf.dispose([x, y, loss]);
      });
    }

    it('accepts the NamedTensorMap of tf.variableGrads and skips parameters without a gradient', () => {
      const a = tf.variable(tf.tensor1d([1, 2]));
      const b = tf.variable(tf.tensor1d([3]));
      const opt = new SGD([a, b], { lr: 0.5 });
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(a)), [a]);
      opt.step(grads);
      expect(Array.from(a.dataSync())).toEqual([0, 0]); // a - 0.5 * 2a
      expect(Array.from(b.dataSync())).toEqual([3]);
      tf.dispose([grads, a, b]);
    });

    it('rejects bad options, groups, gradients and state dicts with ArchzooError', () => {
      const a = tf.variable(tf.zeros([2, 3]));
      const b = tf.variable(tf.zeros([3]));
      expect(() => new SGD([a], { lr: 0.1, nesterov: true })).toThrow(
        /nesterov \(defaults\) requires momentum > 0 and dampening 0/,
      );
      expect(() => new Adam([a], { betas: [0.9, 1] })).toThrow(
        /Adam: option betas \(defaults\) expected two numbers in \[0, 1\)/,
      );
      expect(() => new RMSprop([a], { lr: -1 })).toThrow(
        /RMSprop: option lr \(defaults\) expected a finite number >= 0/,
      );
      expect(() => new Adam([{ params: [a] }, { params: [a, b] }])).toThrow(
        /appears in more than one parameter group/,
      );
      expect(
        () => new Adam([{ params: [a] }, { params: [b], eps: -1 } as ParamGroup<OptimizerOptions>]),
      ).toThrow(/eps \(param group 1\)/);
      expect(() => new Adagrad([])).toThrow(ArchzooError);
      const opt = new Adam([a, b], { lr: 0.1 });
      expect(() => opt.step(new Map([[a, tf.zeros([3, 2])]]))).toThrow(
        /gradient of '.*' expected float32 \[2, 3\], got float32 \[3, 2\]/,
      );
      expect(() => opt.step({ 'fc1.weight': tf.zeros([2, 3]) })).toThrow(
        /none of the 1 gradients belongs to this optimizer's parameters/,
      );
      // a failed step changes nothing
      expect(() =>
        opt.step(
          new Map<tf.Variable, tf.Tensor>([
            [b, tf.ones([3])],
            [a, tf.ones([2])],
          ]),
        ),
      ).toThrow(ArchzooError);
      expect(Array.from(b.dataSync())).toEqual([0, 0, 0]);
      opt.step(new Map([[a, tf.ones([2, 3])]]));
      const sd = opt.stateDict();
      expect(Object.keys(sd.state)).toEqual(['0']);
      const other = new Adam([a, b]);
      const bad = { ...sd, state: { 0: { ...sd.state[0]!, exp_avg: tf.zeros([3]) } } };
      expect(() => other.loadStateDict(bad)).toThrow(
        /state\[0\]\.exp_avg: expected float32 \[2, 3\], got float32 \[3\]/,
      );
      expect(other.paramGroups[0]!.lr).toBe(1e-3); // unchanged
      expect(() => other.loadStateDict({ ...sd, param_groups: [] })).toThrow(
        /param_groups expected 1 group/,
      );
      other.loadStateDict(sd);
      expect(other.paramGroups[0]!.lr).toBe(0.1);
      tf.dispose([a, b]);
    });
  });
}
