/**
 * Memory tests the fused sequence tests share: no tensor, data id, wasm heap or step memory left
 * behind by training steps, and step memory freed at once by a forward without a gradient tape.
 */
import { SGD, trainStep } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { wasmSteps } from '../steps.js';
import type { SequenceOp } from './compare.js';
import { disposeArgs, randomArgs } from './reference.js';

/** Which op's arguments a memory test makes. */
export interface MemoryTestOptions {
  /** Gate blocks of the op: 4 (LSTM) or 3 (GRU). */
  gates: number;
  /** Seed of the arguments (`randomArgs`). */
  seed: number;
}

/** Seeded arguments of `T` steps, B = 4, I = 3, H = 8, with biases and a mask. */
const argsOf = (T: number, o: MemoryTestOptions) =>
  randomArgs({ T, B: 4, I: 3, H: 8, biases: true, mask: true, ...o });

/** Bytes in use in the wasm step memory (0 where the step module cannot run). */
const stepBytes = () => wasmSteps()?.bytesInUse() ?? 0;

/** Size of the wasm backend's heap (0 on other backends). */
const heapBytes = () =>
  (tf.backend() as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length ?? 0;

/**
 * Expects SGD training of `op`'s weights and biases (T = 6, B = 4, I = 3, H = 8, with biases and
 * mask; loss mean(h^2)) to hold the tensor count, the backend's data ids, the wasm heap and the
 * step memory steady over five steps after two warm-up steps, to lower the loss, and to leave no
 * tensor behind once the optimizer and the variables are disposed.
 */
export function expectNoLeakOverTraining(op: SequenceOp, o: MemoryTestOptions): void {
  const args = argsOf(6, o);
  const before = tf.memory().numTensors;
  const params = [args.wIh, args.wHh, args.bIh!, args.bHh!].map((t) => tf.variable(t));
  const opt = new SGD(params, { lr: 0.05 });
  const loss = () =>
    tf.tidy(() => {
      const r = op({
        ...args,
        wIh: params[0] as tf.Tensor2D,
        wHh: params[1] as tf.Tensor2D,
        bIh: params[2] as tf.Tensor1D,
        bHh: params[3] as tf.Tensor1D,
      });
      return tf.mean(tf.square(r.h));
    });
  const l0 = trainStep(loss, params, opt);
  trainStep(loss, params, opt);
  const tensors = tf.memory().numTensors;
  const dataIds = tf.engine().backend.numDataIds();
  const heap = heapBytes();
  const steps = stepBytes();
  let l = l0;
  for (let i = 0; i < 5; i++) l = trainStep(loss, params, opt);
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tf.engine().backend.numDataIds()).toBe(dataIds);
  expect(heapBytes()).toBe(heap);
  expect(stepBytes()).toBe(steps); // the step memory too
  expect(l).toBeLessThan(l0); // SGD lowers the loss
  opt.dispose();
  tf.dispose(params);
  expect(tf.memory().numTensors).toBe(before);
  disposeArgs(args);
}

/**
 * Bytes in use in the wasm step memory after `gradStep` (one forward and backward), again after
 * another, and after three forwards without a gradient tape (inference), for a test to compare:
 * the activations a forward keeps wait for the backward pass, which frees them, and an inference
 * forward keeps none. The first `gradStep` sizes the kernels' scratch blocks.
 */
export function stepMemoryAfter(
  gradStep: () => void,
  inference: () => void,
  bytesInUse: () => number,
): { afterGrad: number; afterSecondGrad: number; afterInference: number } {
  gradStep();
  const afterGrad = bytesInUse();
  gradStep();
  const afterSecondGrad = bytesInUse();
  for (let i = 0; i < 3; i++) inference();
  return { afterGrad, afterSecondGrad, afterInference: bytesInUse() };
}

/**
 * Expects `op` (T = 5, B = 4, I = 3, H = 8, with biases and mask) to use the same step memory after
 * one gradient of sum(h) w.r.t. x, after a second, and after three inference forwards: nothing
 * kept for a backward pass that never comes. On wasm the memory in use is more than zero (the
 * kernels' scratch dA^T block).
 */
export function expectStepMemoryFreedWithoutTape(op: SequenceOp, o: MemoryTestOptions): void {
  const args = argsOf(5, o);
  const m = stepMemoryAfter(
    () =>
      tf
        .grad((x: tf.Tensor) => tf.sum(op({ ...args, x: x as tf.Tensor3D }).h))(args.x)
        .dispose(),
    () => tf.dispose(Object.values(op(args)) as tf.Tensor[]),
    stepBytes,
  );
  expect(m.afterSecondGrad).toBe(m.afterGrad);
  expect(m.afterInference).toBe(m.afterGrad);
  if (tf.getBackend() === 'wasm') expect(m.afterGrad).toBeGreaterThan(0); // its scratch dA^T block
  disposeArgs(args);
}
