import { setBackend, stockKernel } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
const [backendName, which, roundsArg] = process.argv.slice(2);
await setBackend(backendName);
const be = tf.backend();
const rounds = Number(roundsArg ?? 200);
const kernelName = { slice: tf.Slice, concat: tf.Concat, pack: tf.Pack }[which];
let args, op, inner;
if (which === 'slice') {
  const x = tf.randomUniform([50, 32, 512]);
  args = (i) => ({ inputs: { x }, backend: be, attrs: { begin: [i % 50, 0, 0], size: [1, 32, 512] } });
  op = (i) => tf.slice(x, [i % 50, 0, 0], [1, 32, 512]);
  inner = 50;
} else {
  const parts = Array.from({ length: 50 }, () => tf.randomUniform([32, 512]));
  args = () => ({ inputs: parts, backend: be, attrs: { axis: 0 } });
  op = () => (which === 'concat' ? tf.concat(parts, 0) : tf.stack(parts, 0));
  inner = 1;
}
const stock = stockKernel(kernelName, backendName);
const oursCfg = tf.getKernel(kernelName, backendName);
const free = (o) => { for (const t of Array.isArray(o) ? o : [o]) be.disposeData(t.dataId); };
const impls = {
  stockDirect: () => { for (let i = 0; i < inner; i++) free(stock.kernelFunc(args(i))); },
  oursDirect: () => { for (let i = 0; i < inner; i++) free(oursCfg.kernelFunc(args(i))); },
  oursOp: () => { for (let i = 0; i < inner; i++) tf.dispose(op(i)); },
  stockOp: () => {
    tf.unregisterKernel(kernelName, backendName); tf.registerKernel(stock);
    for (let i = 0; i < inner; i++) tf.dispose(op(i));
    tf.unregisterKernel(kernelName, backendName); tf.registerKernel(oursCfg);
  },
};
const names = (process.argv[5] ?? Object.keys(impls).join(',')).split(',');
const t = Object.fromEntries(names.map((n) => [n, []]));
for (let r = 0; r < rounds; r++) for (const n of names) { const t0 = performance.now(); impls[n](); t[n].push(performance.now() - t0); }
const med = (a) => { const s = a.slice(rounds / 4).sort((x, y) => x - y); return s[s.length >> 1]; };
const ref = med(t[names[0]]);
for (const n of names) console.log(`${backendName} ${which} ${n.padEnd(12)} ${(med(t[n]) * 1000).toFixed(1)} us/step  ${(med(t[n]) / ref).toFixed(2)}x`);
