import { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Module } from '../module.js';

/** Settings of the central-difference gradient check. */
export interface GradCheckOptions {
  /**
   * Half step h of (f(x + h) - f(x - h)) / 2h. Default 1e-2: the forward runs in float32, so a
   * smaller step drowns the difference in rounding error; inputs must keep kinks (ReLU's 0, ties
   * of a max) farther than h from every checked point.
   */
  eps?: number;
  /** Relative tolerance on |numeric - analytic|. Default 1e-2. */
  rtol?: number;
  /** Absolute tolerance, for gradients near zero. Default 1e-3. */
  atol?: number;
  /** Entries checked per input and per parameter: the largest analytic one plus random others. Default 3. */
  points?: number;
}

/** What `describeModuleContract` needs to know about a module. */
export interface ModuleContractOptions<M extends Module = Module> {
  /** Builds the module. Everything random in it, at construction and in forward, must come from `generator`. */
  make: (generator: Generator) => M;
  /** Fresh input tensor(s) on every call; the suite disposes them. Keep sizes small. */
  input: () => tf.Tensor | tf.Tensor[];
  /** Runs the forward pass. Default: `module.forward(...inputs)`. */
  forward?: (module: M, inputs: tf.Tensor[]) => unknown;
  /**
   * Expected output shape from the input shapes; an array of shapes when the output holds several
   * tensors (in `outputs` order). Required: every module states its output shape.
   */
  outputShape: (...inputShapes: number[][]) => number[] | number[][];
  /** The tensors of an output, in order. Default: the tensors found in the output, its arrays and plain objects. */
  outputs?: (output: unknown) => tf.Tensor[];
  /**
   * Scalar loss for the gradient tests. Default: sum over the float32 output tensors y_k of
   * sum(y_k * R_k), with R_k fixed uniform(-1, 1) weights (a plain sum would give softmax or a
   * normalization a zero gradient).
   */
  loss?: (output: unknown) => tf.Scalar;
  /** Indices of the inputs differentiated in the gradient tests. Default: every float32 input. */
  gradInputs?: number[];
  /** The output differs between train and eval mode (Dropout, BatchNorm). Default false: they are equal. */
  modeDependent?: boolean;
  /** Two forwards in training mode differ (random masks). Default false: they are equal. */
  stochastic?: boolean;
  /** Parameters are drawn from the generator, so two seeds give different weights. Default: the module has parameters. */
  randomInit?: boolean;
  /** Finite-difference check settings. */
  gradCheck?: GradCheckOptions;
}

const SEED = 1;
const OTHER_SEED = 2;
/** Re-seeds the module's generator before each gradient-test forward, so random masks repeat. */
const FORWARD_SEED = 12345;

function asList(x: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(x) ? x : [x];
}

/** The tensors in an output: itself, or those in its arrays and plain objects, depth first. */
function findTensors(out: unknown, acc: tf.Tensor[] = []): tf.Tensor[] {
  if (out instanceof tf.Tensor) acc.push(out);
  else if (Array.isArray(out)) for (const o of out) findTensors(o, acc);
  else if (
    out !== null &&
    typeof out === 'object' &&
    Object.getPrototypeOf(out) === Object.prototype
  ) {
    for (const o of Object.values(out)) findTensors(o, acc);
  }
  return acc;
}

/** Fixed loss weights for the k-th output tensor: uniform(-1, 1), the same on every call. */
function lossWeights(size: number, k: number): Float32Array {
  const g = new Generator(1000 + k);
  const r = new Float32Array(size);
  for (let i = 0; i < size; i++) r[i] = 2 * g.random() - 1;
  return r;
}

