import * as tf from '@tensorflow/tfjs-core';
import { runStock } from './fallback.js';
import { copyRun, sizeOf } from './geometry.js';
import { canMove, type KernelArgs, type MovementBackend, peek, prepare } from './io.js';

/**
 * tfjs's GatherV2 kernel (`tf.gather`): with x seen as [batch, outer, dim, slice] and indices as
 * [batch, n], out[b, o, i, :] = x[b, o, indices[b, i], :]. Stock: element by element (cpu through
 * `indexToLoc`, wasm a generic C++ loop: 24 ms to gather 32 of 50 steps of [50, 32, 512] on wasm,
 * 34 ms on cpu). This one copies each `slice` run at once. Indices out of range throw the stock
 * kernel's error. Non-int32 indices, empty tensors and unmoved dtypes go to the stock kernel.
 */
export function gatherV2Kernel(backendName: MovementBackend): tf.KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
    if (
      indices.dtype !== 'int32' ||
      sizeOf(x.shape) === 0 ||
      sizeOf(indices.shape) === 0 ||
      !canMove(backendName, args.backend, [x, indices])
    ) {
      return runStock(backendName, tf.GatherV2, args as KernelArgs);
    }
    const $axis = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const dimSize = x.shape[$axis]!;
    const checked = peek(backendName, args.backend, indices); // good until the output is made
    for (let i = 0; i < checked.length; i++) {
      const index = checked[i]!;
      if (index < 0 || index > dimSize - 1) {
        throw new Error(`GatherV2: the index value ${index} is not in [0, ${dimSize - 1}]`);
      }
    }
    // x as [batch, outer, dim, slice], indices as [batch, n].
    const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(
      x,
      indices,
      $axis,
      batchDims ?? 0,
    );
    const { batchSize, outerSize, sliceSize } = info;
    const { outs, src, dst } = prepare(
      backendName,
      args.backend,
      [x, indices],
      [info.outputShape],
      x.dtype,
    );
    const xs = src[0]!;
    const ids = src[1] as Int32Array;
    const out = dst[0]!;
    const n = ids.length / batchSize;
    let d = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let o = 0; o < outerSize; o++) {
        const base = (b * outerSize + o) * dimSize;
        for (let i = 0; i < n; i++, d += sliceSize) {
          copyRun(out, d, xs, (base + ids[b * n + i]!) * sliceSize, sliceSize);
        }
      }
    }
    return outs[0]!;
  };
}
