/**
 * Argument checks shared by the cells and the sequence layers: each failure is an ArchzooError
 * naming the module, the argument, and expected vs actual.
 */
import { checkTensor, fail, shapeString } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';

/** A cell's input: `[B, inputSize]`, or `[inputSize]` for one unbatched sample. */
export function checkCellInput(where: string, x: unknown, inputSize: number): tf.Tensor {
  return checkTensor(where, 'input', x, {
    rank: [1, 2],
    layout: '[B, inputSize] or [inputSize]',
    dims: { [-1]: inputSize },
    dimNames: { [-1]: 'last dimension (inputSize)' },
  });
}

/** A state tensor that must have exactly `shape`. */
export function checkState(
  where: string,
  argument: string,
  t: unknown,
  shape: number[],
): tf.Tensor {
  const x = checkTensor(where, argument, t);
  if (shapeString(x.shape) !== shapeString(shape)) {
    fail(where, argument, `shape ${shapeString(shape)}`, `shape ${shapeString(x.shape)}`);
  }
  return x;
}

/**
 * Per-sample lengths (a number array or an int32 tensor `[B]`), each an integer in [0, T], as a
 * time-first float32 mask `[T, B]`: 1 for the first `length` steps, 0 after.
 */
export function lengthsMask(
  where: string,
  lengths: unknown,
  steps: number,
  batch: number,
): tf.Tensor2D {
  let values: ArrayLike<number>;
  if (Array.isArray(lengths)) {
    values = lengths;
  } else {
    const t = checkTensor(where, 'lengths', lengths, { rank: 1, dtype: 'int32', layout: '[B]' });
    values = t.dataSync();
  }
  if (values.length !== batch) {
    fail(where, 'lengths', `${batch} entries (one per sample)`, `${values.length}`);
  }
  const mask = new Float32Array(steps * batch); // [T, B]
  for (let b = 0; b < batch; b++) {
    const n = values[b];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > steps) {
      fail(where, `lengths[${b}]`, `an integer in [0, ${steps}] (the sequence length)`, n);
    }
    for (let t = 0; t < n; t++) mask[t * batch + b] = 1;
  }
  return tf.tensor2d(mask, [steps, batch]);
}

/** A user mask `[B, T]` (batchFirst) or `[T, B]` of 0/1 (float32, int32 or bool) as float32 `[T, B]`. */
export function userMask(
  where: string,
  mask: unknown,
  steps: number,
  batch: number,
  batchFirst: boolean,
): tf.Tensor2D {
  const shape = batchFirst ? [batch, steps] : [steps, batch];
  const layout = batchFirst ? '[B, T] (batchFirst)' : '[T, B]';
  const m = checkTensor(where, 'mask', mask, {
    rank: 2,
    layout,
    dtype: ['float32', 'int32', 'bool'],
  });
  if (shapeString(m.shape) !== shapeString(shape)) {
    fail(where, 'mask', `shape ${shapeString(shape)} ${layout}`, `shape ${shapeString(m.shape)}`);
  }
  return tf.tidy(() => {
    const f = tf.cast(m, 'float32') as tf.Tensor2D;
    return batchFirst ? (tf.transpose(f) as tf.Tensor2D) : f; // [T, B]
  });
}