function valuesOf(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/**
 * How far apart outputs that should be identical may be, relative to 1 + |value|. cpu and wasm: 0
 * (bitwise equal). webgl picks packed or unpacked shaders by where a tensor's data lies, so two
 * identical calls can differ in the last bits. Weights and state dicts are always compared bitwise.
 */
function outputTolerance(): number {
  return tf.getBackend() === 'webgl' ? 1e-5 : 0;
}

/** Index of the first element where a and b differ by more than tol (1 + |b|), or -1. */
function firstDifference(a: tf.Tensor, b: tf.Tensor, tol: number): number {
  const av = a.dataSync();
  const bv = b.dataSync();
  return av.findIndex(
    (v, i) => !Object.is(v, bv[i]) && !(Math.abs(v - bv[i]!) <= tol * (1 + Math.abs(bv[i]!))),
  );
}

function expectSameValues(actual: tf.Tensor, expected: tf.Tensor, what: string, tol = 0): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  expect(actual.dtype, `${what}: dtype`).toBe(expected.dtype);
  const i = firstDifference(actual, expected, tol);
  const a = actual.dataSync();
  const b = expected.dataSync();
  expect(i === -1 ? null : `element ${i}: ${a[i]} vs ${b[i]}`, `${what}: values differ`).toBeNull();
}

function anyDifferent(a: tf.Tensor, b: tf.Tensor, tol = 0): boolean {
  return a.shape.join() !== b.shape.join() || firstDifference(a, b, tol) !== -1;
}

/**
 * Registers a vitest `describe(name)` block that checks the contract every archzoo module keeps:
 * output shape and finite values, a gradient for every trainable parameter, seeded determinism,
 * no tensor leaks, a state-dict round trip, train/eval behaviour and a finite-difference check
 * of the gradients. Sizes should be small: the cpu backend runs every test.
 *
 * @example
 * describeModuleContract('Linear', {
 *   make: (generator) => new Linear({ inFeatures: 3, outFeatures: 2, generator }),
 *   input: () => uniformTensor([4, 3], 7),
 *   outputShape: ([n]) => [n!, 2],
 * });
 */
