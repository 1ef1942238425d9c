import { accuracy, Adam, crossEntropy, Generator, setBackend, trainStep } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { MnistCnn } from './mnist.js';

it('debug', async () => {
  await setBackend('wasm');
  const net = new MnistCnn({ generator: new Generator(0) });
  const x = tf.randomNormal([8, 28, 28, 1]);
  const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
  const yf = tf.oneHot(y, 10).toFloat();
  const opt = new Adam(net.parameters(), { lr: 1e-3 });
  const tryit = (name: string, f: () => tf.Tensor) => {
    try { trainStep(f, net.parameters(), opt); console.log(name, 'ok'); } catch (e) { console.log(name, 'FAIL', (e as Error).message); }
  };
  tryit('int32', () => crossEntropy(net.forward(x), y));
  tryit('onehot', () => crossEntropy(net.forward(x), yf));
  tryit('int32+metric', () => { const o = net.forward(x); accuracy(o, y); return crossEntropy(o, y); });
  tryit('sum', () => tf.sum(net.forward(x)));
  tryit('conv1', () => tf.sum(net.conv1.forward(x)));
  tryit('conv1bn', () => tf.sum(net.bn1.forward(net.conv1.forward(x))));
  net.eval();
  tryit('eval sum', () => tf.sum(net.forward(x)));
});
