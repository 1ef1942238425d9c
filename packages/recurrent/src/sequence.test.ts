import { maxAbsDiff, testBackends, uniformTensor, useBackend } from '@archzoo/core/testing';
import { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GRU } from './gru.js';
import { GRUCell } from './gru_cell.js';
import { LSTM } from './lstm.js';
import { LSTMCell } from './lstm_cell.js';
import { RNN } from './rnn.js';
import { RNNCell } from './rnn_cell.js';

// Semantics of the sequence layers that the PyTorch fixtures do not reach: masks with gaps,
// lengths as a tensor, unbatched input, peepholes, and the layers agreeing with their cells.
const [T, B, I, H] = [5, 3, 2, 4];
const TOL = 1e-5;

/** Rows [b] of a [T, B, F] tensor at the time steps `steps`: [steps.length, 1, F]. */
function pick(x: tf.Tensor, b: number, steps: number[]): tf.Tensor {
  return tf.tidy(() => tf.gather(tf.slice(x, [0, b, 0], [-1, 1, -1]), steps, 0));
}

for (const backend of testBackends()) {
  describe(`recurrent sequence semantics (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    it('a mask with gaps equals running each sample on its unmasked steps only', () => {
      const gru = new GRU({ inputSize: I, hiddenSize: H, generator: new Generator(1) });
      const keepSteps = [
        [0, 2, 3],
        [1, 4],
        [0, 1, 2, 3, 4],
      ]; // per sample
      const maskValues = new Float32Array(T * B); // [T, B]
      keepSteps.forEach((steps, b) => {
        for (const t of steps) maskValues[t * B + b] = 1;
      });
      const mask = tf.tensor2d(maskValues, [T, B]);
      const x = uniformTensor([T, B, I], 2);
      const h0 = uniformTensor([1, B, H], 3);
      const r = gru.forward(x, { mask, h0 });
      keepSteps.forEach((steps, b) => {
        const xb = pick(x, b, steps); // [n, 1, I]
        const hb = tf.slice(h0, [0, b, 0], [1, 1, H]);
        const alone = gru.forward(xb, { h0: hb });
        const out = pick(r.output, b, steps);
        expect(maxAbsDiff(out, alone.output), `sample ${b} outputs`).toBeLessThan(TOL);
        const hLast = tf.slice(r.h, [0, b, 0], [1, 1, H]);
        expect(maxAbsDiff(hLast, alone.h), `sample ${b} final state`).toBeLessThan(TOL);
        const masked = [0, 1, 2, 3, 4].filter((t) => !steps.includes(t));
        if (masked.length > 0) {
          const zeros = pick(r.output, b, masked);
          expect(
            tf.tidy(() => tf.max(tf.abs(zeros)).dataSync()[0]),
            `sample ${b} masked outputs`,
          ).toBe(0);
          zeros.dispose();
        }
        tf.dispose([xb, hb, out, hLast, ...Object.values(alone)]);
      });
      tf.dispose([mask, x, h0, ...Object.values(r)]);
      gru.dispose();
    });

    it('bidirectional with lengths: each sample as if run alone on its first `length` steps', () => {
      const lstm = new LSTM({
        inputSize: I,
        hiddenSize: H,
        bidirectional: true,
        batchFirst: true,
        generator: new Generator(2),
      });
      const lengths = [2, 5, 3];
      const x = uniformTensor([B, T, I], 4);
      const asTensor = tf.tensor1d(lengths, 'int32');
      const r = lstm.forward(x, { lengths });
      const r2 = lstm.forward(x, { lengths: asTensor });
      expect(maxAbsDiff(r2.output, r.output), 'int32 tensor lengths = number[]').toBeLessThan(1e-6);
      lengths.forEach((n, b) => {
        const xb = tf.slice(x, [b, 0, 0], [1, n, I]); // [1, n, I]
        const alone = lstm.forward(xb);
        const out = tf.slice(r.output, [b, 0, 0], [1, n, 2 * H]);
        expect(maxAbsDiff(out, alone.output), `sample ${b} outputs`).toBeLessThan(TOL);
        const h = tf.slice(r.h, [0, b, 0], [2, 1, H]);
        const c = tf.slice(r.c, [0, b, 0], [2, 1, H]);
        expect(maxAbsDiff(h, alone.h), `sample ${b} h (both directions)`).toBeLessThan(TOL);
        expect(maxAbsDiff(c, alone.c), `sample ${b} c (both directions)`).toBeLessThan(TOL);
        tf.dispose([xb, out, h, c, ...Object.values(alone)]);
      });
      tf.dispose([x, asTensor, ...Object.values(r), ...Object.values(r2)]);
      lstm.dispose();
    });

    it('a zero length keeps the initial state and outputs zeros', () => {
      const rnn = new RNN({
        inputSize: I,
        hiddenSize: H,
        bidirectional: true,
        generator: new Generator(9),
      });
      const x = uniformTensor([T, B, I], 7);
      const h0 = uniformTensor([2, B, H], 8);
      const r = rnn.forward(x, { h0, lengths: [T, 0, 2] });
      const kept = tf.slice(r.h, [0, 1, 0], [2, 1, H]);
      const start = tf.slice(h0, [0, 1, 0], [2, 1, H]);
      const out = tf.slice(r.output, [0, 1, 0], [T, 1, 2 * H]);
      expect(maxAbsDiff(kept, start)).toBe(0);
      expect(tf.tidy(() => tf.max(tf.abs(out)).dataSync()[0])).toBe(0);
      tf.dispose([x, h0, kept, start, out, ...Object.values(r)]);
      rnn.dispose();
    });

    it('unbatched input [T, I] equals a batch of one', () => {
      const rnn = new RNN({
        inputSize: I,
        hiddenSize: H,
        numLayers: 2,
        generator: new Generator(3),
      });
      const x = uniformTensor([T, I], 5);
      const x1 = tf.expandDims(x, 1); // [T, 1, I]
      const a = rnn.forward(x);
      const b = rnn.forward(x1);
      expect(a.output.shape).toEqual([T, H]);
      expect(a.h.shape).toEqual([2, H]);
      expect(maxAbsDiff(a.output, b.output)).toBeLessThan(1e-6);
      expect(maxAbsDiff(a.h, b.h)).toBeLessThan(1e-6);
      tf.dispose([x, x1, ...Object.values(a), ...Object.values(b)]);
      rnn.dispose();
    });

    it('each layer equals stepping its cell with the same weights', () => {
      const g = new Generator(4);
      const x = uniformTensor([T, B, I], 6);
      const cases = [
        [
          new RNN({ inputSize: I, hiddenSize: H, nonlinearity: 'relu', generator: g }),
          new RNNCell({ inputSize: I, hiddenSize: H, nonlinearity: 'relu' }),
        ],
        [
          new GRU({ inputSize: I, hiddenSize: H, generator: g }),
          new GRUCell({ inputSize: I, hiddenSize: H }),
        ],
        [
          new LSTM({ inputSize: I, hiddenSize: H, projSize: 2, peepholes: true, generator: g }),
          new LSTMCell({ inputSize: I, hiddenSize: H, projSize: 2, peepholes: true }),
        ],
      ] as const;
      for (const [layer, cell] of cases) {
        const sd = layer.stateDict(); // weight_ih_l0 -> weight_ih
        const renamed = Object.fromEntries(
          Object.entries(sd).map(([k, v]) => [k.replace('_l0', ''), v]),
        );
        cell.loadStateDict(renamed);
        const r = layer.forward(x);
        const { stacked, last } = tf.tidy(() => {
          let state = cell.initialState(B);
          const outs: tf.Tensor[] = [];
          for (const xt of tf.unstack(x)) {
            const next = cell.step(xt, state);
            outs.push(next.output);
            state = next.state;
          }
          return { stacked: tf.stack(outs), last: state[0]! };
        });
        expect(maxAbsDiff(stacked, r.output), `${layer.typeName} output`).toBeLessThan(TOL);
        const h = tf.squeeze(r.h, [0]);
        expect(maxAbsDiff(last, h), `${layer.typeName} h`).toBeLessThan(TOL);
        tf.dispose([last, stacked, h, ...Object.values(sd), ...Object.values(r)]);
        layer.dispose();
        cell.dispose();
      }
      x.dispose();
    });

    it('peepholes: i and f see c_{t-1}, o sees c_t (a float64 reference)', () => {
      // H = 1, I = 1, B = 1: the whole LSTM in plain numbers.
      const lstm = new LSTMCell({
        inputSize: 1,
        hiddenSize: 1,
        peepholes: true,
        generator: new Generator(5),
      });
      const p = Object.fromEntries(
        lstm.namedParameters().map(([k, v]) => [k, Array.from(v.dataSync())]),
      );
      const sig = (v: number) => 1 / (1 + Math.exp(-v));
      const xs = [0.5, -1, 2];
      let [h, c] = [0.3, -0.2];
      let state: tf.Tensor[] = [tf.tensor2d([[h]]), tf.tensor2d([[c]])];
      for (const xv of xs) {
        const a = [0, 1, 2, 3].map(
          (k) => p.weight_ih![k]! * xv + p.bias_ih![k]! + p.weight_hh![k]! * h + p.bias_hh![k]!,
        );
        const i = sig(a[0]! + p.weight_ci![0]! * c);
        const f = sig(a[1]! + p.weight_cf![0]! * c);
        c = f * c + i * Math.tanh(a[2]!);
        const o = sig(a[3]! + p.weight_co![0]! * c);
        h = o * Math.tanh(c);
        const x = tf.tensor2d([[xv]]);
        const next = lstm.forward(x, [state[0]!, state[1]!]);
        tf.dispose([x, ...state]);
        state = next;
        expect(Math.abs(state[0]!.dataSync()[0]! - h)).toBeLessThan(1e-6);
        expect(Math.abs(state[1]!.dataSync()[0]! - c)).toBeLessThan(1e-6);
      }
      tf.dispose(state);
      lstm.dispose();
    });

    it("initialization: every weight ~ U(-1/sqrt(H), 1/sqrt(H)), PyTorch's default", () => {
      const hidden = 64;
      const lstm = new LSTM({
        inputSize: 32,
        hiddenSize: hidden,
        projSize: 16,
        generator: new Generator(6),
      });
      const bound = 1 / Math.sqrt(hidden);
      for (const [name, v] of lstm.namedParameters()) {
        const values = Array.from(v.dataSync());
        const max = values.reduce((m, a) => Math.max(m, Math.abs(a)), 0);
        expect(max, `${name} within the bound`).toBeLessThanOrEqual(bound);
        if (values.length >= 4096) {
          // Var U(-a, a) = a^2 / 3; mean 0.
          const mean = values.reduce((s, a) => s + a, 0) / values.length;
          const variance = values.reduce((s, a) => s + (a - mean) ** 2, 0) / values.length;
          expect(Math.abs(mean), `${name} mean`).toBeLessThan(0.01 * bound * 10);
          expect(Math.abs(variance / (bound ** 2 / 3) - 1), `${name} variance`).toBeLessThan(0.05);
        }
      }
      lstm.dispose();
    });

    it('chrono initialization: LSTM b_f ~ log U[1, T-1], b_i = -b_f; GRU b_z; bias_hh zero', () => {
      const maxLength = 100;
      const lstm = new LSTM({
        inputSize: 2,
        hiddenSize: H,
        numLayers: 2,
        chrono: { maxLength },
        generator: new Generator(7),
      });
      for (const layer of [0, 1]) {
        const w = lstm.layerWeights(layer);
        const b = Array.from(w.bias_ih!.dataSync());
        const [bi, bf, bg, bo] = [0, 1, 2, 3].map((k) => b.slice(k * H, (k + 1) * H));
        for (let j = 0; j < H; j++) {
          expect(bf![j]!).toBeGreaterThanOrEqual(0);
          expect(bf![j]!).toBeLessThanOrEqual(Math.log(maxLength - 1));
          expect(bi![j]!).toBe(-bf![j]!);
        }
        expect([...bg!, ...bo!].every((v) => v === 0)).toBe(true);
        expect(Array.from(w.bias_hh!.dataSync()).every((v) => v === 0)).toBe(true);
      }
      lstm.dispose();
      const gru = new GRUCell({
        inputSize: 2,
        hiddenSize: H,
        chrono: { maxLength },
        generator: new Generator(8),
      });
      const b = Array.from(gru.bias_ih!.dataSync());
      expect(b.slice(H, 2 * H).every((v) => v >= 0 && v <= Math.log(maxLength - 1))).toBe(true);
      expect(b.slice(H, 2 * H).some((v) => v > 0)).toBe(true);
      expect([...b.slice(0, H), ...b.slice(2 * H)].every((v) => v === 0)).toBe(true);
      gru.dispose();
    });
  });
}