export function describeModuleContract<M extends Module>(
  name: string,
  opts: ModuleContractOptions<M>,
): void {
  const forward = (m: M, inputs: tf.Tensor[]): unknown =>
    opts.forward ? opts.forward(m, inputs) : m.forward(...(inputs as never[]));
  const tensorsOf = (out: unknown): tf.Tensor[] =>
    opts.outputs ? opts.outputs(out) : findTensors(out);
  const freshInputs = (): tf.Tensor[] => asList(opts.input());
  const gradInputIndices = (inputs: tf.Tensor[]): number[] =>
    opts.gradInputs ?? inputs.flatMap((t, i) => (t.dtype === 'float32' ? [i] : []));

  /** Disposes an output's tensors, except those that are inputs passed through. */
  const disposeOutput = (out: unknown, inputs: tf.Tensor[]): void => {
    for (const t of tensorsOf(out)) if (!inputs.includes(t) && !t.isDisposed) t.dispose();
  };

  const lossTensor = (out: unknown): tf.Scalar => {
    if (opts.loss) return opts.loss(out);
    return tf.tidy(() => {
      const terms = tensorsOf(out)
        .map((y, k) => [y, k] as const)
        .filter(([y]) => y.dtype === 'float32')
        .map(([y, k]) => tf.sum(tf.mul(y, tf.tensor(lossWeights(y.size, k), y.shape))));
      if (terms.length === 0)
        throw new Error(`${name}: no float32 output to build a loss from; pass a loss`);
      return tf.addN(terms) as tf.Scalar;
    });
  };

  /** The loss as a number; the default loss is summed in float64 so the difference quotient only sees the forward's rounding. */
  const lossNumber = (out: unknown): number => {
    if (opts.loss) return tf.tidy(() => opts.loss!(out)).dataSync()[0]!;
    let sum = 0;
    tensorsOf(out).forEach((y, k) => {
      if (y.dtype !== 'float32') return;
      const v = y.dataSync();
      const r = lossWeights(y.size, k);
      for (let i = 0; i < v.length; i++) sum += v[i]! * r[i]!;
    });
    return sum;
  };

  /**
   * Differentiates the loss with respect to the trainable parameters and the chosen inputs (as
   * temporary variables), forwarding with `inputs` where those are swapped in.
   */
  const gradients = (m: M, gen: Generator, inputs: tf.Tensor[]) => {
    const idx = gradInputIndices(inputs);
    const inputVars = idx.map((i) => tf.variable(inputs[i]!, true));
    const fwdInputs = inputs.map((t, i) => {
      const j = idx.indexOf(i);
      return j === -1 ? t : inputVars[j]!;
    });
    const params = m.namedParameters().filter(([, v]) => v.trainable);
    const targets = [
      ...params.map(([n, v]) => [n, v] as const),
      ...idx.map((i, j) => [`input ${i}`, inputVars[j]!] as const),
    ];
    if (targets.length === 0) {
      throw new Error(
        `${name}: nothing to differentiate (no trainable parameter, no float32 input); set gradInputs`,
      );
    }
    gen.manualSeed(FORWARD_SEED);
    const { value, grads } = tf.variableGrads(
      () => lossTensor(forward(m, fwdInputs)),
      targets.map(([, v]) => v),
    );
    const named = targets.map(([n, v]) => [n, grads[v.name] ?? null] as [string, tf.Tensor | null]);
    tf.dispose(inputVars);
    return { value, grads: named };
  };

  describe(name, () => {
    it('output has the expected shape and finite values, in train and eval mode', () => {
      const m = opts.make(new Generator(SEED));
      for (const training of [true, false]) {
        m.train(training);
        const inputs = freshInputs();
        const out = forward(m, inputs);
        const tensors = tensorsOf(out);
        const want = opts.outputShape(...inputs.map((t) => t.shape));
        const shapes =
          want.length > 0 && Array.isArray(want[0]) ? (want as number[][]) : [want as number[]];
        expect(
          tensors.map((t) => t.shape),
          `output shapes (training=${training})`,
        ).toEqual(shapes);
        tensors.forEach((t, k) => {
          if (t.dtype !== 'float32') return;
          const bad = valuesOf(t).findIndex((v) => !Number.isFinite(v));
          expect(bad, `output ${k} (training=${training}) has a NaN/Inf at element ${bad}`).toBe(
            -1,
          );
        });
        disposeOutput(out, inputs);
        tf.dispose(inputs);
      }
      m.dispose();
    });

    it('a gradient reaches every trainable parameter and differentiable input', () => {
      const gen = new Generator(SEED);
      const m = opts.make(gen);
      const inputs = freshInputs();
      const { value, grads } = gradients(m, gen, inputs);
      for (const [n, g] of grads) {
        expect(g, `gradient of ${n}`).not.toBeNull();
        const values = valuesOf(g!);
        expect(values.every(Number.isFinite), `gradient of ${n} is finite`).toBe(true);
        expect(
          values.some((v) => v !== 0),
          `gradient of ${n} is nonzero somewhere`,
        ).toBe(true);
      }
      expect(Number.isFinite(value.dataSync()[0]!), 'loss is finite').toBe(true);
      tf.dispose([value, ...grads.flatMap(([, g]) => (g ? [g] : [])), ...inputs]);
      m.dispose();
    });

    it('the same seed gives identical weights and outputs', () => {
      const a = opts.make(new Generator(SEED));
      const b = opts.make(new Generator(SEED));
      const va = [...a.namedParameters(), ...a.namedBuffers()];
      const vb = [...b.namedParameters(), ...b.namedBuffers()];
      expect(vb.map(([n]) => n)).toEqual(va.map(([n]) => n));
      va.forEach(([n, v], i) => {
        expectSameValues(vb[i]![1], v, n);
      });
      if (opts.randomInit ?? a.namedParameters().length > 0) {
        const c = opts.make(new Generator(OTHER_SEED));
        const vc = c.namedParameters();
        expect(
          vc.some(([, v], i) => anyDifferent(v, a.namedParameters()[i]![1])),
          'another seed gives other weights',
        ).toBe(true);
        c.dispose();
      }
      // Train mode first: random masks come from each module's own generator, in the same state.
      for (const training of [true, false]) {
        a.train(training);
        b.train(training);
        const inputs = freshInputs();
        const oa = forward(a, inputs);
        const ob = forward(b, inputs);
        const ta = tensorsOf(oa);
        const tb = tensorsOf(ob);
        expect(tb.length).toBe(ta.length);
        ta.forEach((t, k) => {
          expectSameValues(tb[k]!, t, `output ${k} (training=${training})`, outputTolerance());
        });
        disposeOutput(oa, inputs);
        disposeOutput(ob, inputs);
        tf.dispose(inputs);
      }
      a.dispose();
      b.dispose();
    });

    it('leaks no tensor in forward or in a forward/backward/SGD step', () => {
      const gen = new Generator(SEED);
      const m = opts.make(gen);
      for (const training of [true, false]) {
        m.train(training);
        const before = tf.memory().numTensors;
        const inputs = freshInputs();
        disposeOutput(forward(m, inputs), inputs);
        tf.dispose(inputs);
        expect(tf.memory().numTensors, `tensors after a forward (training=${training})`).toBe(
          before,
        );
      }
      m.train();
      const before = tf.memory().numTensors;
      const inputs = freshInputs();
      const { value, grads } = gradients(m, gen, inputs);
      const lr = 0.1;
      const params = new Map(m.namedParameters());
      tf.tidy(() => {
        for (const [n, g] of grads) {
          const p = params.get(n);
          if (p && g) p.assign(tf.sub(p, tf.mul(lr, g))); // v <- v - lr * g
        }
      });
      tf.dispose([value, ...grads.flatMap(([, g]) => (g ? [g] : [])), ...inputs]);
      expect(tf.memory().numTensors, 'tensors after a training step').toBe(before);
      const count = tf.memory().numTensors;
      const vars = m.namedParameters().length + m.namedBuffers().length;
      m.dispose();
      expect(tf.memory().numTensors, 'dispose() frees every parameter and buffer').toBe(
        count - vars,
      );
    });

    it('state dict round-trips into a model built from another seed', () => {
      const a = opts.make(new Generator(SEED));
      // One training forward moves buffers (running statistics) away from their initial values.
      const warm = freshInputs();
      tf.tidy(() => {
        forward(a, warm);
      });
      tf.dispose(warm);
      const sd = a.stateDict();
      const names = [...a.namedParameters(), ...a.namedBuffers()].map(([n]) => n);
      expect(Object.keys(sd).sort()).toEqual([...names].sort());
      const b = opts.make(new Generator(OTHER_SEED));
      const b0 = b.stateDict();
      expect(Object.keys(b0), 'key order').toEqual(Object.keys(sd));
      tf.dispose(Object.values(b0));
      expect(b.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
      const sdB = b.stateDict();
      for (const k of Object.keys(sd)) expectSameValues(sdB[k]!, sd[k]!, k);
      tf.dispose(Object.values(sdB));
      // The loaded model owns its values: disposing the dict breaks nothing.
      tf.dispose(Object.values(sd));
      a.eval();
      b.eval();
      const inputs = freshInputs();
      const oa = forward(a, inputs);
      const ob = forward(b, inputs);
      tensorsOf(oa).forEach((t, k) => {
        expectSameValues(tensorsOf(ob)[k]!, t, `eval output ${k}`, outputTolerance());
      });
      disposeOutput(oa, inputs);
      disposeOutput(ob, inputs);
      tf.dispose(inputs);
      a.dispose();
      b.dispose();
    });

    it(`eval mode is deterministic; train and eval outputs ${opts.modeDependent ? 'differ' : 'agree'}`, () => {
      const m = opts.make(new Generator(SEED));
      const inputs = freshInputs();
      const run = (training: boolean): tf.Tensor[] => {
        m.train(training);
        return tf.tidy(() => tensorsOf(forward(m, inputs)).map((t) => tf.clone(t)));
      };
      const train1 = run(true);
      const train2 = run(true);
      const eval1 = run(false);
      expect(
        m.namedModules().every(([, c]) => !c.training),
        'eval() reaches every submodule',
      ).toBe(true);
      const eval2 = run(false);
      eval1.forEach((t, k) => {
        expectSameValues(eval2[k]!, t, `eval output ${k}, second call`, outputTolerance());
      });
      const tol = outputTolerance();
      const trainDiffer = train1.some((t, k) => anyDifferent(t, train2[k]!, tol));
      expect(trainDiffer, 'two training forwards differ').toBe(opts.stochastic ?? false);
      const modeDiffer = train2.some((t, k) => anyDifferent(t, eval1[k]!, tol));
      expect(modeDiffer, 'train and eval outputs differ').toBe(opts.modeDependent ?? false);
      m.train();
      expect(
        m.namedModules().every(([, c]) => c.training),
        'train() reaches every submodule',
      ).toBe(true);
      tf.dispose([...train1, ...train2, ...eval1, ...eval2, ...inputs]);
      m.dispose();
    });

    it('gradients match central finite differences', () => {
      const { eps = 1e-2, rtol = 1e-2, atol = 1e-3, points = 3 } = opts.gradCheck ?? {};
      const gen = new Generator(SEED);
      const m = opts.make(gen);
      const inputs = freshInputs();
      const { value, grads } = gradients(m, gen, inputs);
      value.dispose();
      const params = new Map(m.namedParameters());
      let current = [...inputs];
      const evalLoss = (): number => {
        gen.manualSeed(FORWARD_SEED);
        return tf.tidy(() => lossNumber(forward(m, current)));
      };
      const failures: string[] = [];
      let checked = 0;
      const pick = new Generator(99);
      for (const [n, g] of grads) {
        if (g === null) {
          failures.push(`${n}: no analytic gradient`);
          continue;
        }
        const analytic = g.dataSync().slice();
        g.dispose();
        const p = params.get(n);
        const inputIndex = p ? -1 : Number(n.slice('input '.length));
        const target = p ?? current[inputIndex]!;
        const base = target.dataSync().slice();
        const set = (values: Float32Array | Int32Array | Uint8Array) => {
          const t = tf.tensor(values, target.shape, 'float32');
          if (p) {
            p.assign(t);
            t.dispose();
          } else {
            if (current[inputIndex] !== inputs[inputIndex]) current[inputIndex]!.dispose();
            current = current.map((c, i) => (i === inputIndex ? t : c));
          }
        };
        // The largest analytic entry, then random distinct others.
        let largest = 0;
        analytic.forEach((v, i) => {
          if (Math.abs(v) > Math.abs(analytic[largest]!)) largest = i;
        });
        const entries = [largest];
        while (entries.length < Math.min(points, analytic.length)) {
          const i = Math.floor(pick.random() * analytic.length);
          if (!entries.includes(i)) entries.push(i);
        }
        for (const i of entries) {
          const x = base[i]!;
          // The step actually taken, after rounding to float32.
          const xp = Math.fround(x + eps);
          const xm = Math.fround(x - eps);
          const moved = base.slice();
          moved[i] = xp;
          set(moved);
          const fp = evalLoss();
          moved[i] = xm;
          set(moved);
          const fm = evalLoss();
          const numeric = (fp - fm) / (xp - xm);
          const a = analytic[i]!;
          checked++;
          if (!(Math.abs(numeric - a) <= atol + rtol * Math.max(Math.abs(numeric), Math.abs(a)))) {
            failures.push(`${n}[${i}]: analytic ${a}, numeric ${numeric}`);
          }
        }
        set(base);
      }
      expect(checked).toBeGreaterThan(0);
      expect(failures, `finite differences (eps=${eps}, rtol=${rtol}, atol=${atol})`).toEqual([]);
      tf.dispose([...new Set([...current, ...inputs])]);
      m.dispose();
    });
  });
}
