// Regression: importing @archzoo/core BEFORE @tensorflow/tfjs-core must still give working
// gradients (the bundled gradient copy must not create tfjs's global engine). This file's first
// import is deliberately @archzoo/core.
import { BatchNorm2d, Conv2d, Generator, setBackend } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

it('trains BatchNorm when @archzoo/core is imported before @tensorflow/tfjs-core', async () => {
  await setBackend('wasm');
  const conv = new Conv2d({
    inChannels: 1,
    outChannels: 2,
    kernelSize: 3,
    generator: new Generator(0),
  });
  const bn = new BatchNorm2d({ numFeatures: 2 });
  const x = tf.randomNormal([2, 5, 5, 1], 0, 1, 'float32', 3);
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.square(bn.forward(conv.forward(x)))) as tf.Scalar,
    [...conv.parameters(), ...bn.parameters()],
  );
  expect(Object.keys(grads)).toHaveLength(4);
  for (const g of Object.values(grads))
    expect(Number.isFinite(tf.sum(g).dataSync()[0]!)).toBe(true);
  tf.dispose([x, value, ...Object.values(grads)]);
});
