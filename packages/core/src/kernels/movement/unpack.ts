import * as tf from '@tensorflow/tfjs-core';
import { runStock } from './fallback.js';
import { sizeOf } from './geometry.js';
import { canMove, type KernelArgs, type MovementBackend } from './io.js';
import { sliceWindows } from './slice.js';

/**
 * tfjs's Unpack kernel (`tf.unstack`): the `value.shape[axis]` slices of `value` along `axis`,
 * each without that axis. Stock, it is one Slice per output: on wasm each one copies the whole
 * input off the heap (`readSync`), 60 ms to unstack [50, 32, 512]; on cpu a slice off axis 0 goes
 * element by element through `indexToLoc`, 400 ms for [32, 50, 512] along axis 1. This one makes
 * all outputs, then copies each one's rows (runs of the axes after `axis`) straight over (see
 * `sliceWindows`). Empty inputs and unmoved dtypes go to the stock kernel.
 */
export function unpackKernel(backendName: MovementBackend): tf.KernelFunc {
  return (args) => {
    const { value } = args.inputs as { value: tf.TensorInfo };
    const rank = value.shape.length;
    const attrAxis = (args.attrs as unknown as tf.UnpackAttrs).axis;
    const axis = attrAxis < 0 ? attrAxis + rank : attrAxis;
    if (sizeOf(value.shape) === 0 || !canMove(backendName, args.backend, [value])) {
      return runStock(backendName, tf.Unpack, args as KernelArgs);
    }
    const size = value.shape.map((n, d) => (d === axis ? 1 : n));
    const shape = value.shape.filter((_, d) => d !== axis); // value's shape without axis
    const windows = Array.from({ length: value.shape[axis]! }, (_, i) => ({
      begin: value.shape.map((_, d) => (d === axis ? i : 0)),
      size,
      shape,
    }));
    return sliceWindows(backendName, args.backend, value, windows);
  };
}
