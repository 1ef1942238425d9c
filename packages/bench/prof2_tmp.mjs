import { setBackend } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { lenet5B64 } from './dist/index.js';

tf.env().set('PROD', true);
const backend = process.argv[2] ?? 'wasm';
await setBackend(backend);
for (const impl of lenet5B64.impls.slice(0, 2)) {
  const t = await impl.create({ backend, seed: 0 });
  await t.step();
  await t.step();
  const info = await tf.profile(async () => {
    await t.step();
  });
  const agg = {};
  for (const k of info.kernels) {
    agg[k.name] = (agg[k.name] ?? 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0);
  }
  const top = Object.entries(agg)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([n, v]) => `${n}=${v.toFixed(1)}`);
  console.log(impl.name, top.join(' '));
  t.dispose();
}
