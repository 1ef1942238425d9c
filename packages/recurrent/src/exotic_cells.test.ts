import { ArchzooError, Generator, type Module } from '@archzoo/core';
import {
  describeModuleContract,
  maxAbsDiff,
  testBackends,
  uniformTensor,
  useBackend,
} from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecurrentCell } from './cell.js';
import { ConvLSTMCell } from './conv_lstm.js';
import { GatedRNNCell } from './gated.js';
import { LeakyRNNCell } from './leaky.js';
import { MinimalRNNCell } from './minimal_rnn.js';
import { runCell } from './run_cell.js';

// The contract every archzoo module keeps (shapes, gradients, seeds, leaks, state dicts, finite
// differences), run over a few time steps with runCell, plus bad input and runCell's masking.

type Cell = Module & RecurrentCell;

/** Contract of a cell stepped over xs `[T, B, ...]` by runCell: outputs `[T, B, ...]` and the final state. */
function cellContract(
  name: string,
  make: (g: Generator) => Cell,
  xsShape: number[],
  outShape: number[],
  stateShapes: number[][],
) {
  describeModuleContract(name, {
    make,
    input: () => uniformTensor(xsShape, 31),
    forward: (m, [xs]) => runCell(m, xs!),
    outputShape: () => [outShape, ...stateShapes],
  });
}

