import * as tf from '@tensorflow/tfjs-core';
import { runStock } from './fallback.js';
import { copyStrided, sizeOf, transposeView } from './geometry.js';
import { canMove, type KernelArgs, lanesOf, type MovementBackend, prepare } from './io.js';

/**
 * `values` of a row-major tensor of `shape`, transposed by `perm` (output axis i is input axis
 * `perm[i]`) into a new array of the same type: bit for bit, each contiguous inner block in one
 * copy. Plain typed arrays in, so code outside tfjs kernels can use it too.
 *
 * @example
 * transposeValues(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0]); // [1, 4, 2, 5, 3, 6]
 */
export function transposeValues<T extends Float32Array | Int32Array | Uint8Array>(
  values: T,
  shape: readonly number[],
  perm: readonly number[],
): T {
  const out = new (values.constructor as new (n: number) => T)(values.length);
  if (values.length > 0) copyStrided(lanesOf(values), transposeView(shape, perm), lanesOf(out));
  return out;
}

/**
 * tfjs's Transpose kernel. Stock on cpu it moves one element at a time through `indexToLoc` and
 * `locToIndex` (37 ms for [32, 50, 512] -> [50, 32, 512]). This one merges the axes that stay
 * together and copies the largest contiguous inner block at once (whole rows of 512 above); when
 * the last axis moves, it copies the transposed plane in tiles.
 * On wasm the stock C++ loop is as fast for whole rows and 3x faster for short ones, so it keeps
 * every non-empty tensor; this one only takes the empty ones, on which it divides by zero
 * (e.g. [0, 20, 2] by [0, 2, 1]). Unmoved dtypes (complex64, string) go to the stock kernel.
 */
export function transposeKernel(backendName: MovementBackend): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { perm } = args.attrs as unknown as tf.TransposeAttrs;
    if (
      !canMove(backendName, args.backend, [x]) ||
      (backendName === 'wasm' && sizeOf(x.shape) > 0)
    ) {
      return runStock(backendName, tf.Transpose, args as KernelArgs);
    }
    const view = transposeView(x.shape, perm);
    const { outs, src, dst } = prepare(backendName, args.backend, [x], [view.shape], x.dtype);
    if (sizeOf(x.shape) > 0) copyStrided(src[0]!, view, dst[0]!);
    return outs[0]!;
  };
}
