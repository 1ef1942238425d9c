import { type Generator, logSoftmax } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean cross-entropy of logits against one-hot targets, as `torch.nn.functional.cross_entropy`
 * with class indices: loss = -mean_n sum_c target[n, c] * log_softmax(logits)[n, c].
 * logits `[N, C]`, oneHot `[N, C]` float32 -> scalar.
 *
 * (Kept here until @archzoo/core has its losses; the bench uses it for every impl so that the
 * loss costs the same everywhere.)
 */
export function crossEntropy(logits: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.tidy(
    () => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logSoftmax(logits)), -1))) as tf.Scalar,
  );
}

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

/** Fraction of rows whose arg-max logit is the label. logits `[N, C]`. */
export function accuracy(logits: tf.Tensor, labels: readonly number[]): number {
  const argMax = tf.argMax(logits, -1);
  const pred = argMax.dataSync();
  argMax.dispose();
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) right++;
  return right / labels.length;
}
