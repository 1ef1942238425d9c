import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { deltaOrthogonal } from './delta_orthogonal.js';
import { dirac, eye } from './identity.js';
import { Generator } from './random.js';
import { orthonormalColumnsError, orthonormalRowsError, useCpu } from './testing/cpu.js';

beforeAll(useCpu);

describe('eye', () => {
  it('puts ones on the diagonal of rectangular shapes', () => {
    expect(Array.from(eye([2, 3]).dataSync())).toEqual([1, 0, 0, 0, 1, 0]);
    expect(Array.from(eye([3, 2]).dataSync())).toEqual([1, 0, 0, 1, 0, 0]);
    expect(() => eye([2, 2, 2])).toThrow(RangeError);
  });
});

describe('dirac', () => {
  it('makes a same-padded conv2d (archzoo layout = tfjs filter layout) the identity', () => {
    const x = tf.randomNormal([2, 5, 6, 4]);
    const w = dirac([3, 3, 4, 4], { layout: 'archzoo' }) as tf.Tensor4D;
    const y = tf.conv2d(x as tf.Tensor4D, w, 1, 'same');
    expect(tf.max(tf.abs(tf.sub(y, x))).dataSync()[0]).toBe(0);
    // With more output channels, the extra ones are zero.
    const y2 = tf.conv2d(
      x as tf.Tensor4D,
      dirac([5, 5, 4, 6], { layout: 'archzoo' }) as tf.Tensor4D,
      1,
      'same',
    );
    expect(tf.max(tf.abs(tf.sub(tf.slice(y2, [0, 0, 0, 0], [2, 5, 6, 4]), x))).dataSync()[0]).toBe(
      0,
    );
    expect(tf.max(tf.abs(tf.slice(y2, [0, 0, 0, 4], [2, 5, 6, 2]))).dataSync()[0]).toBe(0);
  });

  it('torch and archzoo layouts hold the same weight', () => {
    const t = dirac([6, 3, 3, 3], { groups: 2 });
    const a = dirac([3, 3, 3, 6], { groups: 2, layout: 'archzoo' });
    const back = tf.transpose(a, [3, 2, 0, 1]);
    expect(Array.from(back.dataSync())).toEqual(Array.from(t.dataSync()));
  });
});

describe('deltaOrthogonal (Xiao et al. 2018)', () => {
  it('is orthogonal at the spatial centre and zero elsewhere', () => {
    const [k, cin, cout] = [3, 8, 16];
    const gain = 1.3;
    const v = deltaOrthogonal([k, k, cin, cout], {
      gain,
      layout: 'archzoo',
      generator: new Generator(1),
    }).dataSync();
    const centre = new Float64Array(cin * cout);
    for (let dy = 0; dy < k; dy++) {
      for (let dx = 0; dx < k; dx++) {
        for (let i = 0; i < cin * cout; i++) {
          const x = v[(dy * k + dx) * cin * cout + i];
          if (dy === 1 && dx === 1) centre[i] = x / gain;
          else expect(x).toBe(0);
        }
      }
    }
    // [cin, cout] with cin <= cout: orthonormal rows (an isometry x -> x H).
    expect(orthonormalRowsError(centre, cin, cout)).toBeLessThan(1e-5);
  });

  it('makes a conv2d an isometry of every pixel (c_out >= c_in), with circular and zero padding alike', () => {
    const w = deltaOrthogonal([3, 3, 6, 10], {
      layout: 'archzoo',
      generator: new Generator(2),
    }) as tf.Tensor4D;
    const x = tf.randomNormal([2, 7, 5, 6]) as tf.Tensor4D;
    const y = tf.conv2d(x, w, 1, 'same');
    const nx = tf.norm(x, 'euclidean', -1).dataSync();
    const ny = tf.norm(y, 'euclidean', -1).dataSync();
    nx.forEach((n, i) => expect(Math.abs(ny[i] - n)).toBeLessThan(1e-5 * (1 + n)));
  });

  it('torch layout is the same weight permuted; groups get separate orthogonal blocks', () => {
    const t = deltaOrthogonal([16, 8, 3], { generator: new Generator(3) }).dataSync(); // [out, in, k]
    const a = deltaOrthogonal([3, 8, 16], {
      layout: 'archzoo',
      generator: new Generator(3),
    }).dataSync(); // [k, in, out]
    for (let o = 0; o < 16; o++)
      for (let i = 0; i < 8; i++)
        for (let p = 0; p < 3; p++) expect(a[(p * 8 + i) * 16 + o]).toBe(t[(o * 8 + i) * 3 + p]);
    // groups = 2, torch [8, 3, 3, 3]: out channels 0-3 use in 0-2 of group 0, 4-7 of group 1.
    const g = deltaOrthogonal([8, 3, 3, 3], { groups: 2, generator: new Generator(4) }).dataSync();
    for (const gr of [0, 1]) {
      const block = new Float64Array(4 * 3);
      for (let o = 0; o < 4; o++)
        for (let i = 0; i < 3; i++) block[o * 3 + i] = g[(((gr * 4 + o) * 3 + i) * 3 + 1) * 3 + 1];
      expect(orthonormalColumnsError(block, 4, 3)).toBeLessThan(1e-5);
    }
  });

  it('rejects non-conv shapes', () => {
    expect(() => deltaOrthogonal([4, 4])).toThrow(RangeError);
  });
});
