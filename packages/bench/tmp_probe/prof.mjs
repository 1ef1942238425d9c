import { setBackend } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
await setBackend('wasm');
const be = tf.backend();
const parts = Array.from({ length: 50 }, () => tf.randomUniform([32, 512]));
const k = tf.getKernel(tf.Concat, 'wasm');
const R = Number(process.argv[2] ?? 3000);
const mode = process.argv[3];
const t0 = performance.now();
for (let i = 0; i < R; i++) {
  if (mode === 'op') tf.concat(parts, 0).dispose();
  else if (mode === 'rk') tf.engine().runKernel(tf.Concat, parts, { axis: 0 }).dispose();
  else be.disposeData(k.kernelFunc({ inputs: parts, backend: be, attrs: { axis: 0 } }).dataId);
}
console.log(mode, ((performance.now() - t0) / R * 1000).toFixed(1), 'us');
