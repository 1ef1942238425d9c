import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import './src/generated/tfjs-gradients.js';
function rnd(shape, seed){ let s=seed; const n=shape.reduce((a,b)=>a*b,1); const v=new Float32Array(n); for(let i=0;i<n;i++){s=(s*1103515245+12345)%2147483648; v[i]=s/2147483648*2-1;} return tf.tensor(v,shape);}
const cases = {
  maxPoolExplicit: [[[2,6,7,3]], (x)=>tf.maxPool(x,[3,3],[2,2],[[0,0],[1,1],[1,1],[0,0]])],
  maxPoolSame: [[[2,6,7,3]], (x)=>tf.maxPool(x,[3,3],[2,2],'same')],
  avgPool: [[[2,6,7,3]], (x)=>tf.avgPool(x,[2,3],[2,1],'valid')],
  avgPoolSame: [[[2,6,7,3]], (x)=>tf.avgPool(x,[3,3],[2,2],'same')],
  resizeBilinear: [[[2,4,5,3]], (x)=>tf.image.resizeBilinear(x,[8,9],false,true)],
  resizeBilinearAC: [[[2,4,5,3]], (x)=>tf.image.resizeBilinear(x,[8,9],true,false)],
  resizeNN: [[[2,4,5,3]], (x)=>tf.image.resizeNearestNeighbor(x,[8,10],false,false)],
  erf: [[[3,4]], (x)=>tf.erf(x)],
  conv2dTranspose: [[[2,4,5,3],[3,3,2,3]], (x,w)=>tf.conv2dTranspose(x,w,[2,9,11,2],[2,2],'valid')],
  conv2d: [[[2,6,7,3],[3,3,3,4]], (x,w)=>tf.conv2d(x,w,[2,1],[[0,0],[1,2],[0,1],[0,0]])],
  depthwise: [[[2,6,7,3],[3,3,3,2]], (x,w)=>tf.depthwiseConv2d(x,w,[1,1],[[0,0],[1,1],[1,1],[0,0]])],
  moments: [[[2,3,4,5]], (x)=>{const m=tf.moments(x,[0,1,2]); return tf.add(m.mean, m.variance);}],
  gather: [[[5,3]], (w)=>tf.gather(w, tf.tensor1d([0,3,3,1],'int32'))],
  leakyRelu: [[[3,4]], (x)=>tf.leakyRelu(x,0.1)],
  elu: [[[3,4]], (x)=>tf.elu(x)],
  selu: [[[3,4]], (x)=>tf.selu(x)],
  logSoftmax: [[[3,4]], (x)=>tf.logSoftmax(x)],
  softmax: [[[3,4]], (x)=>tf.softmax(x)],
  pow3: [[[3,4]], (x)=>tf.pow(x,3)],
  minimum: [[[3,4]], (x)=>tf.minimum(x,0)],
  sigmoid: [[[3,4]], (x)=>tf.sigmoid(x)],
  tanh: [[[3,4]], (x)=>tf.tanh(x)],
  rsqrt: [[[3,4]], (x)=>tf.rsqrt(tf.add(tf.abs(x),1))],
  relu: [[[3,4]], (x)=>tf.relu(x)],
  pad: [[[2,3,4,5]], (x)=>tf.pad(x,[[0,0],[1,2],[2,1],[0,0]])],
  slice: [[[2,3,4,5]], (x)=>tf.slice(x,[0,1,1,0],[2,2,2,5])],
  split: [[[2,3,4,6]], (x)=>tf.split(x,3,3)[1]],
  concat: [[[2,3],[2,4]], (a,b)=>tf.concat([a,b],1)],
  transpose: [[[2,3,4]], (x)=>tf.transpose(x,[2,0,1])],
  matMul: [[[3,4],[4,5]], (a,b)=>tf.matMul(a,b)],
  matMulT: [[[4,3],[5,4]], (a,b)=>tf.matMul(a,b,true,true)],
  mean: [[[3,4]], (x)=>tf.mean(x,1)],
  divmul: [[[3,4],[4]], (a,b)=>tf.div(tf.mul(a,b),tf.add(tf.abs(b),1))],
  expandSqueeze: [[[3,4]], (x)=>tf.squeeze(tf.expandDims(x,1))],
  cast: [[[3,4]], (x)=>tf.cast(x,'float32')],
  clone: [[[3,4]], (x)=>tf.clone(x)],
};
const results = {};
for (const be of ['cpu','wasm']) {
  await tf.setBackend(be); await tf.ready();
  for (const [name,[shapes,f]] of Object.entries(cases)) {
    try {
      const xs = shapes.map((s,i)=>rnd(s, 7+i*13));
      const g = tf.grads((...a)=>tf.sum(tf.mul(f(...a), rnd(f(...xs).shape, 99))));
      const gs = g(xs);
      results[name] ??= {}; results[name][be] = gs.map(t=>Array.from(t.dataSync()));
    } catch(e) { results[name] ??= {}; results[name][be] = 'ERR '+e.message.slice(0,150); }
  }
}
for (const [n,r] of Object.entries(results)) {
  if (typeof r.wasm === 'string' || typeof r.cpu === 'string') { console.log(n, 'cpu:', typeof r.cpu==='string'?r.cpu:'ok', '| wasm:', typeof r.wasm==='string'?r.wasm:'ok'); continue; }
  let m=0; r.cpu.forEach((a,i)=>a.forEach((v,j)=>{m=Math.max(m,Math.abs(v-r.wasm[i][j]))}));
  console.log(n, 'maxdiff', m.toExponential(2));
}
