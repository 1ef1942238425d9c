import * as tf from '@tensorflow/tfjs-core';
import { runStock } from './fallback.js';
import { copyStrided, sizeOf, sliceView } from './geometry.js';
import { canMove, cpuAlias, type KernelArgs, type MovementBackend, prepare } from './io.js';

/** A window `x[begin : begin + size]`, output as a tensor of `shape` (`size`, or `size` less an axis). */
export interface SliceWindow {
  begin: number[];
  size: number[];
  shape: number[];
}

/**
 * The windows of `x` as new tensors: Slice, SplitV and Unpack in one. All outputs are made first,
 * then each is copied over run by run, each run the largest contiguous block (see `copyStrided`).
 * On cpu, when every window is contiguous, the outputs share `x`'s values, as tfjs-cpu's do.
 * Check `canMove` first.
 */
export function sliceWindows(
  backendName: MovementBackend,
  backend: unknown,
  x: tf.TensorInfo,
  windows: SliceWindow[],
): tf.TensorInfo[] {
  const strides = tf.util.computeStrides(x.shape);
  if (
    backendName === 'cpu' &&
    windows.every((w) => tf.slice_util.isSliceContinous(x.shape, w.begin, w.size))
  ) {
    return windows.map((w) =>
      cpuAlias(backend, x, tf.slice_util.computeFlatOffset(w.begin, strides), w.shape),
    );
  }
  const shapes = windows.map((w) => w.shape);
  const { outs, src, dst } = prepare(backendName, backend, [x], shapes, x.dtype);
  for (const [i, w] of windows.entries()) {
    if (sizeOf(w.size) > 0) copyStrided(src[0]!, sliceView(x.shape, w.begin, w.size), dst[i]!);
  }
  return outs;
}

/**
 * tfjs's Slice kernel: `x[begin : begin + size]` (`size` -1 means to the end). tfjs-wasm's reads
 * the whole input off the heap into a fresh array (`readSync`) for every slice, however small:
 * 1.9 ms to take one step of a [50, 32, 512] tensor, and Unpack and SplitV call it once per output.
 * tfjs-cpu's moves a non-contiguous slice element by element through `indexToLoc`. This one copies
 * heap to heap, run by run. Strings and complex numbers go to the stock kernel.
 */
export function sliceKernel(backendName: MovementBackend): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    if (!canMove(backendName, args.backend, [x])) {
      return runStock(backendName, tf.Slice, args as KernelArgs);
    }
    const [b, s] = tf.slice_util.parseSliceParams(x, begin, size);
    tf.slice_util.assertParamsValid(x, b, s);
    return sliceWindows(backendName, args.backend, x, [{ begin: b, size: s, shape: s }])[0]!;
  };
}
