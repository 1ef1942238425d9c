/**
 * PyTorch parity harness: builds the archzoo twin of a fixture's torch module, loads the torch
 * state dict into it, runs forward and backward of L = sum(out * R), and compares the output, the
 * input gradient, every parameter gradient (in torch layout) and, for train-mode BatchNorm, the
 * buffers after the step with the references in `packages/core/fixtures/*.json`
 * (written by `fixtures/gen_fixtures.py`).
 *
 * Layout: fixtures are in torch layout (NCHW / NCL). A case with layout 'nchw' moves channels last
 * for archzoo and back for the comparison; 'none' means the tensor reads the same in both.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  Dropout,
  ELU,
  Embedding,
  Flatten,
  GELU,
  GlobalAvgPool2d,
  GroupNorm,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  layoutOf,
  MaxPool1d,
  MaxPool2d,
  ReLU,
  SELU,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
  type TensorModule,
  Upsample,
} from '../index.js';
import { errorRecorder, type FxTensor, maxError, toTensor } from '../testing/fixtures.js';

/** A torch module: class name and constructor kwargs, or a Sequential of such. */
export interface FxSpec {
  module: string;
  args?: Record<string, unknown>;
  layers?: FxSpec[];
}

/** One parity case (see gen_fixtures.py for the meaning of each field); its data are numbers. */
export interface FxCase extends FxSpec {
  name: string;
  layout: 'nchw' | 'none';
  mode: 'train' | 'eval';
  state: Record<string, FxTensor<number>>;
  input: FxTensor<number>;
  target: FxTensor<number>;
  output: FxTensor<number>;
  grads: { input?: FxTensor<number>; params: Record<string, FxTensor<number>> };
  stateAfter?: Record<string, FxTensor<number>>;
}

/** Forward-output tolerance: max |archzoo - torch| <= OUTPUT_TOL * max(1, max |torch|). */
export const OUTPUT_TOL = 1e-5;
/** Gradient tolerance (same scaling): a backward pass sums more float32 products than a forward. */
export const GRAD_TOL = 1e-4;

/** The cases of an imported fixture file, checked for the fields the harness reads. */
export function parityCases(file: unknown): FxCase[] {
  const cases = (file as { cases?: unknown }).cases;
  if (!Array.isArray(cases) || cases.length === 0)
    throw new Error('parity fixture: no cases array');
  for (const c of cases as FxCase[]) {
    for (const key of [
      'name',
      'module',
      'layout',
      'mode',
      'state',
      'input',
      'target',
      'output',
      'grads',
    ] as const) {
      if (c[key] === undefined)
        throw new Error(`parity fixture case ${c.name ?? '?'}: missing '${key}'`);
    }
  }
  return cases as FxCase[];
}

/** NCL -> NLC, NCHW -> NHWC; other ranks are returned as they are (cloned). */
export function channelsLast(x: tf.Tensor): tf.Tensor {
  if (x.rank === 3) return tf.transpose(x, [0, 2, 1]); // [N, L, C]
  if (x.rank === 4) return tf.transpose(x, [0, 2, 3, 1]); // [N, H, W, C]
  return tf.clone(x);
}

/** NLC -> NCL, NHWC -> NCHW; other ranks are returned as they are (cloned). */
export function channelsFirst(x: tf.Tensor): tf.Tensor {
  if (x.rank === 3) return tf.transpose(x, [0, 2, 1]); // [N, C, L]
  if (x.rank === 4) return tf.transpose(x, [0, 3, 1, 2]); // [N, C, H, W]
  return tf.clone(x);
}

/** The axis of the channels-last tensor that torch's `dim` of the channels-first one becomes. */
export function channelsLastAxis(dim: number, rank: number): number {
  const d = dim < 0 ? dim + rank : dim;
  if (d === 0) return 0;
  return d === 1 ? rank - 1 : d - 1;
}

/** A torch state dict of the fixture as tf tensors (int64 buffers become int32). */
export function stateToTensors(state: Record<string, FxTensor>): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(state).map(([k, t]) => [k, toTensor(t)]));
}

