/**
 * PyTorch parity harness for the recurrent layers and cells: builds the archzoo twin of a fixture's
 * torch module, loads the torch state dict into it, runs forward and backward of
 * L = sum(out * R) + sum(h_n * Rh) (+ sum(c_n * Rc)), and compares the output, the final states,
 * the gradients of the input and initial states, and every parameter gradient with the references
 * in `packages/recurrent/fixtures/rnn.json` (written by `fixtures/gen_fixtures.py`).
 */
import type { Module } from '@archzoo/core';
import { errorRecorder, type FxTensor, toTensor } from '@archzoo/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { GRU } from '../gru.js';
import { GRUCell } from '../gru_cell.js';
import { LSTM } from '../lstm.js';
import { LSTMCell } from '../lstm_cell.js';
import { RNN } from '../rnn.js';
import { RNNCell } from '../rnn_cell.js';
import { GRAD_TOL, OUTPUT_TOL } from './tolerances.js';

/** Largest error per module and quantity of this file's cases, printed by `logObserved`. */
const recorder = errorRecorder();
const compare = recorder.compare;

/** Prints the largest errors (call from afterAll) when ARCHZOO_PARITY_LOG is set. */
export const logObserved = recorder.log;

/** One parity case (see gen_fixtures.py for the meaning of each field). */
export interface RnnCase {
  name: string;
  module: 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';
  args: Record<string, unknown>;
  state: Record<string, FxTensor>;
  input: Record<string, FxTensor>;
  target: Record<string, FxTensor>;
  output?: FxTensor;
  h: FxTensor;
  c?: FxTensor;
  grads: { params: Record<string, FxTensor> } & Record<string, FxTensor>;
}

export function parityCases(file: unknown): RnnCase[] {
  const cases = (file as { cases?: unknown }).cases;
  if (!Array.isArray(cases) || cases.length === 0) throw new Error('rnn fixture: no cases');
  return cases as RnnCase[];
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

function options<T>(args: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [camel(k), v])) as T;
}

type AnyRecurrent = RNN | LSTM | GRU | RNNCell | LSTMCell | GRUCell;

function build(c: RnnCase): AnyRecurrent {
  const o = options<never>(c.args);
  switch (c.module) {
    case 'RNN':
      return new RNN(o);
    case 'LSTM':
      return new LSTM(o);
    case 'GRU':
      return new GRU(o);
    case 'RNNCell':
      return new RNNCell(o);
    case 'LSTMCell':
      return new LSTMCell(o);
    case 'GRUCell':
      return new GRUCell(o);
  }
}

/** Runs the module on the case's inputs: its outputs by fixture name (output, h, c). */
function run(m: AnyRecurrent, inputs: Record<string, tf.Tensor>, lengths?: tf.Tensor) {
  const x = inputs.input!;
  if (m instanceof LSTM) {
    const r = m.forward(x, { h0: inputs.h0, c0: inputs.c0, lengths });
    return { output: r.output, h: r.h, c: r.c };
  }
  if (m instanceof RNN || m instanceof GRU) {
    const r = m.forward(x, { h0: inputs.h0, lengths });
    return { output: r.output, h: r.h };
  }
  if (m instanceof LSTMCell) {
    const [h, c] = m.forward(x, [inputs.h0!, inputs.c0!]);
    return { h, c };
  }
  return { h: m.forward(x, inputs.h0) };
}

/** Runs one fixture case on the active backend and asserts parity with torch. */
export function checkCase(c: RnnCase, tol = { output: OUTPUT_TOL, grad: GRAD_TOL }): void {
  const model = build(c);
  const state = Object.fromEntries(Object.entries(c.state).map(([k, t]) => [k, toTensor(t)]));
  try {
    (model as Module).loadStateDict(state);
  } finally {
    tf.dispose(Object.values(state));
  }
  const round = model.stateDict();
  try {
    expect(Object.keys(round), `${c.name}: stateDict keys`).toEqual(Object.keys(c.state));
    for (const [k, t] of Object.entries(round)) {
      expect(Array.from(t.dataSync()), `${c.name}: stateDict ${k}`).toEqual(
        c.state[k]!.data.map((v) => Math.fround(Number(v))),
      );
    }
  } finally {
    tf.dispose(Object.values(round));
  }

  const { lengths: lengthsFx, ...floatInputs } = c.input;
  const vars = Object.fromEntries(
    Object.entries(floatInputs).map(([k, t]) => [k, tf.variable(toTensor(t), true)]),
  );
  const lengths = lengthsFx ? toTensor(lengthsFx) : undefined;
  const targets = Object.fromEntries(Object.entries(c.target).map(([k, t]) => [k, toTensor(t)]));
  const params = model.namedParameters();
  const held: Record<string, tf.Tensor> = {};
  const { value, grads } = tf.variableGrads(() => {
    const outs = run(model, vars, lengths);
    const terms: tf.Tensor[] = [];
    for (const [k, t] of Object.entries(outs)) {
      held[k] = tf.keep(t);
      terms.push(tf.sum(tf.mul(t, targets[k]!)));
    }
    return tf.addN(terms) as tf.Scalar;
  }, [...Object.values(vars), ...params.map(([, v]) => v)]);
  try {
    expect(Object.keys(held).sort(), `${c.name}: outputs`).toEqual(Object.keys(c.target).sort());
    for (const [k, t] of Object.entries(held)) {
      compare(t, c[k as 'h']!, tol.output, `${c.name}: ${k}`, `${c.module} forward`);
    }
    for (const [k, v] of Object.entries(vars)) {
      const g = grads[v.name];
      expect(g, `${c.name}: a gradient reaches ${k}`).toBeDefined();
      compare(g!, c.grads[k]!, tol.grad, `${c.name}: grad ${k}`, `${c.module} input/state grads`);
    }
    expect(params.map(([k]) => k).sort(), `${c.name}: parameters`).toEqual(
      Object.keys(c.grads.params).sort(),
    );
    for (const [name, v] of params) {
      const g = grads[v.name];
      expect(g, `${c.name}: a gradient reaches ${name}`).toBeDefined();
      compare(
        g!,
        c.grads.params[name]!,
        tol.grad,
        `${c.name}: grad ${name}`,
        `${c.module} param grads`,
      );
    }
  } finally {
    tf.dispose([value, ...Object.values(held), ...Object.values(grads)]);
    tf.dispose([...Object.values(vars), ...Object.values(targets)]);
    lengths?.dispose();
    model.dispose();
  }
}
