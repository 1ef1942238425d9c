import * as tf from '@tensorflow/tfjs-core';
import { setBackend, Generator, Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear, Adam, OneCycleLR, crossEntropy, fit, accuracy, predict } from '@archzoo/core';
import { loadMnist, DataLoader } from '@archzoo/datasets';
const [c1, c2, bs, epochs, maxLr, limit] = process.argv.slice(2).map(Number);
tf.env().set('PROD', true);
const t0 = performance.now();
await setBackend('wasm');
const { train, test } = await loadMnist({ testSize: 2000, seed: 0 });
console.log('load', ((performance.now()-t0)/1000).toFixed(1));
const g = new Generator(0);
const model = new Sequential(
  new Conv2d({ inChannels: 1, outChannels: c1, kernelSize: 3, padding: 1, generator: g }),
  new BatchNorm2d({ numFeatures: c1 }), new ReLU(), new MaxPool2d({ kernelSize: 2 }),
  new Conv2d({ inChannels: c1, outChannels: c2, kernelSize: 3, padding: 1, generator: g }),
  new BatchNorm2d({ numFeatures: c2 }), new ReLU(), new MaxPool2d({ kernelSize: 2 }),
  new Flatten(), new Linear({ inFeatures: c2 * 49, outFeatures: 10, generator: g }),
);
let xtr = train.x, ytr = train.y;
if (limit) { xtr = tf.slice(train.x, 0, limit); ytr = tf.slice(train.y, 0, limit); }
const loader = new DataLoader({ x: xtr, y: ytr }, { batchSize: bs, seed: 0 });
const opt = new Adam(model.parameters(), { lr: maxLr });
const sched = new OneCycleLR(opt, { maxLr, epochs, stepsPerEpoch: loader.length });
const h = await fit(model, loader, { loss: crossEntropy, optimizer: opt, scheduler: sched, epochs, metrics: { accuracy } });
const out = predict(model, test.x, { batchSize: 500 });
console.log('test acc', accuracy(out, test.y), 'total', ((performance.now()-t0)/1000).toFixed(1));
