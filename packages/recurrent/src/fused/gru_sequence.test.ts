import { SGD, trainStep } from '@archzoo/core';
import { testBackends, useBackend } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gruSequence } from '../sequence_ops.js';
import { fusedGruSequence } from './gru_sequence.js';
import { fusedSequenceSupported } from './register.js';
import { wasmSteps } from './steps.js';
import {
  finiteDifferenceError,
  gradsOf,
  maxDiff,
  resultsOf,
  type SequenceOp,
  stepMemoryAfter,
  weightedLoss,
} from './testing/compare.js';
import { differentiable, gruReference, randomArgs } from './testing/reference.js';

const CASES = [
  { name: 'biases and mask', T: 5, B: 3, biases: true, mask: true },
  { name: 'no biases, no mask', T: 5, B: 3, biases: false, mask: false },
  { name: 'biases, no mask', T: 4, B: 2, biases: true, mask: false },
  { name: 'mask, no biases', T: 4, B: 3, biases: false, mask: true },
  { name: 'T = 1', T: 1, B: 2, biases: true, mask: false },
  { name: 'T = 1 with mask', T: 1, B: 3, biases: true, mask: true },
] as const;

const fused = fusedGruSequence as SequenceOp;
const reference = gruReference as SequenceOp;
const dispose = (args: object) =>
  tf.dispose(Object.values(args).filter((t) => t instanceof tf.Tensor) as tf.Tensor[]);

