import * as tf from '@tensorflow/tfjs-core';
import { runStock } from './fallback.js';
import { copyRun, copyStrided, sizeOf, sliceView } from './geometry.js';
import {
  canMove,
  cpuAlias,
  cpuStored,
  isMoved,
  type KernelArgs,
  type MovementBackend,
  prepareInPlace,
} from './io.js';

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
    const stored = cpuStored(backend, x);
    return windows.map((w) =>
      cpuAlias(backend, x, tf.slice_util.computeFlatOffset(w.begin, strides), w.shape, stored),
    );
  }
  const shapes = windows.map((w) => w.shape);
  const { outs, src, srcAt, dst, dstAt } = prepareInPlace(
    backendName,
    backend,
    [x],
    shapes,
    x.dtype,
  );
  for (const [i, w] of windows.entries()) {
    if (sizeOf(w.size) === 0) continue;
    const view = sliceView(x.shape, w.begin, w.size);
    view.offset += srcAt[0]!;
    copyStrided(src[0]!, view, dst[i]!, dstAt[i]!);
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
    // On cpu, the stored values looked up once (`canMove` and `cpuAlias` would each look again):
    // a contiguous slice is a view, made as the stock kernel makes it and at its cost (~0.5 us).
    const stored =
      backendName === 'cpu' && isMoved(x.dtype) ? cpuStored(args.backend, x) : undefined;
    if (backendName === 'cpu' ? !stored : !canMove(backendName, args.backend, [x])) {
      return runStock(backendName, tf.Slice, args as KernelArgs);
    }
    const [b, s] = tf.slice_util.parseSliceParams(x, begin, size);
    tf.slice_util.assertParamsValid(x, b, s);
    if (tf.slice_util.isSliceContinous(x.shape, b, s)) {
      // One run: a view on cpu, one copy on the wasm heap.
      const offset = tf.slice_util.computeFlatOffset(b, tf.util.computeStrides(x.shape));
      if (stored) return cpuAlias(args.backend, x, offset, s, stored);
      const { outs, src, srcAt, dst, dstAt } = prepareInPlace(
        backendName,
        args.backend,
        [x],
        [s],
        x.dtype,
      );
      copyRun(dst[0]!, dstAt[0]!, src[0]!, srcAt[0]! + offset, sizeOf(s));
      return outs[0]!;
    }
    return sliceWindows(backendName, args.backend, x, [{ begin: b, size: s, shape: s }])[0]!;
  };
}
