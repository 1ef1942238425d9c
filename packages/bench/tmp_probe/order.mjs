import { setBackend, stockKernel } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
await setBackend('wasm');
const be = tf.backend();
const stock = stockKernel(tf.Concat, 'wasm').kernelFunc;
const ours = tf.getKernel(tf.Concat, 'wasm').kernelFunc;
function seeded(shape, seed) {
  let s = (seed * 2654435761) >>> 0;
  const values = Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 31 - 1; });
  return tf.tensor(values, shape);
}
const order = process.argv[2].split(',');
for (const name of order) {
  const parts = Array.from({ length: 50 }, (_, t) => seeded([32, 512], t));
  const fn = name === 'stock' ? stock : ours;
  const ts = [];
  for (let i = 0; i < 200; i++) { const t0 = performance.now(); be.disposeData(fn({ inputs: parts, backend: be, attrs: { axis: 0 } }).dataId); ts.push(performance.now() - t0); }
  tf.dispose(parts);
  const s = ts.slice(20).sort((a, b) => a - b);
  console.log(name, (s[s.length >> 1] * 1000).toFixed(1), 'us', 'heap', be.wasm.HEAPU8.length / 2 ** 20, 'MB');
}
