import { setBackend, stockKernel } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
const [backendName, kname, roundsArg] = process.argv.slice(2);
await setBackend(backendName);
const be = tf.backend();
const kernelName = { concat: tf.Concat, pack: tf.Pack, slice: tf.Slice, unpack0: tf.Unpack, splitv: tf.SplitV, transpose: tf.Transpose }[kname];
function seeded(shape, seed) {
  let s = (seed * 2654435761) >>> 0;
  const values = Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 31 - 1; });
  return tf.tensor(values, shape);
}
function make(seed) {
  if (kname === 'concat' || kname === 'pack') return { inputs: Array.from({ length: 50 }, (_, t) => seeded([32, 512], seed + t)), attrs: () => ({ axis: 0 }), reps: 1 };
  if (kname === 'slice') { const x = seeded([50, 32, 512], seed); return { inputs: { x }, attrs: (t) => ({ begin: [t, 0, 0], size: [1, 32, 512] }), reps: 50 }; }
  if (kname === 'unpack0') { const value = seeded([50, 32, 512], seed); return { inputs: { value }, attrs: () => ({ axis: 0 }), reps: 1 }; }
  if (kname === 'splitv') { const x = seeded([50, 32, 512], seed); return { inputs: { x }, attrs: () => ({ numOrSizeSplits: 50, axis: 0 }), reps: 1 }; }
  if (kname === 'transpose') { const x = seeded([32, 50, 512], seed); return { inputs: { x }, attrs: () => ({ perm: [1, 0, 2] }), reps: 1 }; }
}
const cfg = { stock: stockKernel(kernelName, backendName), archzoo: tf.getKernel(kernelName, backendName) };
if (cfg.stock.setupFunc) cfg.stock.setupFunc(be);
const data = { stock: make(1), archzoo: make(1000) };
const step = (n) => { const k = data[n]; for (let r = 0; r < k.reps; r++) { const o = cfg[n].kernelFunc({ inputs: k.inputs, backend: be, attrs: k.attrs(r) }); for (const t of Array.isArray(o) ? o : [o]) be.disposeData(t.dataId); } };
const rounds = Number(roundsArg ?? 400);
const t = { stock: [], archzoo: [] };
for (let r = 0; r < rounds; r++) { const ord = r % 2 ? ['stock', 'archzoo'] : ['archzoo', 'stock']; for (const n of ord) { const t0 = performance.now(); step(n); t[n].push(performance.now() - t0); } }
const med = (a) => { const s = a.slice(20).sort((x, y) => x - y); return s[s.length >> 1]; };
const ratios = t.stock.map((s, i) => t.archzoo[i] / s).slice(20).sort((a, b) => a - b);
console.log(`${backendName} ${kname}: stock ${(med(t.stock) * 1000).toFixed(1)} us, archzoo ${(med(t.archzoo) * 1000).toFixed(1)} us, ratio of medians ${(med(t.archzoo) / med(t.stock)).toFixed(2)}, median per-round ratio ${ratios[ratios.length >> 1].toFixed(2)}`);
