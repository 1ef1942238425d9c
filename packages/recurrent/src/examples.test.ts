import { Linear } from '@archzoo/core';
import { testBackends, useBackend } from '@archzoo/core/testing';
import { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gruCell, lstmCell, rnnCell } from './functional.js';
import { GRU } from './gru.js';
import { GRUCell } from './gru_cell.js';
import { LSTM } from './lstm.js';
import { LSTMCell } from './lstm_cell.js';
import { RNN } from './rnn.js';
import { RNNCell } from './rnn_cell.js';

// The README's example and every @example of RNN, LSTM, GRU and their cells, run as written.
for (const backend of testBackends()) {
  describe(`recurrent examples (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    it('README example', () => {
      const before = tf.memory().numTensors;
      const g = new Generator(0);
      const lstm = new LSTM({
        inputSize: 8,
        hiddenSize: 32,
        numLayers: 2,
        batchFirst: true,
        generator: g,
      });
      const head = new Linear({ inFeatures: 32, outFeatures: 3, generator: g });
      const x = tf.randomNormal([4, 10, 8]); // [B, T, I], padded to T = 10
      const { output, h, c } = lstm.forward(x, { lengths: [10, 7, 3, 9] });
      const logits = tf.tidy(() =>
        head.forward(tf.squeeze(tf.slice(h, [1, 0, 0], [1, 4, 32]), [0])),
      ); // [4, 3]
      expect([output.shape, h.shape, c.shape, logits.shape]).toEqual([
        [4, 10, 32],
        [2, 4, 32],
        [2, 4, 32],
        [4, 3],
      ]);
      // zero after each length: sample 2 has 3 real steps
      const tail = tf.slice(output, [2, 3, 0], [1, 7, 32]);
      expect(tf.tidy(() => tf.max(tf.abs(tail)).dataSync()[0])).toBe(0);
      const sd = lstm.stateDict();
      expect(Object.keys(sd)).toEqual([
        'weight_ih_l0',
        'weight_hh_l0',
        'bias_ih_l0',
        'bias_hh_l0',
        'weight_ih_l1',
        'weight_hh_l1',
        'bias_ih_l1',
        'bias_hh_l1',
      ]);
      expect([sd.weight_ih_l0!.shape, sd.weight_hh_l0!.shape]).toEqual([
        [128, 8],
        [128, 32],
      ]);
      tf.dispose([x, output, h, c, logits, tail, ...Object.values(sd)]);
      lstm.dispose();
      head.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('doc-comment examples of the layers', () => {
      const rnn = new RNN({ inputSize: 4, hiddenSize: 8, numLayers: 2 });
      const r = rnn.forward(tf.ones([5, 3, 4]));
      expect([r.output.shape, r.h.shape]).toEqual([
        [5, 3, 8],
        [2, 3, 8],
      ]);
      const gru = new GRU({ inputSize: 4, hiddenSize: 8, batchFirst: true });
      const q = gru.forward(tf.ones([3, 5, 4]));
      expect([q.output.shape, q.h.shape]).toEqual([
        [3, 5, 8],
        [1, 3, 8],
      ]);
      const lstm = new LSTM({ inputSize: 4, hiddenSize: 8, bidirectional: true });
      const { output, h, c } = lstm.forward(tf.ones([5, 3, 4]), { lengths: [5, 2, 4] });
      expect([output.shape, h.shape, c.shape]).toEqual([
        [5, 3, 16],
        [2, 3, 8],
        [2, 3, 8],
      ]);
      tf.dispose([...Object.values(r), ...Object.values(q), output, h, c]);
      for (const m of [rnn, gru, lstm]) m.dispose();
    });

    it('doc-comment examples of the cells and the pure functions', () => {
      const rc = new RNNCell({ inputSize: 4, hiddenSize: 8 });
      const h1 = rc.forward(tf.ones([2, 4]));
      const h2 = rc.forward(tf.ones([2, 4]), h1);
      const lc = new LSTMCell({ inputSize: 4, hiddenSize: 8 });
      const [h, c] = lc.forward(tf.ones([2, 4]));
      const [hh, cc] = lc.forward(tf.ones([2, 4]), [h, c]);
      const gc = new GRUCell({ inputSize: 4, hiddenSize: 8 });
      const g1 = gc.forward(tf.ones([2, 4]));
      expect([h2, hh, cc, g1].map((t) => t.shape)).toEqual([
        [2, 8],
        [2, 8],
        [2, 8],
        [2, 8],
      ]);
      // The pure functions with the cells' parameters give the cells' results.
      const x = tf.ones([2, 4]) as tf.Tensor2D;
      const h0 = tf.zeros([2, 8]) as tf.Tensor2D;
      const w = (m: RNNCell | GRUCell | LSTMCell) => ({
        wIh: m.weight_ih,
        wHh: m.weight_hh,
        bIh: m.bias_ih,
        bHh: m.bias_hh,
      });
      const fr = rnnCell(x, h0, w(rc));
      const fl = lstmCell(x, h0, h0, w(lc));
      const fg = gruCell(x, h0, w(gc));
      const same = (a: tf.Tensor, b: tf.Tensor) =>
        tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
      for (const d of [same(fr, h1), same(fl.h, h), same(fl.c, c), same(fg, g1)]) {
        expect(d).toBeLessThan(1e-6);
      }
      tf.dispose([h1, h2, h, c, hh, cc, g1, x, h0, fr, fl.h, fl.c, fg]);
      for (const m of [rc, lc, gc]) m.dispose();
    });
  });
}
