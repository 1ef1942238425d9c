/**
 * The tests every fused sequence op passes, one suite for the LSTM and the GRU (as timm's
 * tests/test_models.py runs one suite over every model): on each backend with fused kernels, the
 * reference's values and gradients at every size of `CASES`, right gradients when only some
 * results enter the loss, central finite differences, no memory left behind; on every backend,
 * the dispatching op of sequence_ops.ts against the reference.
 */
import { testBackends, useBackend } from '@archzoo/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { fusedSequenceSupported } from '../register.js';
import {
  expectMatchesReference,
  expectSameGradients,
  finiteDifferenceError,
  type LossTerms,
  type SequenceOp,
  tolerance,
  weightedLoss,
} from './compare.js';
import { expectNoLeakOverTraining, expectStepMemoryFreedWithoutTape } from './memory.js';
import { CASES, differentiable, disposeArgs, randomArgs, type SizeOptions } from './reference.js';

/** Each cell's gate blocks, and whether it reads c0 (which then gets a gradient). */
const CELLS = {
  LSTM: { gates: 4, withC0: true },
  GRU: { gates: 3, withC0: false },
};

/** An op under test and its name in the describe blocks. */
export interface NamedOp {
  name: string;
  op: SequenceOp;
}

/** What the suite runs on: the cell, its ops and reference, seeds, and its one test named apart. */
export interface SequenceSuiteOptions {
  /** The cell, which sets the gate blocks and whether c0 is read (`CELLS`); in test names. */
  cell: keyof typeof CELLS;
  /** The fused op, e.g. `fusedLstmSequence`: tested on the backends with fused kernels. */
  fused: NamedOp;
  /** The op of sequence_ops.ts that runs `fused` where it can, e.g. `lstmSequence`: all backends. */
  dispatching: NamedOp;
  /** The tf-ops reference both must match (testing/reference.ts). */
  reference: SequenceOp;
  /** Seeds of each test's arguments. */
  seeds: {
    cases: number;
    partial: number;
    finiteDifferences: number;
    leak: number;
    inference: number;
    dispatching: number;
  };
  /** The test of gradients when only some results enter the loss: its name and those results. */
  partial: { name: string; terms: LossTerms[] };
  /** Tests of the cell's own, added last to the fused op's describe block on each backend. */
  moreFusedTests?: () => void;
}

/** Describes the suite's tests of `o.fused` and `o.dispatching` on their backends. */
export function sequenceSuite(o: SequenceSuiteOptions): void {
  const { gates, withC0 } = CELLS[o.cell];
  const args = (s: Omit<SizeOptions, 'gates' | 'biases' | 'mask'> & Partial<SizeOptions>) =>
    randomArgs({ gates, biases: true, mask: true, ...s });
  const { op, name } = o.fused;

  for (const backend of testBackends().filter((b) => fusedSequenceSupported(b))) {
    describe(`${name} on ${backend}`, () => {
      beforeAll(() => useBackend(backend));
      const tol = tolerance(backend); // cpu and wasm: float32 rounding

      for (const c of CASES) {
        it(`equals the tf-ops reference, forward and every gradient (${c.name}, H = ${c.H})`, () => {
          const a = args({ ...c, I: 4, seed: o.seeds.cases });
          expectMatchesReference(op, o.reference, a, { withC0, ...tol });
          disposeArgs(a);
        });
      }

      it(o.partial.name, () => {
        const a = args({ T: 4, B: 2, I: 3, H: 5, seed: o.seeds.partial });
        const wrt = differentiable(a, withC0);
        for (const terms of o.partial.terms) {
          expectSameGradients(op, o.reference, a, wrt, tol.gradient, terms);
        }
        disposeArgs(a);
      });

      it(`matches central finite differences on a tiny ${o.cell}`, () => {
        const a = args({ T: 3, B: 2, I: 2, H: 3, seed: o.seeds.finiteDifferences });
        const loss = weightedLoss(op, a);
        const { error, where } = finiteDifferenceError(loss, differentiable(a, withC0), 1e-2, 6);
        expect(error, where).toBeLessThan(5e-3);
        disposeArgs(a);
      });

      it('leaves no tensor behind over forward, backward and update, and the heap stops growing', () =>
        expectNoLeakOverTraining(op, { gates, seed: o.seeds.leak }));

      it('frees its step memory at once when no gradient is recorded (inference)', () =>
        expectStepMemoryFreedWithoutTape(op, { gates, seed: o.seeds.inference }));

      o.moreFusedTests?.();
    });
  }

  // Every backend (webgl in the browser): the fused kernels where they exist, tf ops elsewhere
  for (const backend of testBackends()) {
    describe(`${o.dispatching.name} (fused where supported) on ${backend}`, () => {
      beforeAll(() => useBackend(backend));

      it('equals the tf-ops reference, forward and every gradient', () => {
        const a = args({ T: 4, B: 3, I: 4, H: 5, seed: o.seeds.dispatching });
        const tol = tolerance(backend);
        expectMatchesReference(o.dispatching.op, o.reference, a, { withC0, ...tol });
        disposeArgs(a);
      });
    });
  }
}
