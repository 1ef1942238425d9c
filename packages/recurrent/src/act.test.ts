import { ArchzooError, Generator, Module } from '@archzoo/core';
import {
  describeModuleContract,
  testBackends,
  uniformTensor,
  useBackend,
} from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdaptiveComputationTime } from './act.js';
import type { CellState, RecurrentCell } from './cell.js';
import { ConvLSTMCell } from './conv_lstm.js';
import { GatedRNNCell } from './gated.js';
import { MinimalRNNCell } from './minimal_rnn.js';
import { runCell } from './run_cell.js';

/** A parameter-free cell whose output and state are its input's first feature: h' = x[:, 0]. */
class EchoCell extends Module implements RecurrentCell {
  readonly inputSize = 2;
  readonly hiddenSize = 1;
  initialState(batch: number): CellState {
    return [tf.zeros([batch, 1])];
  }
  step(x: tf.Tensor): { output: tf.Tensor; state: CellState } {
    const h = tf.slice(x, [0, 0], [-1, 1]);
    return { output: h, state: [h] };
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.step(x).output;
  }
}

const logit = (p: number) => Math.log(p / (1 - p));

/** ACT around EchoCell with h_n = σ(y) = σ(x): halting probabilities chosen per sample. */
function echoAct(maxPonderSteps: number): AdaptiveComputationTime {
  const act = new AdaptiveComputationTime({ cell: new EchoCell(), maxPonderSteps, haltingBias: 0 });
  act.halting.weight.assign(tf.ones([1, 1]));
  return act;
}

