/**
 * Activation statistics through depth: what Glorot & Bengio 2010 (Fig. 3-7) and He et al. 2015
 * plot to show vanishing, exploding and saturating signals, for any stack of tfjs layers.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Statistics of one layer's output on a batch. */
export interface LayerStats {
  /** 0-based index of the layer. */
  layer: number;
  /** Mean over every element of the output. */
  mean: number;
  /** Variance over every element of the output. */
  variance: number;
  /** Fraction of units (output elements per example) that are 0 (|a| <= deadThreshold) for every example of the batch. */
  deadFraction: number;
  /** Fraction of all output elements with |a| >= saturationThreshold (tanh units near +-1). */
  saturatedFraction: number;
}

/** Options of `activationStats`. */
export interface ActivationStatsOptions {
  /** |a| <= this counts as zero for `deadFraction`. Default 0. */
  deadThreshold?: number;
  /** |a| >= this counts as saturated. Default 0.99. */
  saturationThreshold?: number;
}

/**
 * Runs `input` [B, ...] through `layers` in order and returns, for each layer's output [B, ...],
 * its mean, variance, fraction of dead units (zero on the whole batch) and fraction of saturated
 * values. Plain numbers, ready to plot; the intermediate tensors are disposed. A layer whose
 * values overflow reports Infinity or NaN, which is the point of the naive-init picture.
 *
 * @example
 * const w = [tf.randomNormal([64, 64]), tf.randomNormal([64, 64])];
 * activationStats(w.map((wi) => (x) => tf.tanh(tf.matMul(x, wi))), tf.randomNormal([128, 64]));
 */
export function activationStats(
  layers: readonly ((x: tf.Tensor) => tf.Tensor)[],
  input: tf.Tensor,
  opts: ActivationStatsOptions = {},
): LayerStats[] {
  const dead = opts.deadThreshold ?? 0;
  const saturation = opts.saturationThreshold ?? 0.99;
  const out: LayerStats[] = [];
  let x = input;
  layers.forEach((layer, index) => {
    const y = tf.tidy(() => layer(x));
    const [mean, variance, deadFraction, saturatedFraction] = tf.tidy(() => {
      const { mean, variance } = tf.moments(y);
      const abs = tf.abs(y);
      const deadUnits = tf.all(tf.lessEqual(abs, dead), 0); // [...unit dims]
      return [
        mean.dataSync()[0]!,
        variance.dataSync()[0]!,
        tf.mean(tf.cast(deadUnits, 'float32')).dataSync()[0]!,
        tf.mean(tf.cast(tf.greaterEqual(abs, saturation), 'float32')).dataSync()[0]!,
      ];
    });
    out.push({ layer: index, mean, variance, deadFraction, saturatedFraction });
    if (x !== input) x.dispose();
    x = y;
  });
  if (x !== input) x.dispose();
  return out;
}
