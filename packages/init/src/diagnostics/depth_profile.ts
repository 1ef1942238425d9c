/**
 * The standard picture of why initialization matters: activation statistics through a deep
 * fully connected tanh or ReLU network, for naive N(0, 1), Glorot, He, LeCun and orthogonal
 * weights (zero biases). With N(0, 1) weights tanh units saturate and ReLU activations explode
 * by fan_in / 2 per layer; Glorot keeps tanh signals alive but lets ReLU signals halve per layer;
 * He keeps ReLU signals at constant variance.
 */
import * as tf from '@tensorflow/tfjs-core';
import { normal } from '../basic.js';
import { calculateGain } from '../fans.js';
import { kaimingNormal } from '../kaiming.js';
import { lecunNormal } from '../lecun.js';
import type { RandomOptions } from '../options.js';
import { orthogonal } from '../orthogonal.js';
import { defaultGenerator } from '../random.js';
import { xavierNormal } from '../xavier.js';
import { activationStats, type LayerStats } from './activation_stats.js';

/** The initializations compared by `depthProfile`. */
export type ProfileInit = 'naive' | 'glorot' | 'he' | 'lecun' | 'orthogonal';

/** Options of `depthProfile`. */
export interface DepthProfileOptions extends RandomOptions {
  /** Number of layers. Default 50. */
  depth?: number;
  /** Units per layer (and input size). Default 256. */
  width?: number;
  /** Examples in the batch, x ~ N(0, 1). Default 256. */
  batch?: number;
  activation: 'tanh' | 'relu';
  /** Default: all five. */
  inits?: readonly ProfileInit[];
}

/**
 * Weight [width, width] (archzoo layout [in, out]) of one init:
 * naive N(0, 1); glorot N(0, 2 / (fan_in + fan_out)); he N(0, 2 / fan_in) (relu) or
 * N(0, (5/3)^2 / fan_in) (tanh: Kaiming with tanh's gain); lecun N(0, 1 / fan_in);
 * orthogonal with the activation's gain.
 */
export function profileWeight(
  init: ProfileInit,
  width: number,
  act: 'tanh' | 'relu',
  opts: RandomOptions,
): tf.Tensor {
  const shape = [width, width];
  const generator = opts.generator;
  switch (init) {
    case 'naive':
      return normal(shape, { generator });
    case 'glorot':
      return xavierNormal(shape, { layout: 'archzoo', generator });
    case 'he':
      return kaimingNormal(shape, { layout: 'archzoo', nonlinearity: act, generator });
    case 'lecun':
      return lecunNormal(shape, { layout: 'archzoo', generator });
    case 'orthogonal':
      return orthogonal(shape, { layout: 'archzoo', gain: calculateGain(act), generator });
  }
}

/**
 * Per-layer statistics (`activationStats`) of the post-activation outputs of a
 * `depth`-layer, `width`-wide MLP, x_l = act(x_{l-1} W_l), one record per init.
 *
 * @example
 * const profile = depthProfile({ activation: 'relu', depth: 50, width: 256 });
 * profile.he.map((s) => s.variance); // roughly constant
 * profile.glorot.map((s) => s.variance); // halves every layer
 */
export function depthProfile(
  opts: DepthProfileOptions,
): Partial<Record<ProfileInit, LayerStats[]>> {
  const depth = opts.depth ?? 50;
  const width = opts.width ?? 256;
  const batch = opts.batch ?? 256;
  const g = opts.generator ?? defaultGenerator();
  const inits = opts.inits ?? (['naive', 'glorot', 'he', 'lecun', 'orthogonal'] as const);
  const input = normal([batch, width], { generator: g });
  const act = opts.activation === 'tanh' ? tf.tanh : tf.relu;
  const out: Partial<Record<ProfileInit, LayerStats[]>> = {};
  for (const init of inits) {
    const weights = Array.from({ length: depth }, () =>
      profileWeight(init, width, opts.activation, { generator: g }),
    );
    out[init] = activationStats(
      weights.map((w) => (x: tf.Tensor) => act(tf.matMul(x, w))),
      input,
    );
    weights.forEach((w) => w.dispose());
  }
  input.dispose();
  return out;
}
