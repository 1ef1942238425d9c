import { checkTensor, fail, finiteNumber, positiveInt } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';

export interface SocialPoolingOptions {
  /** N_s: side of the square neighbourhood around each agent, in the positions' units. */
  neighborhoodSize: number;
  /** N_0: the neighbourhood is cut into N_0 x N_0 cells. */
  gridSize: number;
  /** `[N]` int32 (or numbers): agents only see neighbours of their own scene. Default: one scene. */
  sceneIds?: tf.Tensor | readonly number[];
  /** `[N]` 1 for agents present, 0 for absent ones (they neither see nor are seen). Default: all present. */
  mask?: tf.Tensor | readonly number[];
}

function valuesOf(
  where: string,
  name: string,
  v: tf.Tensor | readonly number[],
  n: number,
): ArrayLike<number> {
  if (Array.isArray(v)) {
    if (v.length !== n) fail(where, name, `${n} values (one per agent)`, `${v.length}`);
    return v as number[];
  }
  const t = checkTensor(where, name, v, {
    rank: 1,
    dtype: ['int32', 'float32', 'bool'],
    dims: { 0: n },
    dimNames: { 0: 'dimension 0 (agents)' },
  });
  return t.dataSync();
}

/**
 * The social pooling layer of Social LSTM (Alahi et al. 2016, eq. 1): for each agent i, an
 * N_0 x N_0 occupancy grid of its neighbours' hidden states,
 *
 *   H_i(m, n, :) = Σ_{j ∈ N_i} 1_mn[x_j - x_i, y_j - y_i] h_j,
 *
 * where cell (m, n) covers x_j - x_i ∈ [-N_s/2 + m N_s/N_0, -N_s/2 + (m+1) N_s/N_0) (m along x,
 * n along y, half-open), j ≠ i, same scene, both present. Returns H flattened `[N, N_0 N_0 H]`,
 * index (m N_0 + n) H + k. The grid assignment is read from the positions' values on the CPU (it
 * is piecewise constant: the positions get no gradient through it); H is linear in `hidden`.
 *
 * @example
 * const H = socialPooling(tf.tensor2d([[0, 0], [0.3, 0.2]]), tf.ones([2, 4]), { neighborhoodSize: 2, gridSize: 4 }); // [2, 64]
 */
export function socialPooling(
  positions: tf.Tensor,
  hidden: tf.Tensor,
  opts: SocialPoolingOptions,
): tf.Tensor {
  const where = 'socialPooling';
  const p = checkTensor(where, 'positions', positions, {
    rank: 2,
    layout: '[N, 2]',
    dims: { 1: 2 },
    dimNames: { 1: 'dimension 1 (x, y)' },
  });
  const n = p.shape[0]!;
  const h = checkTensor(where, 'hidden', hidden, {
    rank: 2,
    layout: '[N, H]',
    dims: { 0: n },
    dimNames: { 0: 'dimension 0 (agents, that of positions)' },
  });
  const ns = finiteNumber(where, 'neighborhoodSize', opts.neighborhoodSize, 0);
  if (!(ns > 0)) fail(where, 'option neighborhoodSize', 'a number > 0', ns);
  const g = positiveInt(where, 'gridSize', opts.gridSize);
  const scene = opts.sceneIds === undefined ? null : valuesOf(where, 'sceneIds', opts.sceneIds, n);
  const present = opts.mask === undefined ? null : valuesOf(where, 'mask', opts.mask, n);
  const xy = p.dataSync();
  const cell = ns / g;
  const cells = g * g;
  // indicator[(i * G² + m G + n) * N + j] = 1 when j falls in cell (m, n) of i
  const indicator = new Float32Array(n * cells * n);
  for (let i = 0; i < n; i++) {
    if (present && present[i] === 0) continue;
    for (let j = 0; j < n; j++) {
      if (j === i || (present && present[j] === 0) || (scene && scene[j] !== scene[i])) continue;
      const m = Math.floor((xy[2 * j]! - xy[2 * i]! + ns / 2) / cell);
      const q = Math.floor((xy[2 * j + 1]! - xy[2 * i + 1]! + ns / 2) / cell);
      if (m < 0 || m >= g || q < 0 || q >= g) continue;
      indicator[(i * cells + m * g + q) * n + j] = 1;
    }
  }
  return tf.tidy(() => {
    const ind = tf.tensor2d(indicator, [n * cells, n]); // [N G², N]
    const pooled = tf.matMul(ind, h as tf.Tensor2D); // [N G², H]
    return tf.reshape(pooled, [n, cells * h.shape[1]!]); // [N, G² H]
  });
}
