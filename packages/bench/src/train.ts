import type { Generator } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';

/** One-hot float32 targets `[N, numClasses]` for integer labels. */
export function oneHotTargets(labels: readonly number[], numClasses: number): tf.Tensor2D {
  return tf.tidy(
    () =>
      tf.cast(
        tf.oneHot(tf.tensor1d(labels as number[], 'int32'), numClasses),
        'float32',
      ) as tf.Tensor2D,
  );
}

/** A seeded random classification batch: images ~ U(0, 1) of `shape` `[N, ...]` and labels in [0, numClasses). */
export function randomBatch(
  shape: readonly number[],
  numClasses: number,
  g: Generator,
): { x: tf.Tensor; labels: number[]; y: tf.Tensor2D } {
  const n = shape[0]!;
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = g.random();
  const x = tf.tensor(values, shape as number[]);
  const labels = Array.from({ length: n }, () => g.randint(numClasses));
  return { x, labels, y: oneHotTargets(labels, numClasses) };
}
