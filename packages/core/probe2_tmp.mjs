import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import './src/generated/tfjs-gradients.js';
tf.env().set('IS_TEST', true);
function rnd(shape, seed){ let s=seed; const n=shape.reduce((a,b)=>a*b,1); const v=new Float32Array(n); for(let i=0;i<n;i++){s=(s*1103515245+12345)%2147483648; v[i]=s/2147483648*2-1;} return tf.tensor(v,shape);}
const cases = {
  maxPoolSame: [[2,6,7,3], (x)=>tf.maxPool(x,[3,3],[2,2],'same')],
  maxPoolSame1: [[1,5,5,1], (x)=>tf.maxPool(x,[2,2],[2,2],'same')],
  maxPoolExplicit: [[2,6,7,3], (x)=>tf.maxPool(x,[3,3],[2,2],[[0,0],[1,1],[1,1],[0,0]])],
  resizeBilinear: [[2,4,5,3], (x)=>tf.image.resizeBilinear(x,[8,9],false,true)],
  resizeBilinearSq: [[2,4,4,3], (x)=>tf.image.resizeBilinear(x,[8,9],false,true)],
  resizeBilinearAC: [[2,4,5,3], (x)=>tf.image.resizeBilinear(x,[8,9],true,false)],
  resizeBilinearPlain: [[2,4,5,3], (x)=>tf.image.resizeBilinear(x,[7,9],false,false)],
  resizeNN: [[2,4,5,3], (x)=>tf.image.resizeNearestNeighbor(x,[8,10],false,false)],
  resizeNNsq: [[1,4,4,1], (x)=>tf.image.resizeNearestNeighbor(x,[8,8],false,false)],
  resizeNN3: [[1,3,5,2], (x)=>tf.image.resizeNearestNeighbor(x,[7,9],false,false)],
  resizeNNhp: [[1,3,5,2], (x)=>tf.image.resizeNearestNeighbor(x,[7,9],false,true)],
};
for (const [name,[shape,f]] of Object.entries(cases)) {
  const line=[name];
  for (const be of ['cpu','wasm']) {
    await tf.setBackend(be); await tf.ready();
    const x = rnd(shape, 7); const r = rnd(f(x).shape, 99);
    const loss = (x)=>tf.sum(tf.mul(f(x), r));
    let g; try { g = tf.grad(loss)(x).dataSync(); } catch(e) { line.push(be+': ERR'); continue; }
    const xv = x.dataSync().slice(); const eps=1e-3; let m=0;
    for (let i=0;i<xv.length;i++){ const a=xv.slice(); a[i]+=eps; const b=xv.slice(); b[i]-=eps;
      const fd=(loss(tf.tensor(a,shape)).dataSync()[0]-loss(tf.tensor(b,shape)).dataSync()[0])/(2*eps); m=Math.max(m,Math.abs(fd-g[i])); }
    line.push(`${be}: fdErr=${m.toExponential(2)}`);
  }
  console.log(line.join(' '));
}
