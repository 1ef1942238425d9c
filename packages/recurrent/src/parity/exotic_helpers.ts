/**
 * Parity harness for the cells written from their papers (fixtures/gen_exotic.py): loads the
 * fixture's parameters, runs the sequence forward and L = sum(outputs * R) (+ extra terms)
 * backward, and compares outputs, final state and every gradient with the float64 references.
 */
import { layoutOf, type Module } from '@archzoo/core';
import { errorRecorder, type FxTensor, toTensor } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { CellState } from '../cell.js';
import { GRAD_TOL, OUTPUT_TOL } from './tolerances.js';

export { GRAD_TOL, OUTPUT_TOL } from './tolerances.js';

/** Largest error per family and quantity of this file's cases, printed by `logObserved`. */
const recorder = errorRecorder();
/** Asserts max |actual - expected| <= tol * max(1, max |expected|) and records it under `stat`. */
export const compare = recorder.compare;
/** Prints the largest errors (call from afterAll) when ARCHZOO_PARITY_LOG is set. */
export const logObserved = recorder.log;

export interface ExoticCase {
  name: string;
  cell: string;
  options: Record<string, unknown>;
  state: Record<string, FxTensor>;
  inputs: { xs: FxTensor; state: FxTensor[]; [extra: string]: FxTensor | FxTensor[] };
  target: FxTensor;
  outputs: { outputs: FxTensor; state: FxTensor[]; [extra: string]: FxTensor | FxTensor[] };
  grads: { xs: FxTensor; state: FxTensor[]; params: Record<string, FxTensor> };
  [extra: string]: unknown;
}

export function cases<C = ExoticCase>(file: unknown): C[] {
  const list = (file as { cases?: unknown }).cases;
  if (!Array.isArray(list) || list.length === 0) throw new Error('exotic fixture: no cases');
  return list as C[];
}

/** Loads the fixture's parameters and checks that stateDict() gives them back exactly. */
export function loadFixtureState(model: Module, c: ExoticCase): void {
  const sd = Object.fromEntries(Object.entries(c.state).map(([k, t]) => [k, toTensor(t)]));
  try {
    model.loadStateDict(sd);
  } finally {
    tf.dispose(Object.values(sd));
  }
  const back = model.stateDict();
  try {
    expect(Object.keys(back).sort(), `${c.name}: state-dict keys`).toEqual(
      Object.keys(c.state).sort(),
    );
    for (const [k, t] of Object.entries(back))
      compare(t, c.state[k]!, 0, `${c.name}: ${k}`, 'state');
  } finally {
    tf.dispose(Object.values(back));
  }
}

/** What a case's forward returns: tensors compared with `c.outputs` under the same keys. */
export interface ForwardResult {
  outputs: tf.Tensor;
  state: CellState;
  /** The loss to differentiate. */
  loss: tf.Scalar;
  /** Other tensors to compare with `c.outputs[key]`. */
  extra?: Record<string, tf.Tensor>;
}

/**
 * Runs `forward` on the fixture's inputs (xs and the initial state as variables) and compares the
 * outputs, the final state, the extras and every gradient with the references.
 */
export function checkExoticCase(
  c: ExoticCase,
  family: string,
  model: Module,
  forward: (xs: tf.Tensor, state: CellState) => ForwardResult,
): void {
  loadFixtureState(model, c);
  const xs = tf.variable(toTensor(c.inputs.xs), true);
  const state = c.inputs.state.map((s) => tf.variable(toTensor(s), true));
  const params = model.namedParameters();
  const held: { r?: ForwardResult } = {};
  const { value, grads } = tf.variableGrads(() => {
    const r = forward(xs, state);
    held.r = {
      ...r,
      outputs: tf.keep(r.outputs),
      state: r.state.map((s) => tf.keep(s)),
      extra: Object.fromEntries(Object.entries(r.extra ?? {}).map(([k, t]) => [k, tf.keep(t)])),
    };
    return r.loss;
  }, [xs, ...state, ...params.map(([, v]) => v)]);
  const r = held.r!;
  try {
    compare(r.outputs, c.outputs.outputs, OUTPUT_TOL, `${c.name}: outputs`, `${family} output`);
    r.state.forEach((s, k) => {
      compare(
        s,
        c.outputs.state[k]!,
        OUTPUT_TOL,
        `${c.name}: final state[${k}]`,
        `${family} output`,
      );
    });
    for (const [k, t] of Object.entries(r.extra ?? {})) {
      compare(t, c.outputs[k] as FxTensor, OUTPUT_TOL, `${c.name}: ${k}`, `${family} output`);
    }
    compare(grads[xs.name]!, c.grads.xs, GRAD_TOL, `${c.name}: grad xs`, `${family} grad`);
    state.forEach((s, k) => {
      const g = grads[s.name];
      expect(g, `${c.name}: a gradient reaches state[${k}]`).toBeDefined();
      compare(g!, c.grads.state[k]!, GRAD_TOL, `${c.name}: grad state[${k}]`, `${family} grad`);
    });
    expect(params.map(([k]) => k).sort(), `${c.name}: parameters`).toEqual(
      Object.keys(c.grads.params).sort(),
    );
    for (const [name, v] of params) {
      const g = grads[v.name];
      expect(g, `${c.name}: a gradient reaches ${name}`).toBeDefined();
      const layout = layoutOf(v);
      const torchGrad = layout ? layout.toTorch(g!) : tf.clone(g!); // [PyTorch layout]
      try {
        compare(
          torchGrad,
          c.grads.params[name]!,
          GRAD_TOL,
          `${c.name}: grad ${name}`,
          `${family} grad`,
        );
      } finally {
        torchGrad.dispose();
      }
    }
  } finally {
    tf.dispose([
      value,
      ...Object.values(grads),
      r.outputs,
      ...r.state,
      ...Object.values(r.extra ?? {}),
    ]);
    tf.dispose([xs, ...state]);
    model.dispose();
  }
}

/** sum(outputs * R) with R from the fixture. */
export function weightedSum(outputs: tf.Tensor, r: FxTensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mul(outputs, toTensor(r))) as tf.Scalar);
}
