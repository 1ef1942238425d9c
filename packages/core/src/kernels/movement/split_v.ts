import * as tf from '@tensorflow/tfjs-core';
import { runStock } from './fallback.js';
import { sizeOf } from './geometry.js';
import { canMove, type KernelArgs, type MovementBackend } from './io.js';
import { type SliceWindow, sliceWindows } from './slice.js';

/**
 * tfjs's SplitV kernel (`tf.split`): consecutive slices of `x` along `axis`, of the sizes
 * `numOrSizeSplits` gives. Stock, it is one Slice per output (on wasm each copies the whole input
 * off the heap: 58 ms to split [50, 32, 512] in 50); here all are this folder's `sliceWindows`.
 * Empty inputs and unmoved dtypes go to the stock kernel.
 */
export function splitVKernel(backendName: MovementBackend): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    if (sizeOf(x.shape) === 0 || !canMove(backendName, args.backend, [x])) {
      return runStock(backendName, tf.SplitV, args as KernelArgs);
    }
    const $axis = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, $axis);
    let at = 0;
    const windows = sizes.map((s): SliceWindow => {
      const begin = x.shape.map((_, d) => (d === $axis ? at : 0));
      const size = x.shape.map((n, d) => (d === $axis ? s : n));
      at += s;
      return { begin, size, shape: size };
    });
    return sliceWindows(backendName, args.backend, x, windows);
  };
}
