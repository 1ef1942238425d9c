import { setBackend, stockKernel } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
await setBackend('wasm');
const be = tf.backend();
const parts = Array.from({ length: 50 }, () => tf.randomUniform([32, 512]));
const stock = stockKernel(tf.Concat, 'wasm').kernelFunc;
const ours = tf.getKernel(tf.Concat, 'wasm').kernelFunc;
function proto({ inputs, backend }) {
  const outShape = [inputs.length * 32, 512];
  const out = backend.makeOutput(outShape, 'float32');
  const heap = backend.wasm.HEAPU8;
  let d = backend.dataIdMap.get(out.dataId).memoryOffset;
  for (const t of inputs) {
    const s = backend.dataIdMap.get(t.dataId).memoryOffset;
    const n = 4 * t.shape[0] * t.shape[1];
    heap.copyWithin(d, s, s + n);
    d += n;
  }
  return out;
}
function views({ inputs, backend }) {
  const out = backend.makeOutput([inputs.length * 32, 512], 'float32');
  let x = 0;
  for (const t of inputs) { const v = backend.typedArrayFromHeap(t); x += new Int32Array(v.buffer, v.byteOffset, v.length).length; }
  backend.disposeData(out.dataId);
  return null;
}
const impls = { stock, ours, proto };
const rounds = Number(process.argv[2] ?? 300);
const t = { stock: [], ours: [], proto: [] };
const a = { inputs: parts, backend: be, attrs: { axis: 0 } };
for (let r = 0; r < rounds; r++) for (const n of Object.keys(impls)) { const t0 = performance.now(); be.disposeData(impls[n](a).dataId); t[n].push(performance.now() - t0); }
const med = (x) => { const s = [...x].sort((p, q) => p - q); return s[s.length >> 1]; };
for (const n of Object.keys(impls)) console.log(n, (med(t[n]) * 1000).toFixed(1), 'us; first 20 median', (med(t[n].slice(0, 20)) * 1000).toFixed(1));
// check equality
const o1 = stock(a), o2 = proto(a), o3 = ours(a);
const v1 = be.typedArrayFromHeap(o1), v2 = be.typedArrayFromHeap(o2), v3 = be.typedArrayFromHeap(o3);
console.log('equal', v1.every((x, i) => x === v2[i] && x === v3[i]));
// view creation cost
let t0 = performance.now(); for (let i = 0; i < 2000; i++) for (const p of parts) be.typedArrayFromHeap(p); console.log('typedArrayFromHeap', ((performance.now() - t0) / 2000 / 50 * 1000).toFixed(3), 'us each');
t0 = performance.now(); for (let i = 0; i < 2000; i++) for (const p of parts) { const v = be.typedArrayFromHeap(p); new Int32Array(v.buffer, v.byteOffset, v.length); } console.log('+Int32 view', ((performance.now() - t0) / 2000 / 50 * 1000).toFixed(3), 'us each');