for (const backend of testBackends()) {
  describe(backend, () => {
    beforeAll(() => useBackend(backend));

    cellContract(
      'LeakyRNNCell (3 steps)',
      (generator) => new LeakyRNNCell({ inputSize: 3, hiddenSize: 4, alpha: 0.3, generator }),
      [3, 2, 3],
      [3, 2, 4],
      [[2, 4]],
    );
    cellContract(
      'LeakyRNNCell learned alpha (3 steps)',
      (generator) => new LeakyRNNCell({ inputSize: 3, hiddenSize: 4, learnAlpha: true, generator }),
      [3, 2, 3],
      [3, 2, 4],
      [[2, 4]],
    );
    cellContract(
      'GatedRNNCell (3 steps)',
      (generator) => new GatedRNNCell({ inputSize: 3, hiddenSize: 4, generator }),
      [3, 2, 3],
      [3, 2, 4],
      [[2, 4]],
    );
    cellContract(
      'MinimalRNNCell (3 steps)',
      (generator) => new MinimalRNNCell({ inputSize: 3, hiddenSize: 4, generator }),
      [3, 2, 3],
      [3, 2, 4],
      [[2, 4]],
    );
    cellContract(
      'ConvLSTMCell k3 (2 steps)',
      (generator) => new ConvLSTMCell({ inputSize: 2, hiddenSize: 2, kernelSize: 3, generator }),
      [2, 2, 4, 4, 2],
      [2, 2, 4, 4, 2],
      [
        [2, 4, 4, 2],
        [2, 4, 4, 2],
      ],
    );
    cellContract(
      'ConvLSTMCell peepholes (2 steps)',
      (generator) =>
        new ConvLSTMCell({
          inputSize: 1,
          hiddenSize: 2,
          kernelSize: [3, 2],
          peephole: true,
          spatialSize: [3, 4],
          generator,
        }),
      [2, 2, 3, 4, 1],
      [2, 2, 3, 4, 2],
      [
        [2, 3, 4, 2],
        [2, 3, 4, 2],
      ],
    );

    describe('runCell', () => {
      it('padded steps keep the state and output zeros', () => {
        const cell = new GatedRNNCell({ inputSize: 2, hiddenSize: 3, generator: new Generator(1) });
        const xs = uniformTensor([4, 2, 2], 5);
        // sample 0 has 4 real steps, sample 1 only 2
        const mask = tf.tensor2d([
          [1, 1],
          [1, 1],
          [1, 0],
          [1, 0],
        ]);
        const masked = runCell(cell, xs, { mask });
        const short = runCell(cell, tf.slice(xs, [0, 1, 0], [2, 1, 2]));
        const full = runCell(cell, tf.slice(xs, [0, 0, 0], [4, 1, 2]));
        const out = masked.outputs.arraySync() as number[][][];
        // -0 or +0: m * y with m = 0
        expect(out[2]![1]!.map(Math.abs)).toEqual([0, 0, 0]);
        expect(out[3]![1]!.map(Math.abs)).toEqual([0, 0, 0]);
        // the same kernels on a batch of 2 and of 1: equal up to webgl's last-bit differences
        const close = (a: tf.Tensor, b: tf.Tensor) => expect(maxAbsDiff(a, b)).toBeLessThan(1e-6);
        tf.tidy(() => {
          const h = masked.state[0]!;
          close(tf.slice(h, [1, 0], [1, 3]), short.state[0]!);
          close(tf.slice(h, [0, 0], [1, 3]), full.state[0]!);
          close(tf.slice(masked.outputs, [0, 1, 0], [2, 1, 3]), short.outputs);
        });
        tf.dispose([xs, mask, masked.outputs, ...masked.state, short.outputs, ...short.state]);
        tf.dispose([full.outputs, ...full.state]);
        cell.dispose();
      });

      it('leaks no tensor over a BPTT training step', () => {
        const cell = new LeakyRNNCell({ inputSize: 2, hiddenSize: 3, learnAlpha: true });
        const xs = uniformTensor([5, 2, 2], 6);
        const before = tf.memory().numTensors;
        for (let i = 0; i < 2; i++) {
          const { value, grads } = tf.variableGrads(
            () => tf.mean(tf.square(runCell(cell, xs).outputs)) as tf.Scalar,
            cell.parameters(),
          );
          tf.tidy(() => {
            for (const p of cell.parameters()) p.assign(tf.sub(p, tf.mul(0.1, grads[p.name]!)));
          });
          tf.dispose([value, ...Object.values(grads)]);
        }
        expect(tf.memory().numTensors).toBe(before);
        xs.dispose();
        cell.dispose();
      });

      it('rejects bad xs and masks with clear errors', () => {
        const cell = new GatedRNNCell({ inputSize: 2, hiddenSize: 3 });
        const xs = tf.zeros([4, 2, 2]);
        expect(() => runCell(cell, tf.zeros([2, 2]))).toThrow(
          /runCell: xs expected rank 3 or 4 or 5 \[T, B, \.\.\.\] \(time major\), got rank 2/,
        );
        const mask = tf.ones([4, 3]);
        expect(() => runCell(cell, xs, { mask })).toThrow(
          'runCell: mask expected batch dimension (that of xs) of size 2, got 3 (shape [4, 3])',
        );
        tf.dispose([xs, mask]);
        cell.dispose();
      });
    });

    describe('bad input', () => {
      it('vector cells name the module, the argument, expected vs actual', () => {
        for (const cell of [
          new LeakyRNNCell({ inputSize: 3, hiddenSize: 4 }),
          new GatedRNNCell({ inputSize: 3, hiddenSize: 4 }),
          new MinimalRNNCell({ inputSize: 3, hiddenSize: 4 }),
        ]) {
          const n = cell.typeName;
          const x = tf.zeros([2, 5]);
          const h = cell.initialState(2);
          expect(() => cell.step(x, h)).toThrow(
            `${n}.step: input expected feature dimension (inputSize) of size 3, got 5 (shape [2, 5])`,
          );
          const x3 = tf.zeros([2, 3]);
          const h3 = tf.zeros([3, 4]);
          expect(() => cell.step(x3, [h3])).toThrow(
            `${n}.step: state[0] expected batch dimension (that of the input) of size 2, got 3 (shape [3, 4])`,
          );
          expect(() => cell.step(x3, [])).toThrow(
            `${n}.step: state expected an array of 1 tensor(s), got an array of 0`,
          );
          expect(() => cell.step(x3, [h3, h3])).toThrow(ArchzooError);
          tf.dispose([x, x3, h3, ...h]);
          cell.dispose();
        }
      });

      it('options are validated', () => {
        expect(() => new LeakyRNNCell({ inputSize: 3, hiddenSize: 4, alpha: 1.5 })).toThrow(
          'LeakyRNNCell: option alpha expected a number in (0, 1], got 1.5',
        );
        expect(
          () => new LeakyRNNCell({ inputSize: 3, hiddenSize: 4, learnAlpha: true, alpha: 1 }),
        ).toThrow('LeakyRNNCell: option alpha expected a number in (0, 1), got 1');
        expect(() => new GatedRNNCell({ inputSize: 0, hiddenSize: 4 })).toThrow(
          'GatedRNNCell: option inputSize expected a positive integer, got 0',
        );
        expect(
          () => new MinimalRNNCell({ inputSize: 3, hiddenSize: 4, phi: 'relu' as never }),
        ).toThrow("MinimalRNNCell: option phi expected one of 'tanh', 'linear', got 'relu'");
        expect(() => new ConvLSTMCell({ inputSize: 1, hiddenSize: 2, peephole: true })).toThrow(
          'ConvLSTMCell: option spatialSize expected [H, W] when peephole is true, got undefined',
        );
      });

      it('ConvLSTMCell checks NHWC input, state and the peephole size', () => {
        const cell = new ConvLSTMCell({
          inputSize: 2,
          hiddenSize: 3,
          peephole: true,
          spatialSize: [4, 4],
        });
        const s = cell.initialState(1);
        const nchw = tf.zeros([1, 2, 4, 4]);
        expect(() => cell.step(nchw, s)).toThrow(
          'ConvLSTMCell.step: input expected height (spatialSize[0]) of size 4, got 2 (shape [1, 2, 4, 4])',
        );
        const x = tf.zeros([1, 4, 4, 2]);
        expect(() => cell.step(x, [s[0]!])).toThrow(
          'ConvLSTMCell.step: state expected an array of 2 tensor(s), got an array of 1',
        );
        const bad = tf.zeros([1, 4, 4, 2]);
        expect(() => cell.step(x, [s[0]!, bad])).toThrow(
          'ConvLSTMCell.step: state[1] expected channels (hiddenSize) of size 3, got 2 (shape [1, 4, 4, 2])',
        );
        const free = new ConvLSTMCell({ inputSize: 2, hiddenSize: 3 });
        expect(() => free.initialState(1)).toThrow(
          'ConvLSTMCell.initialState: spatial expected [H, W] (no spatialSize option was given), got undefined',
        );
        tf.dispose([...s, nchw, x, bad]);
        cell.dispose();
        free.dispose();
      });
    });
  });
}