/** A parameter (or buffer) value or gradient in torch layout, through the variable's TorchLayout. */
export function toTorchLayout(v: tf.Variable, t: tf.Tensor): tf.Tensor {
  const layout = layoutOf(v);
  return layout ? layout.toTorch(t) : tf.clone(t);
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

/** torch kwargs -> archzoo options: snake_case keys become camelCase, values stay (tuples are arrays). */
function options<T>(args: Record<string, unknown> | undefined): T {
  return Object.fromEntries(Object.entries(args ?? {}).map(([k, v]) => [camel(k), v])) as T;
}

/** The archzoo module equivalent to a fixture's torch module. `rank`: rank of the torch input. */
export function buildModule(spec: FxSpec, rank: number, layout: 'nchw' | 'none'): TensorModule {
  const a = spec.args;
  // Softmax's dim names an axis of the torch tensor; archzoo's names one of the channels-last tensor.
  const dim = () => {
    const d = (a?.dim as number | undefined) ?? -1;
    return layout === 'nchw' ? channelsLastAxis(d, rank) : d;
  };
  switch (spec.module) {
    case 'Sequential':
      return new Sequential(...(spec.layers ?? []).map((s) => buildModule(s, rank, layout)));
    case 'Linear':
      return new Linear(options(a));
    case 'Conv1d':
      return new Conv1d(options(a));
    case 'Conv2d':
      return new Conv2d(options(a));
    case 'ConvTranspose2d':
      return new ConvTranspose2d(options(a));
    case 'MaxPool1d':
      return new MaxPool1d(options(a));
    case 'MaxPool2d':
      return new MaxPool2d(options(a));
    case 'AvgPool2d':
      return new AvgPool2d(options(a));
    case 'AdaptiveAvgPool2d':
      return new AdaptiveAvgPool2d(options(a));
    case 'GlobalAvgPool2d':
      return new GlobalAvgPool2d(options(a));
    case 'BatchNorm1d':
      return new BatchNorm1d(options(a));
    case 'BatchNorm2d':
      return new BatchNorm2d(options(a));
    case 'LayerNorm':
      return new LayerNorm(options(a));
    case 'GroupNorm':
      return new GroupNorm(options(a));
    case 'Embedding':
      return new Embedding(options(a));
    case 'Flatten':
      return new Flatten();
    case 'Upsample':
      return new Upsample(options(a));
    case 'Dropout':
      return new Dropout(options(a));
    case 'ReLU':
      return new ReLU();
    case 'LeakyReLU':
      return new LeakyReLU(options(a));
    case 'ELU':
      return new ELU(options(a));
    case 'SELU':
      return new SELU();
    case 'GELU':
      return new GELU(options(a));
    case 'Tanh':
      return new Tanh();
    case 'Sigmoid':
      return new Sigmoid();
    case 'Softmax':
      return new Softmax({ dim: dim() });
    case 'LogSoftmax':
      return new LogSoftmax({ dim: dim() });
    default:
      throw new Error(`parity: no archzoo module for torch ${spec.module}`);
  }
}

/** Largest error per family and quantity of this file's cases, printed by `logObserved`. */
const recorder = errorRecorder();
const compare = recorder.compare;

/** Prints the largest errors (call from afterAll) when ARCHZOO_PARITY_LOG is set. */
export const logObserved = recorder.log;

/**
 * Runs one fixture case on the active backend and asserts parity with torch: state dict
 * round trip, output, input gradient, parameter gradients and (train mode) buffers after the step.
 * `build` makes the archzoo module (default: `buildModule` from the fixture's torch spec).
 */
export function checkCase(c: FxCase, family: string, build?: () => TensorModule): void {
  const model = build ? build() : buildModule(c, c.input.shape.length, c.layout);
  model.train(c.mode === 'train');
  const state = stateToTensors(c.state);
  try {
    model.loadStateDict(state);
  } finally {
    tf.dispose(Object.values(state));
  }
  const toLocal = (t: tf.Tensor) => (c.layout === 'nchw' ? channelsLast(t) : tf.clone(t));
  const toTorch = (t: tf.Tensor) => (c.layout === 'nchw' ? channelsFirst(t) : tf.clone(t));

  // The state dict archzoo writes back is torch's, key for key and value for value.
  const round = model.stateDict();
  try {
    expect(Object.keys(round), `${c.name}: stateDict keys`).toEqual(Object.keys(c.state));
    for (const [k, t] of Object.entries(round)) {
      expect(
        maxError(t, c.state[k]!, `${c.name}: stateDict ${k}`).err,
        `${c.name}: stateDict ${k}`,
      ).toBe(0);
    }
  } finally {
    tf.dispose(Object.values(round));
  }

  const params = model.namedParameters();
  const floatInput = c.input.dtype !== 'int32';
  const xLocal = floatInput ? tf.tidy(() => toLocal(toTensor(c.input))) : null;
  const xVar = xLocal ? tf.variable(xLocal, true) : null;
  xLocal?.dispose();
  const indices = floatInput ? null : toTensor(c.input);
  const target = tf.tidy(() => toLocal(toTensor(c.target)));
  const held: { out?: tf.Tensor } = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = tf.keep(model.forward((xVar ?? indices)!));
    held.out = out;
    return tf.sum(tf.mul(out, target));
  }, [...(xVar ? [xVar] : []), ...params.map(([, v]) => v)]);
  try {
    tf.tidy(() => {
      compare(toTorch(held.out!), c.output, OUTPUT_TOL, `${c.name}: output`, `${family} output`);
      if (xVar) {
        const g = grads[xVar.name];
        expect(g, `${c.name}: a gradient reaches the input`).toBeDefined();
        const label = `${c.name}: input gradient`;
        compare(toTorch(g!), c.grads.input!, GRAD_TOL, label, `${family} input grad`);
      }
      expect(params.map(([k]) => k).sort(), `${c.name}: parameters`).toEqual(
        Object.keys(c.grads.params).sort(),
      );
      for (const [name, v] of params) {
        const g = grads[v.name];
        expect(g, `${c.name}: a gradient reaches ${name}`).toBeDefined();
        const torchGrad = toTorchLayout(v, g!); // [PyTorch layout of `name`]
        compare(
          torchGrad,
          c.grads.params[name]!,
          GRAD_TOL,
          `${c.name}: grad ${name}`,
          `${family} param grad`,
        );
      }
    });
    if (c.stateAfter) {
      const after = model.stateDict();
      try {
        for (const [k, ref] of Object.entries(c.stateAfter)) {
          const label = `${c.name}: buffer ${k} after the step`;
          expect(after[k], label).toBeDefined();
          compare(after[k]!, ref, OUTPUT_TOL, label, `${family} buffers after step`);
        }
      } finally {
        tf.dispose(Object.values(after));
      }
    }
  } finally {
    tf.dispose([value, held.out!, target, ...Object.values(grads)]);
    if (xVar) xVar.dispose();
    if (indices) indices.dispose();
    model.dispose();
  }
}
