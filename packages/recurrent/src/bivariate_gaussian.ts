import { checkTensor, fail, oneOf, shapeString } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Bivariate Gaussian parameters from a Linear's 5 raw outputs (Alahi et al. 2016, after Graves
 * 2013): [μx, μy, exp(ŝx), exp(ŝy), tanh(ρ̂)] -> `[..., 5]` with σ > 0 and |ρ| < 1.
 */
export function bivariateGaussianParams(raw: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [mx, my, sx, sy, r] = tf.split(raw, 5, -1);
    return tf.concat([mx!, my!, tf.exp(sx!), tf.exp(sy!), tf.tanh(r!)], -1);
  });
}

export interface BivariateGaussianNllOptions {
  /** `[...]` (the params' leading shape): 1 where the term counts, 0 where not (absent agents). Default: all. */
  mask?: tf.Tensor;
  /** 'mean' over the counted terms (default), 'sum', or 'none' (`[...]`, zeros where masked). */
  reduction?: 'mean' | 'sum' | 'none';
}

/**
 * Negative log-likelihood of targets under bivariate Gaussians (Social LSTM's loss, eq. 4):
 *   -log N(x, y | μ, σ, ρ) = log(2π σx σy sqrt(1 - ρ²)) + z / (2 (1 - ρ²)),
 *   z = dx² + dy² - 2ρ dx dy,  dx = (x - μx) / σx,  dy = (y - μy) / σy.
 * params `[..., 5]` = (μx, μy, σx, σy, ρ) (see `bivariateGaussianParams`), targets `[..., 2]`.
 * Masked entries use σ = 1, ρ = 0 inside (so zeros there give no NaN) and count nothing.
 *
 * @example
 * const { outputs } = model.forward(positions); // positions [T, N, 2] -> outputs [T, N, 5]
 * const loss = bivariateGaussianNll(tf.slice(outputs, 0, T - 1), tf.slice(positions, 1, T - 1));
 */
export function bivariateGaussianNll(
  params: tf.Tensor,
  targets: tf.Tensor,
  opts: BivariateGaussianNllOptions = {},
): tf.Tensor {
  const where = 'bivariateGaussianNll';
  checkTensor(where, 'params', params, {
    dims: { [-1]: 5 },
    dimNames: { [-1]: 'last dimension (μx, μy, σx, σy, ρ)' },
  });
  const lead = params.shape.slice(0, -1);
  if (shapeString(targets.shape) !== shapeString([...lead, 2])) {
    fail(
      where,
      'targets',
      `shape ${shapeString([...lead, 2])}`,
      `shape ${shapeString(targets.shape)}`,
    );
  }
  const reduction = oneOf(where, 'reduction', opts.reduction ?? 'mean', ['mean', 'sum', 'none']);
  if (opts.mask && shapeString(opts.mask.shape) !== shapeString(lead)) {
    fail(where, 'mask', `shape ${shapeString(lead)}`, `shape ${shapeString(opts.mask.shape)}`);
  }
  return tf.tidy(() => {
    let [mx, my, sx, sy, rho] = tf.unstack(params, -1) as tf.Tensor[];
    const m = opts.mask ? tf.cast(opts.mask, 'float32') : null;
    if (m) {
      const off = tf.sub(1, m);
      sx = tf.add(tf.mul(sx!, m), off);
      sy = tf.add(tf.mul(sy!, m), off);
      rho = tf.mul(rho!, m);
    }
    const [tx, ty] = tf.unstack(targets, -1) as [tf.Tensor, tf.Tensor];
    const dx = tf.div(tf.sub(tx, mx!), sx!);
    const dy = tf.div(tf.sub(ty, my!), sy!);
    const omr = tf.sub(1, tf.square(rho!)); // 1 - ρ²
    const z = tf.sub(tf.add(tf.square(dx), tf.square(dy)), tf.mul(2, tf.mul(rho!, tf.mul(dx, dy))));
    const logNorm = tf.add(tf.add(tf.log(sx!), tf.log(sy!)), tf.mul(0.5, tf.log(omr)));
    let nll = tf.add(tf.add(Math.log(2 * Math.PI), logNorm), tf.div(z, tf.mul(2, omr)));
    if (m) nll = tf.mul(nll, m);
    if (reduction === 'none') return nll;
    if (reduction === 'sum') return tf.sum(nll);
    return tf.div(tf.sum(nll), m ? tf.sum(m) : nll.size);
  });
}