for (const backend of testBackends()) {
  describe(backend, () => {
    beforeAll(() => useBackend(backend));

    // Halting bias 3: h ≈ 0.9 to 0.98, so every sample halts at n = 2, far from the threshold.
    describeModuleContract('AdaptiveComputationTime over GatedRNNCell (halts early)', {
      make: (generator) =>
        new AdaptiveComputationTime({
          cell: new GatedRNNCell({ inputSize: 3, hiddenSize: 4, generator }),
          maxPonderSteps: 5,
          haltingBias: 3,
          generator,
        }),
      input: () => uniformTensor([3, 2, 2], 41),
      outputShape: () => [[3, 2, 4], [2, 4], [3, 2], [3, 2], [2]],
    });
    // Halting bias -3: h ≈ 0.05, so every sample runs the M = 3 steps and R carries the gradient.
    describeModuleContract('AdaptiveComputationTime over MinimalRNNCell (hits M)', {
      make: (generator) =>
        new AdaptiveComputationTime({
          cell: new MinimalRNNCell({ inputSize: 3, hiddenSize: 4, generator }),
          maxPonderSteps: 3,
          haltingBias: -3,
          generator,
        }),
      input: () => uniformTensor([2, 2, 2], 42),
      outputShape: () => [[2, 2, 4], [2, 4], [2, 2], [2, 2], [2]],
    });

    describe('AdaptiveComputationTime semantics', () => {
      it('samples halt at their own N(t), with R(t) = 1 - Σ_{n<N} h_n and ρ = N + R', () => {
        const act = echoAct(10);
        // sample 0: h = 0.3 -> 0.3, 0.6, 0.9, 1.2 >= 0.99: N = 4, R = 0.1; sample 1: h = 0.6 -> N = 2, R = 0.4
        const x = tf.tensor2d([[logit(0.3)], [logit(0.6)]]);
        const s = act.initialState(2);
        const r = act.step(x, s);
        expect(Array.from(r.steps.dataSync())).toEqual([4, 2]);
        const rem = r.remainder.dataSync();
        expect(rem[0]).toBeCloseTo(0.1, 5);
        expect(rem[1]).toBeCloseTo(0.4, 5);
        const rho = r.ponderCost.dataSync();
        expect(rho[0]).toBeCloseTo(4.1, 5);
        expect(rho[1]).toBeCloseTo(2.4, 5);
        // Σ p_n = 1, and every y_n equals x, so the pondered output is x again.
        expect(Array.from(r.output.dataSync())[0]).toBeCloseTo(logit(0.3), 5);
        expect(Array.from(r.output.dataSync())[1]).toBeCloseTo(logit(0.6), 5);
        tf.dispose([x, ...s, r.output, ...r.state, r.steps, r.remainder, r.ponderCost]);
        act.dispose();
      });

      it('maxPonderSteps caps N, and R then takes the rest of the probability', () => {
        const act = echoAct(3);
        const x = tf.tensor2d([[logit(0.3)], [logit(0.6)]]);
        const s = act.initialState(2);
        const r = act.step(x, s);
        expect(Array.from(r.steps.dataSync())).toEqual([3, 2]);
        expect(r.remainder.dataSync()[0]).toBeCloseTo(0.4, 5); // 1 - 0.3 - 0.3
        tf.dispose([x, ...s, r.output, ...r.state, r.steps, r.remainder, r.ponderCost]);
        act.dispose();
      });

      it('the ponder cost differentiates through R only: dρ/db_h = -Σ_{n<N} h_n (1 - h_n)', () => {
        const act = echoAct(10);
        const x = tf.tensor2d([[logit(0.3)]]);
        const s = act.initialState(1);
        const { value, grads } = tf.variableGrads(
          () => tf.sum(act.step(x, s).ponderCost) as tf.Scalar,
          [act.halting.bias!],
        );
        expect(value.dataSync()[0]).toBeCloseTo(4.1, 5);
        expect(grads[act.halting.bias!.name]!.dataSync()[0]).toBeCloseTo(-3 * 0.3 * 0.7, 5);
        tf.dispose([x, ...s, value, ...Object.values(grads)]);
        act.dispose();
      });

      it('is a RecurrentCell: runCell steps it like any cell', () => {
        const act = new AdaptiveComputationTime({
          cell: new GatedRNNCell({ inputSize: 3, hiddenSize: 4, generator: new Generator(3) }),
          maxPonderSteps: 4,
        });
        const xs = uniformTensor([3, 2, 2], 7);
        const r = runCell(act, xs);
        expect(r.outputs.shape).toEqual([3, 2, 4]);
        tf.dispose([xs, r.outputs, ...r.state]);
        act.dispose();
      });

      it('wraps a convolutional cell: the flag is one more input channel', () => {
        const act = new AdaptiveComputationTime({
          cell: new ConvLSTMCell({ inputSize: 2, hiddenSize: 2, generator: new Generator(4) }),
          maxPonderSteps: 4,
          haltingInputSize: 3 * 3 * 2,
          generator: new Generator(5),
        });
        const xs = uniformTensor([2, 2, 3, 3, 1], 8);
        const r = act.forward(xs);
        expect(r.outputs.shape).toEqual([2, 2, 3, 3, 2]);
        expect(r.state.map((t) => t.shape)).toEqual([
          [2, 3, 3, 2],
          [2, 3, 3, 2],
        ]);
        tf.dispose([xs, r.outputs, ...r.state, r.steps, r.remainders, r.ponderCost]);
        act.dispose();
      });
    });

    describe('AdaptiveComputationTime bad input', () => {
      it('names the module, the argument, expected vs actual', () => {
        const act = new AdaptiveComputationTime({
          cell: new GatedRNNCell({ inputSize: 3, hiddenSize: 4 }),
        });
        const s = act.initialState(2);
        const x = tf.zeros([2, 3]);
        expect(() => act.step(x, s)).toThrow(
          'AdaptiveComputationTime.step: input expected last dimension (inputSize = cell.inputSize - 1) of size 2, got 3 (shape [2, 3])',
        );
        expect(() => act.step(tf.zeros([2, 2]), [])).toThrow(
          'AdaptiveComputationTime.step: state expected a non-empty array of tensors (the cell state), got object',
        );
        expect(() => act.forward(tf.zeros([2, 2]))).toThrow(ArchzooError);
        expect(() => new AdaptiveComputationTime({ cell: new EchoCell(), epsilon: 0 })).toThrow(
          'AdaptiveComputationTime: option epsilon expected a number in (0, 1), got 0',
        );
        expect(() => new AdaptiveComputationTime({ cell: {} as never })).toThrow(
          'AdaptiveComputationTime: option cell expected a RecurrentCell Module (with step and initialState), got [object Object]',
        );
        const conv = new AdaptiveComputationTime({
          cell: new ConvLSTMCell({ inputSize: 2, hiddenSize: 2 }),
        });
        const cs = conv.initialState(1, [3, 3]);
        const cx = tf.zeros([1, 3, 3, 1]);
        expect(() => conv.step(cx, cs)).toThrow(
          'AdaptiveComputationTime.step: cell output expected 2 features per sample (haltingInputSize), got shape [1, 3, 3, 2]',
        );
        tf.dispose([...s, x, ...cs, cx]);
        act.dispose();
        conv.dispose();
      });
    });
  });
}
