import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import schedFx from '../../fixtures/optim/schedulers.json' with { type: 'json' };
import { ArchzooError } from '../errors.js';
import '../register.js';
import { testBackends, useBackend } from '../testing/backends.js';
import {
  Adagrad,
  Adam,
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  type LRScheduler,
  MultiStepLR,
  OneCycleLR,
  type Optimizer,
  type OptimizerOptions,
  SGD,
  StepLR,
} from './index.js';

// LR sequences against torch 1.13 (fixtures/gen_optim_fixtures.py): two parameter groups
// (lr 0.1 and 0.01), the value after construction and after each of 25 steps, plus the
// momentum (SGD) or beta1 (Adam) that OneCycleLR cycles.

interface SchedCase {
  scheduler: string;
  optimizer: string;
  opts: Record<string, unknown>;
  lrs: number[][];
  momentum: number[][];
}

function makeOptimizer(kind: string, vars: tf.Variable[]): Optimizer<OptimizerOptions> {
  const groups = [
    { params: [vars[0]!], lr: 0.1 },
    { params: [vars[1]!], lr: 0.01 },
  ];
  return kind === 'adam'
    ? new Adam(groups, { lr: 0.1 })
    : new SGD(groups, { lr: 0.1, momentum: 0.9 });
}

function makeScheduler(c: SchedCase, opt: Optimizer<OptimizerOptions>): LRScheduler {
  const o = c.opts;
  switch (c.scheduler) {
    case 'StepLR':
      return new StepLR(opt, o as { stepSize: number; gamma?: number });
    case 'MultiStepLR':
      return new MultiStepLR(opt, o as { milestones: number[]; gamma?: number });
    case 'ExponentialLR':
      return new ExponentialLR(opt, o as { gamma: number });
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(opt, o as { tMax: number; etaMin?: number });
    case 'LinearLR':
      return new LinearLR(opt, o);
    default:
      return new OneCycleLR(opt, { ...o, maxLr: o.maxLr as number | number[] });
  }
}

const momentumOf = (opt: Optimizer<OptimizerOptions>) =>
  opt.paramGroups.map((g) => {
    const r = g as typeof g & { momentum?: number; betas?: [number, number] };
    return r.betas ? r.betas[0] : r.momentum!;
  });

/** |a - b| <= 1e-14 |b|: torch computes the same doubles; at most last-bit differences from cos. */
function expectSame(got: number[], want: number[]) {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) =>
    expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(1e-14 * Math.abs(want[i]!)),
  );
}

for (const backend of testBackends()) {
  describe(`LR schedulers vs torch (${backend})`, () => {
    let vars: tf.Variable[] = [];
    beforeAll(async () => {
      await useBackend(backend);
      vars = [tf.variable(tf.zeros([1])), tf.variable(tf.zeros([1]))];
    });

    for (const c of schedFx.cases as SchedCase[]) {
      it(`${c.scheduler} ${JSON.stringify(c.opts)} (${c.optimizer}): 25 steps equal torch's lrs and momenta`, () => {
        const opt = makeOptimizer(c.optimizer, vars);
        const sched = makeScheduler(c, opt);
        c.lrs.forEach((want, t) => {
          if (t > 0) sched.step();
          expectSame(sched.getLastLr(), want);
          expectSame(
            opt.paramGroups.map((g) => g.lr),
            want,
          );
          expectSame(momentumOf(opt), c.momentum[t]!);
        });
      });
    }

    it('resumes from a state dict', () => {
      const run = (n: number, resumeAt?: number) => {
        let opt = makeOptimizer('sgd', vars);
        let sched = new CosineAnnealingLR(opt, { tMax: 7 });
        for (let t = 1; t <= n; t++) {
          sched.step();
          if (t === resumeAt) {
            const o = opt.stateDict();
            const s = sched.stateDict();
            opt = makeOptimizer('sgd', vars);
            opt.loadStateDict(o);
            sched = new CosineAnnealingLR(opt, { tMax: 7 });
            sched.loadStateDict(s);
          }
        }
        return sched.getLastLr().concat([sched.lastEpoch]);
      };
      expect(run(12, 5)).toEqual(run(12));
    });

    it('OneCycleLR refuses to step past totalSteps; warm-up defaults follow PyTorch', () => {
      const opt = makeOptimizer('sgd', vars);
      const sched = new OneCycleLR(opt, { maxLr: 1, totalSteps: 10 });
      expect(sched.getLastLr()[0]).toBeCloseTo(1 / 25, 12); // maxLr / divFactor
      for (let i = 0; i < 9; i++) sched.step();
      expect(sched.getLastLr()[0]).toBeCloseTo(1 / 25 / 1e4, 12); // the last step: initial lr / 1e4
      sched.step(); // torch allows one more (lastEpoch = totalSteps)
      expect(() => sched.step()).toThrow(/tried to step 12 times; the schedule has totalSteps 10/);
      const warm = new LinearLR(makeOptimizer('sgd', vars));
      expect(warm.getLastLr()[0]).toBeCloseTo(0.1 / 3, 15);
    });

    it('rejects bad options with ArchzooError', () => {
      const opt = makeOptimizer('sgd', vars);
      expect(() => new StepLR(opt, { stepSize: 0 })).toThrow(
        /stepSize expected a positive integer/,
      );
      expect(() => new StepLR({} as Optimizer<OptimizerOptions>, { stepSize: 1 })).toThrow(
        /optimizer expected an archzoo Optimizer/,
      );
      expect(() => new OneCycleLR(opt, { maxLr: 1 })).toThrow(
        /give totalSteps, or epochs and stepsPerEpoch/,
      );
      expect(() => new OneCycleLR(opt, { maxLr: [1, 2, 3], totalSteps: 5 })).toThrow(
        /maxLr expected one value or 2/,
      );
      expect(() => new OneCycleLR(new Adagrad(vars), { maxLr: 1, totalSteps: 5 })).toThrow(
        ArchzooError,
      );
      expect(
        () => new OneCycleLR(new Adagrad(vars), { maxLr: 1, totalSteps: 5, cycleMomentum: false }),
      ).not.toThrow();
      expect(() => new LinearLR(opt, { startFactor: 1.5 })).toThrow(
        /startFactor expected a number in \[0, 1\]/,
      );
    });
  });
}
