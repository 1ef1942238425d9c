import * as tf from '@tensorflow/tfjs-core';
import { runStock } from './fallback.js';
import { copyStrided, sizeOf, sliceView } from './geometry.js';
import { canMove, type KernelArgs, type MovementBackend, prepare } from './io.js';

/**
 * tfjs's StridedSlice kernel (`x[begin:end:strides]` with TensorFlow's masks). Stock: one element
 * at a time, through `indexToLoc` on cpu and a generic C++ loop on wasm (65 ms for every other
 * step of [50, 32, 512] on wasm, 230 ms on cpu). Both index a strided window by its shape with
 * shrunk axes left out, which misplaces it when an axis other than the last ones shrinks, and
 * tfjs-wasm's strided route makes its output float32 whatever the input's dtype. This one copies
 * the window, with all of x's axes, run by run, in x's dtype.
 * Identity slices (a reshape) and unmoved dtypes go to the stock kernel.
 */
export function stridedSliceKernel(backendName: MovementBackend): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const a = args.attrs as unknown as tf.StridedSliceAttrs;
    const info = tf.slice_util.sliceInfo(
      x.shape,
      a.begin,
      a.end,
      a.strides,
      a.beginMask,
      a.endMask,
      a.ellipsisMask,
      a.newAxisMask,
      a.shrinkAxisMask,
    );
    if (info.isIdentity || !canMove(backendName, args.backend, [x])) {
      return runStock(backendName, tf.StridedSlice, args as KernelArgs);
    }
    // The window has x's rank; finalShape only adds new axes and drops shrunk ones (all size 1).
    const dense = info.begin.map((b, d) =>
      Math.max(0, Math.ceil((info.end[d]! - b) / info.strides[d]!)),
    );
    if (sizeOf(dense) !== sizeOf(info.finalShape)) {
      return runStock(backendName, tf.StridedSlice, args as KernelArgs);
    }
    const { outs, src, dst } = prepare(backendName, args.backend, [x], [info.finalShape], x.dtype);
    if (sizeOf(dense) > 0) {
      copyStrided(src[0]!, sliceView(x.shape, info.begin, dense, info.strides), dst[0]!);
    }
    return outs[0]!;
  };
}
