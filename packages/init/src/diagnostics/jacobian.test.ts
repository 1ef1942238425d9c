import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Generator } from '../random.js';
import { useCpu } from '../testing/cpu.js';
import { jacobianFromVjp, networkJacobian, tfJacobian } from './jacobian.js';
import { type Conv2dLayer, layerForward, type Network, networkForward } from './network.js';
import { sampleConvNetwork, sampleDenseNetwork } from './random_networks.js';

beforeAll(useCpu);

/** Central finite differences of the network output, column by column. */
function finiteDifferences(net: Network, x: Float64Array, eps = 1e-6): Float64Array {
  const out = networkForward(net, x).post.at(-1)!;
  const j = new Float64Array(out.length * x.length);
  for (let q = 0; q < x.length; q++) {
    const xp = x.slice();
    const xm = x.slice();
    xp[q] += eps;
    xm[q] -= eps;
    const yp = networkForward(net, xp).post.at(-1)!;
    const ym = networkForward(net, xm).post.at(-1)!;
    for (let p = 0; p < out.length; p++) j[p * x.length + q] = (yp[p] - ym[p]) / (2 * eps);
  }
  return j;
}

describe('Jacobians from VJPs', () => {
  it('jacobianFromVjp stacks e_i^T J (doc example)', () => {
    const a = [
      [1, 2],
      [3, 4],
      [5, 6],
    ];
    const j = jacobianFromVjp(
      (v) => Float64Array.from([0, 1], (c) => v.reduce((s, vi, i) => s + vi * a[i]![c]!, 0)),
      3,
    );
    expect(j).toEqual({ rows: 3, cols: 2, data: Float64Array.from([1, 2, 3, 4, 5, 6]) });
  });

  it('networkJacobian matches finite differences (dense tanh with biases, relu, conv)', () => {
    const g = new Generator(1);
    const nets = [
      sampleDenseNetwork({
        widths: [5, 7, 6, 4],
        sigmaW2: 1.5,
        sigmaB2: 0.1,
        hidden: 'tanh',
        generator: g,
      }),
      sampleDenseNetwork({
        widths: [6, 8, 3],
        sigmaW2: 2,
        hidden: 'relu',
        output: 'relu',
        generator: g,
      }),
      sampleConvNetwork({
        depth: 3,
        channels: 3,
        height: 4,
        width: 5,
        sigmaW2: 1.2,
        sigmaB2: 0.05,
        generator: g,
      }),
    ];
    for (const net of nets) {
      const n0 = net.layers[0]!.kind === 'dense' ? net.layers[0]!.inSize : 4 * 5 * 3;
      const x = Float64Array.from({ length: n0 }, () => g.normal());
      const j = networkJacobian(net, x);
      const fd = finiteDifferences(net, x);
      let err = 0;
      for (let i = 0; i < fd.length; i++) err = Math.max(err, Math.abs(fd[i] - j.data[i]));
      expect(err).toBeLessThan(1e-7);
    }
  });

  it('the circular conv layer agrees with tf.conv2d away from the border', () => {
    const net = sampleConvNetwork({
      depth: 1,
      channels: 4,
      height: 6,
      width: 7,
      sigmaB2: 0.1,
      generator: new Generator(2),
    });
    const layer = net.layers[0] as Conv2dLayer;
    const g = new Generator(3);
    const x = Float64Array.from({ length: 6 * 7 * 4 }, () => g.normal());
    const ours = layerForward(layer, x);
    const theirs = tf.tidy(() => {
      const w = tf.tensor4d(Float32Array.from(layer.weight), [3, 3, 4, 4]);
      const y = tf.conv2d(tf.tensor4d(Float32Array.from(x), [1, 6, 7, 4]), w, 1, 'valid'); // [1, 4, 5, 4]
      return tf.add(y, tf.tensor1d(Float32Array.from(layer.bias!))).dataSync();
    });
    for (let y = 0; y < 4; y++) {
      for (let xx = 0; xx < 5; xx++) {
        for (let o = 0; o < 4; o++) {
          expect(ours[((y + 1) * 7 + xx + 1) * 4 + o]).toBeCloseTo(
            theirs[(y * 5 + xx) * 4 + o]!,
            5,
          );
        }
      }
    }
  });

  it('tfJacobian builds J from tf.grad VJPs (here through a tf.customGrad op)', () => {
    const g = new Generator(4);
    const net = sampleDenseNetwork({
      widths: [5, 3],
      sigmaW2: 1,
      hidden: 'tanh',
      output: 'tanh',
      generator: g,
    });
    const layer = net.layers[0]!;
    // archzoo layout [in, out] for tf.matMul(x, w).
    const wt = new Float32Array(5 * 3);
    for (let o = 0; o < 3; o++)
      for (let i = 0; i < 5; i++) wt[i * 3 + o] = layer.weight[o * 5 + i]!;
    const w = tf.tensor2d(wt, [5, 3]);
    const f = tf.customGrad((x, save) => {
      const y = tf.tanh(tf.matMul(x as tf.Tensor2D, w));
      (save as tf.GradSaveFunc)([y]);
      return {
        value: y,
        gradFunc: (dy, saved) =>
          tf.matMul(tf.mul(dy, tf.sub(1, tf.square(saved[0]!))) as tf.Tensor2D, w, false, true),
      };
    }) as (x: tf.Tensor) => tf.Tensor;
    const x = Float64Array.from({ length: 5 }, () => g.normal());
    const j = tfJacobian(f, tf.tensor2d(Float32Array.from(x), [1, 5]));
    const want = networkJacobian(net, x);
    expect([j.rows, j.cols]).toEqual([3, 5]);
    j.data.forEach((v, i) => expect(v).toBeCloseTo(want.data[i]!, 5));
  });
});
