import { ArchzooError } from '@archzoo/core';
import { maxAbsDiff, testBackends, uniformTensor, useBackend } from '@archzoo/core/testing';
import { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';

// Stateful streaming: the final states of one call start the next one.
const [T, B, I, H] = [6, 2, 3, 4];

for (const backend of testBackends()) {
  describe(`recurrent stateful mode (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    it('two chunks in stateful mode give the same outputs and states as one whole call', () => {
      const whole = new LSTM({
        inputSize: I,
        hiddenSize: H,
        numLayers: 2,
        generator: new Generator(3),
      });
      const streamed = new LSTM({
        inputSize: I,
        hiddenSize: H,
        numLayers: 2,
        stateful: true,
        generator: new Generator(3),
      });
      const x = uniformTensor([T, B, I], 1);
      const [x1, x2] = tf.split(x, [4, 2], 0);
      const ref = whole.forward(x);
      const a = streamed.forward(x1!);
      const b = streamed.forward(x2!);
      const joined = tf.concat([a.output, b.output], 0);
      expect(maxAbsDiff(joined, ref.output)).toBeLessThan(1e-6);
      expect(maxAbsDiff(b.h, ref.h)).toBeLessThan(1e-6);
      expect(maxAbsDiff(b.c, ref.c)).toBeLessThan(1e-6);
      // The carried states equal the returned ones, and resetStates() starts from zeros again.
      expect(maxAbsDiff(streamed.carriedStates![1]!, b.c)).toBe(0);
      streamed.resetStates();
      expect(streamed.carriedStates).toBeNull();
      const again = streamed.forward(x1!);
      expect(maxAbsDiff(again.output, a.output)).toBeLessThan(1e-6); // bitwise on cpu and wasm; webgl may differ in the last bits
      tf.dispose([x, x1!, x2!, joined, ...Object.values(ref), ...Object.values(a)]);
      tf.dispose([...Object.values(b), ...Object.values(again)]);
      whole.dispose();
      streamed.dispose();
    });

    it('a call with another batch size needs resetStates() first', () => {
      const gru = new GRU({
        inputSize: I,
        hiddenSize: H,
        stateful: true,
        generator: new Generator(1),
      });
      tf.dispose(Object.values(gru.forward(tf.zeros([T, B, I]))));
      expect(() => gru.forward(tf.zeros([T, B + 1, I]))).toThrow(ArchzooError);
      expect(() => gru.forward(tf.zeros([T, B + 1, I]))).toThrow(
        'GRU.forward: input expected batch size 2 (the carried state',
      );
      gru.resetStates();
      tf.dispose(Object.values(gru.forward(tf.zeros([T, B + 1, I]))));
      gru.dispose();
    });

    it('detachStates() cuts the gradient path between chunks (truncated BPTT)', () => {
      const gradOfFirstChunk = (detach: boolean): number => {
        const gru = new GRU({
          inputSize: I,
          hiddenSize: H,
          stateful: true,
          generator: new Generator(2),
        });
        const x1 = tf.variable(uniformTensor([T, B, I], 4));
        const x2 = tf.variable(uniformTensor([T, B, I], 5));
        const { value, grads } = tf.variableGrads(() => {
          tf.dispose(Object.values(gru.forward(x1)));
          if (detach) gru.detachStates();
          return tf.sum(gru.forward(x2).output) as tf.Scalar;
        }, [x1, x2]);
        const g = grads[x1.name];
        const norm = g ? tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!) : 0;
        tf.dispose([value, x1, x2, ...Object.values(grads)]);
        gru.dispose();
        return norm;
      };
      expect(gradOfFirstChunk(false)).toBeGreaterThan(1e-4);
      expect(gradOfFirstChunk(true)).toBe(0);
    });

    it('leaks no tensor: each call replaces the carried states; dispose() frees them', () => {
      const before = tf.memory().numTensors;
      const lstm = new LSTM({
        inputSize: I,
        hiddenSize: H,
        stateful: true,
        generator: new Generator(4),
      });
      const params = tf.memory().numTensors;
      const x = uniformTensor([T, B, I], 6);
      for (let i = 0; i < 3; i++) {
        tf.dispose(Object.values(lstm.forward(x, { lengths: [T, 2] })));
        expect(tf.memory().numTensors, `after call ${i + 1}`).toBe(params + 1 + 2); // x + h, c
      }
      lstm.detachStates();
      expect(tf.memory().numTensors).toBe(params + 3);
      x.dispose();
      lstm.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
