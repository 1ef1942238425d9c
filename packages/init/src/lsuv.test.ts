import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { normal } from './basic.js';
import { type LsuvLayer, lsuv } from './lsuv.js';
import { Generator } from './random.js';
import { orthonormalRowsError, useCpu } from './testing/cpu.js';

beforeAll(useCpu);

function outputVariances(layers: LsuvLayer[], input: tf.Tensor): number[] {
  return tf.tidy(() => {
    let x = input;
    return layers.map((l) => {
      const y = l.forward(x);
      x = l.next ? l.next(y) : y;
      return tf.moments(y).variance.dataSync()[0]!;
    });
  });
}

describe('lsuv (Mishkin & Matas 2016)', () => {
  it('gives every layer output unit variance, sequentially, in a ReLU MLP and a conv net, without leaking tensors', () => {
    const g = new Generator(1);
    const input = normal([256, 64], { std: 3, generator: g });
    const widths = [64, 128, 96, 96, 32];
    const mlp: LsuvLayer[] = widths.slice(1).map((out, i) => {
      const w = tf.variable(tf.zeros([widths[i]!, out])); // archzoo [in, out]
      return { weight: w, forward: (x) => tf.matMul(x, w), next: (y) => tf.relu(y) };
    });
    const before = tf.memory().numTensors;
    const reports = lsuv(mlp, input, { layout: 'archzoo', tolVar: 0.05, generator: g });
    expect(tf.memory().numTensors).toBe(before);
    expect(reports).toHaveLength(4);
    for (const r of reports) {
      expect(Math.abs(r.varianceAfter - 1)).toBeLessThan(0.05);
      expect(r.iterations).toBeGreaterThanOrEqual(1);
    }
    // The orthogonal pre-init is there (rows of W^T orthonormal) up to LSUV's scale.
    const w0 = mlp[1]!.weight; // [128, 96]: torch view [96, 128] has orthonormal rows
    const t = tf.transpose(w0).dataSync();
    const s = reports[1]!.scale;
    expect(
      orthonormalRowsError(
        Float64Array.from(t, (x) => x / s),
        96,
        128,
      ),
    ).toBeLessThan(1e-4);
    for (const v of outputVariances(mlp, input)) expect(Math.abs(v - 1)).toBeLessThan(0.05);

    const img = normal([8, 10, 10, 3], { generator: g });
    const conv: LsuvLayer[] = [
      [3, 3, 3, 16],
      [3, 3, 16, 16],
    ].map((shape) => {
      const w = tf.variable(tf.zeros(shape));
      return {
        weight: w,
        forward: (x) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
        next: tf.tanh,
      };
    });
    const convReports = lsuv(conv, img, { layout: 'archzoo', generator: g });
    for (const r of convReports) expect(Math.abs(r.varianceAfter - 1)).toBeLessThan(0.1);
  });

  it('without the orthogonal pre-init only rescales the given weights, and stops at maxIters', () => {
    const w = tf.variable(tf.mul(normal([32, 32], { generator: new Generator(2) }), 10));
    const w0 = w.dataSync().slice();
    const x = normal([64, 32], { generator: new Generator(3) });
    const [r] = lsuv([{ weight: w, forward: (v) => tf.mul(0.5, tf.tanh(tf.matMul(v, w))) }], x, {
      orthogonalInit: false,
      maxIters: 2,
    });
    // 0.5 tanh has variance below 1/4: it never reaches 1, so exactly maxIters rescalings happen.
    expect(r!.iterations).toBe(2);
    const w1 = w.dataSync();
    w0.forEach((v, i) => expect(w1[i]).toBeCloseTo(v * r!.scale, 4));
  });
});
