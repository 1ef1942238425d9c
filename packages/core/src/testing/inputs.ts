import { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';

// Seeded inputs for contract tests: the same values on every backend, shaped so that finite
// differences never straddle a kink.

/** A float32 tensor of uniform(low, high) values from a seed (same on every backend). */
export function uniformTensor(shape: number[], seed: number, low = -1, high = 1): tf.Tensor {
  const g = new Generator(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(size);
  for (let i = 0; i < size; i++) v[i] = low + (high - low) * g.random();
  return tf.tensor(v, shape, 'float32');
}

/**
 * Values of magnitude in [min, max] with random signs: inputs for functions with a kink at 0
 * (ReLU, LeakyReLU), so a finite-difference step never crosses it.
 */
export function awayFromZero(shape: number[], seed: number, min = 0.25, max = 2): tf.Tensor {
  const g = new Generator(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(size);
  for (let i = 0; i < size; i++)
    v[i] = (g.random() < 0.5 ? -1 : 1) * (min + (max - min) * g.random());
  return tf.tensor(v, shape, 'float32');
}

/**
 * Distinct values `spacing` apart, shuffled and centred on 0: inputs for max pooling, so no two
 * entries of a window tie within a finite-difference step.
 */
export function distinctTensor(shape: number[], seed: number, spacing = 0.1): tf.Tensor {
  const g = new Generator(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const v = Float32Array.from({ length: size }, (_, i) => (i - (size - 1) / 2) * spacing);
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(g.random() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return tf.tensor(v, shape, 'float32');
}

/** Integer indices uniform in [0, high), int32. */
export function randomIndices(shape: number[], seed: number, high: number): tf.Tensor {
  const g = new Generator(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Int32Array.from({ length: size }, () => Math.floor(g.random() * high)),
    shape,
    'int32',
  );
}
