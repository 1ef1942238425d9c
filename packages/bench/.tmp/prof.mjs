import * as tf from '@tensorflow/tfjs-core';
import { setBackend, Generator, Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear, Adam, crossEntropy, trainStep } from '@archzoo/core';
const [c1, c2, bs] = process.argv.slice(2).map(Number);
tf.env().set('PROD', true);
await setBackend('wasm');
const g = new Generator(0);
const model = new Sequential(
  new Conv2d({ inChannels: 1, outChannels: c1, kernelSize: 3, padding: 1, generator: g }),
  new BatchNorm2d({ numFeatures: c1 }), new ReLU(), new MaxPool2d({ kernelSize: 2 }),
  new Conv2d({ inChannels: c1, outChannels: c2, kernelSize: 3, padding: 1, generator: g }),
  new BatchNorm2d({ numFeatures: c2 }), new ReLU(), new MaxPool2d({ kernelSize: 2 }),
  new Flatten(), new Linear({ inFeatures: c2 * 49, outFeatures: 10, generator: g }),
);
const x = tf.randomUniform([bs, 28, 28, 1]); const y = tf.randomUniform([bs], 0, 10, 'int32');
const opt = new Adam(model.parameters(), { lr: 1e-3 });
const step = () => trainStep(() => crossEntropy(model.forward(x), y), model.parameters(), opt);
for (let i = 0; i < 3; i++) step();
const t0 = performance.now(); for (let i = 0; i < 5; i++) step(); const per = (performance.now()-t0)/5;
console.log('ms/step', per.toFixed(1), 'samples/s', (bs*1000/per).toFixed(0));
const p = await tf.profile(() => { step(); });
const agg = {};
for (const k of p.kernels) { const t = await k.kernelTimeMs; const key = k.name + ' ' + JSON.stringify(k.inputShapes); agg[key] = (agg[key] ?? 0) + (typeof t === 'number' ? t : 0); }
const tot = Object.values(agg).reduce((a,b)=>a+b,0);
console.log('total kernel ms', tot.toFixed(1), 'kernels', p.kernels.length);
for (const [k, v] of Object.entries(agg).sort((a,b)=>b[1]-a[1]).slice(0, 15)) console.log(v.toFixed(1).padStart(7), k);
