import { setBackend, stockKernel } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';

const backendName = process.argv[2] ?? 'cpu';
await setBackend(backendName);
const be = tf.backend();

function time(label, fn, iters) {
  for (let i = 0; i < Math.max(3, iters / 10); i++) fn(i);
  const runs = [];
  for (let k = 0; k < 7; k++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) fn(i);
    runs.push((performance.now() - t0) / iters);
  }
  runs.sort((a, b) => a - b);
  console.log(`${label.padEnd(40)} ${(runs[3] * 1000).toFixed(2)} us/call (min ${(runs[0] * 1000).toFixed(2)})`);
}

function withStock(kernelName, fn) {
  const ours = tf.getKernel(kernelName, backendName);
  const stock = stockKernel(kernelName, backendName);
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel(stock);
  if (stock.setupFunc) stock.setupFunc(be);
  try { fn(); } finally { tf.unregisterKernel(kernelName, backendName); tf.registerKernel(ours); }
}

const which = process.argv[3] ?? 'slice';
if (which === 'slice') {
  const x = tf.randomUniform([50, 32, 512]);
  const stock = stockKernel(tf.Slice, backendName).kernelFunc;
  const ours = tf.getKernel(tf.Slice, backendName).kernelFunc;
  const attrs = (t) => ({ begin: [t % 50, 0, 0], size: [1, 32, 512] });
  const N = backendName === 'cpu' ? 20000 : 2000;
  for (let rep = 0; rep < 2; rep++) {
    time('stock kernel direct', (i) => be.disposeData(stock({ inputs: { x }, backend: be, attrs: attrs(i) }).dataId), N);
    time('archzoo kernel direct', (i) => be.disposeData(ours({ inputs: { x }, backend: be, attrs: attrs(i) }).dataId), N);
    time('tf.slice (archzoo)', (i) => tf.slice(x, [i % 50, 0, 0], [1, 32, 512]).dispose(), N);
    withStock(tf.Slice, () => time('tf.slice (stock registered)', (i) => tf.slice(x, [i % 50, 0, 0], [1, 32, 512]).dispose(), N));
  }
} else {
  const kernelName = which === 'concat' ? tf.Concat : tf.Pack;
  const parts = Array.from({ length: 50 }, () => tf.randomUniform([32, 512]));
  const stock = stockKernel(kernelName, backendName).kernelFunc;
  const ours = tf.getKernel(kernelName, backendName).kernelFunc;
  const op = () => (which === 'concat' ? tf.concat(parts, 0) : tf.stack(parts, 0));
  const N = 300;
  for (let rep = 0; rep < 2; rep++) {
    time('stock kernel direct', () => be.disposeData(stock({ inputs: parts, backend: be, attrs: { axis: 0 } }).dataId), N);
    time('archzoo kernel direct', () => be.disposeData(ours({ inputs: parts, backend: be, attrs: { axis: 0 } }).dataId), N);
    time('op (archzoo)', () => op().dispose(), N);
    withStock(kernelName, () => time('op (stock registered)', () => op().dispose(), N));
  }
}