for (const backend of testBackends().filter((b) => fusedSequenceSupported(b))) {
  describe(`fusedGruSequence on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    // H = 6: the JavaScript step passes; H = 8: on wasm the WebAssembly SIMD ones (steps.ts)
    for (const c of CASES.flatMap((c) => [6, 8].map((H) => ({ ...c, H })))) {
      it(`equals the tf-ops reference, forward and every gradient (${c.name}, H = ${c.H})`, () => {
        const args = randomArgs({ ...c, I: 4, gates: 3, seed: 11 });
        const [yf, hf] = resultsOf(fused, args);
        const [yr, hr] = resultsOf(reference, args);
        expect(maxDiff(yf!, yr!)).toBeLessThan(1e-5);
        expect(maxDiff(hf!, hr!)).toBeLessThan(1e-5);
        const wrt = differentiable(args, false);
        const gf = gradsOf(weightedLoss(fused, args), wrt);
        const gr = gradsOf(weightedLoss(reference, args), wrt);
        for (const name of Object.keys(wrt)) {
          expect(maxDiff(gf[name]!, gr[name]!), name).toBeLessThan(1e-4);
        }
        dispose(args);
      });
    }

    it('gives the right gradients when only the output or only h is used', () => {
      const args = randomArgs({
        T: 4,
        B: 2,
        I: 3,
        H: 5,
        gates: 3,
        biases: true,
        mask: true,
        seed: 12,
      });
      const wrt = differentiable(args, false);
      for (const terms of [
        { output: true, h: false, c: false },
        { output: false, h: true, c: false },
      ]) {
        const gf = gradsOf(weightedLoss(fused, args, terms), wrt);
        const gr = gradsOf(weightedLoss(reference, args, terms), wrt);
        for (const name of Object.keys(wrt)) {
          expect(maxDiff(gf[name]!, gr[name]!), `${name} ${JSON.stringify(terms)}`).toBeLessThan(
            1e-4,
          );
        }
      }
      dispose(args);
    });

    it('matches central finite differences on a tiny GRU', () => {
      const args = randomArgs({
        T: 3,
        B: 2,
        I: 2,
        H: 3,
        gates: 3,
        biases: true,
        mask: true,
        seed: 13,
      });
      const { error, where } = finiteDifferenceError(
        weightedLoss(fused, args),
        differentiable(args, false),
        1e-2,
        6,
      );
      expect(error, where).toBeLessThan(5e-3);
      dispose(args);
    });

    it('leaves no tensor behind over forward, backward and update, and the heap stops growing', () => {
      const args = randomArgs({
        T: 6,
        B: 4,
        I: 3,
        H: 8,
        gates: 3,
        biases: true,
        mask: true,
        seed: 14,
      });
      const before = tf.memory().numTensors;
      const params = [args.wIh, args.wHh, args.bIh!, args.bHh!].map((t) => tf.variable(t));
      const opt = new SGD(params, { lr: 0.05 });
      const loss = () =>
        tf.tidy(() => {
          const r = fusedGruSequence({
            ...args,
            wIh: params[0] as tf.Tensor2D,
            wHh: params[1] as tf.Tensor2D,
            bIh: params[2] as tf.Tensor1D,
            bHh: params[3] as tf.Tensor1D,
          });
          return tf.mean(tf.square(r.h));
        });
      const heap = () =>
        (tf.backend() as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length ?? 0;
      const l0 = trainStep(loss, params, opt);
      trainStep(loss, params, opt);
      const tensors = tf.memory().numTensors;
      const dataIds = tf.engine().backend.numDataIds();
      const heapBytes = heap();
      const stepBytes = wasmSteps()?.bytesInUse() ?? 0;
      let l = l0;
      for (let i = 0; i < 5; i++) l = trainStep(loss, params, opt);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.engine().backend.numDataIds()).toBe(dataIds);
      expect(heap()).toBe(heapBytes);
      expect(wasmSteps()?.bytesInUse() ?? 0).toBe(stepBytes); // the step memory too
      expect(l).toBeLessThan(l0);
      opt.dispose();
      tf.dispose(params);
      expect(tf.memory().numTensors).toBe(before);
      dispose(args);
    });

    it('frees its step memory at once when no gradient is recorded (inference)', () => {
      const args = randomArgs({
        T: 5,
        B: 4,
        I: 3,
        H: 8,
        gates: 3,
        biases: true,
        mask: true,
        seed: 21,
      });
      const m = stepMemoryAfter(
        () =>
          tf
            .grad((x: tf.Tensor) => tf.sum(fusedGruSequence({ ...args, x: x as tf.Tensor3D }).h))(
              args.x,
            )
            .dispose(),
        () => tf.dispose(Object.values(fusedGruSequence(args)) as tf.Tensor[]),
        () => wasmSteps()?.bytesInUse() ?? 0,
      );
      expect(m.afterSecondGrad).toBe(m.afterGrad);
      expect(m.afterInference).toBe(m.afterGrad);
      if (backend === 'wasm') expect(m.afterGrad).toBeGreaterThan(0); // its scratch dA^T block
      dispose(args);
    });
  });
}

// Every backend (webgl in the browser): `gruSequence` of sequence_ops.ts, which runs the fused
// kernels where they exist and the tf-ops path elsewhere, gives the reference's values and gradients.
for (const backend of testBackends()) {
  describe(`gruSequence (fused where supported) on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it('equals the tf-ops reference, forward and every gradient', () => {
      // webgl computes in its own float32 shaders; cpu and wasm must agree to float32 rounding
      const [fwdTol, gradTol] = backend === 'webgl' ? [1e-4, 1e-3] : [1e-5, 1e-4];
      const args = randomArgs({
        T: 4,
        B: 3,
        I: 4,
        H: 5,
        gates: 3,
        biases: true,
        mask: true,
        seed: 21,
      });
      const op = gruSequence as SequenceOp;
      const got = resultsOf(op, args);
      const want = resultsOf(reference, args);
      for (let k = 0; k < got.length; k++) expect(maxDiff(got[k]!, want[k]!)).toBeLessThan(fwdTol);
      const wrt = differentiable(args, false);
      const gf = gradsOf(weightedLoss(op, args), wrt);
      const gr = gradsOf(weightedLoss(reference, args), wrt);
      for (const name of Object.keys(wrt)) {
        expect(maxDiff(gf[name]!, gr[name]!), name).toBeLessThan(gradTol);
      }
      tf.dispose(Object.values(args).filter((t) => t instanceof tf.Tensor) as tf.Tensor[]);
    });
  });
}
