/**
 * LSUV, layer-sequential unit-variance initialization: Mishkin & Matas 2016, "All you need is a
 * good init" (ICLR), Algorithm 1.
 *
 * Data-dependent: after an orthogonal pre-initialization, walk the layers in order and rescale
 * each weight by 1 / sqrt(Var[B_L]), B_L the layer's output on a mini-batch, until
 * |Var[B_L] - 1| < tolVar (or maxIters passes). Works for any layer whose output scales with its
 * weight; needs only tfjs-core (no gradients).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WeightLayout } from './fans.js';
import type { RandomOptions } from './options.js';
import { orthogonal } from './orthogonal.js';

/** One layer for LSUV: the weight to rescale and how to run the layer. */
export interface LsuvLayer {
  /** The weight that is (re)initialized and rescaled in place. */
  weight: tf.Variable;
  /**
   * The layer's output B_L whose variance is set to 1, usually the pre-activation `x W + b`,
   * given the previous layer's `next(B)` (or the input batch for the first layer).
   */
  forward: (x: tf.Tensor) => tf.Tensor;
  /** From this layer's output to the next layer's input, e.g. the nonlinearity. Default: identity. */
  next?: (y: tf.Tensor) => tf.Tensor;
}

/** Options of `lsuv`. */
export interface LsuvOptions extends RandomOptions {
  /** Tol_var: stop when |Var - 1| < tolVar. Default 0.1 (the paper's). */
  tolVar?: number;
  /** T_max: at most this many rescalings per layer. Default 10 (the paper's). */
  maxIters?: number;
  /** Pre-initialize every weight with `orthogonal` first (the paper's step 1). Default true. */
  orthogonalInit?: boolean;
  /** Layout of the weights, for the orthogonal pre-init (see `orthogonal`). Default 'torch'. */
  layout?: WeightLayout;
}

/** What LSUV did to one layer. */
export interface LsuvLayerReport {
  layer: number;
  /** Var[B_L] after the orthogonal pre-init, before any rescaling. */
  varianceBefore: number;
  /** Var[B_L] at the end. */
  varianceAfter: number;
  /** How many rescalings were applied. */
  iterations: number;
  /** The product of the factors the weight was multiplied by. */
  scale: number;
}

/** Var[B_L] over every element of the layer's output on x. */
function outputVariance(layer: LsuvLayer, x: tf.Tensor): number {
  return tf.tidy(() => tf.moments(layer.forward(x)).variance.dataSync()[0]!);
}

/**
 * LSUV (Mishkin & Matas 2016): for each layer L in order,
 *   while |Var[B_L] - 1| >= tolVar and iterations < maxIters:  W_L <- W_L / sqrt(Var[B_L]),
 * with Var over every element of the layer output on the batch `input`.
 * Modifies the weights in place; returns one report per layer.
 *
 * @example
 * const w = tf.variable(tf.zeros([784, 256]));
 * lsuv([{ weight: w, forward: (x) => tf.matMul(x, w), next: tf.relu }], batch, { layout: 'archzoo' });
 */
export function lsuv(
  layers: readonly LsuvLayer[],
  input: tf.Tensor,
  opts: LsuvOptions = {},
): LsuvLayerReport[] {
  const tolVar = opts.tolVar ?? 0.1;
  const maxIters = opts.maxIters ?? 10;
  const reports: LsuvLayerReport[] = [];
  let x = input;
  layers.forEach((layer, index) => {
    if (opts.orthogonalInit ?? true) {
      const w = orthogonal(layer.weight.shape, { layout: opts.layout, generator: opts.generator });
      layer.weight.assign(w);
      w.dispose();
    }
    let v = outputVariance(layer, x);
    const report: LsuvLayerReport = {
      layer: index,
      varianceBefore: v,
      varianceAfter: v,
      iterations: 0,
      scale: 1,
    };
    while (
      Math.abs(v - 1) >= tolVar &&
      report.iterations < maxIters &&
      v > 0 &&
      Number.isFinite(v)
    ) {
      const factor = 1 / Math.sqrt(v);
      const scaled = tf.tidy(() => tf.mul(layer.weight, factor));
      layer.weight.assign(scaled);
      scaled.dispose();
      report.scale *= factor;
      report.iterations++;
      v = outputVariance(layer, x);
    }
    report.varianceAfter = v;
    reports.push(report);
    const nextX = tf.tidy(() => {
      const y = layer.forward(x);
      return layer.next ? layer.next(y) : y;
    });
    if (x !== input) x.dispose();
    x = nextX;
  });
  if (x !== input) x.dispose();
  return reports;
}
