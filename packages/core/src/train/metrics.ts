import * as tf from '@tensorflow/tfjs-core';

/** A metric over one batch: returns the batch's value (fit/evaluate average it, weighted by batch size). */
export type Metric = (output: tf.Tensor, target: tf.Tensor) => number;

/**
 * Classification accuracy: fraction of rows whose argmax over the last (class) axis equals the
 * target, given as int32 class indices `[N]` or as one-hot/probabilities `[N, C]`.
 */
export function accuracy(output: tf.Tensor, target: tf.Tensor): number {
  return tf.tidy(() => {
    const pred = tf.argMax(output, -1);
    const truth =
      target.dtype === 'int32' && target.rank === output.rank - 1 ? target : tf.argMax(target, -1);
    return tf.mean(tf.cast(tf.equal(pred, truth), 'float32')).dataSync()[0]!;
  });
}
