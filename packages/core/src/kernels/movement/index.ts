/**
 * archzoo's data-movement kernels for the wasm and cpu backends: Slice, StridedSlice, Unpack,
 * SplitV, Pack, Concat, Transpose and GatherV2. Each copies heap to heap (wasm) or array to array
 * (cpu), zero-copy views in and out, one contiguous run at a time (see geometry.ts); the values
 * are bit for bit the stock kernels' (float32 moves as its int32 bits).
 *
 * Why the stock ones are slow (tfjs 4.22, Node 20):
 * - tfjs-wasm's Slice copies the whole input off the heap (`readSync`) before copying the slice
 *   out, however small the slice: 1.9 ms for one step of [50, 32, 512]. Unpack and SplitV call it
 *   once per output: 50 x 3.2 MB to unstack that tensor (60 ms).
 * - tfjs-cpu's Slice (when not contiguous), StridedSlice, Transpose and GatherV2 move one element
 *   at a time through `indexToLoc`/`locToIndex`, allocating arrays per element (unstacking
 *   [32, 50, 512] along axis 1: 400 ms); tfjs-wasm's StridedSlice and GatherV2 are per-element C++
 *   loops (20-65 ms for 3 MB). tfjs-cpu's Concat copies element by element unless joining along
 *   the outermost axis.
 * Fixed on the way: both stock StridedSlices misplace the window when an axis other than the last
 * ones shrinks (`x[:, 3, ::2]`), and tfjs-wasm's returns float32 for int32 and bool inputs;
 * tfjs-wasm's Transpose divides by zero on some empty tensors.
 * Where the stock kernel is already at memory-copy speed, this one matches or beats it, kernel
 * against kernel (2 cores, interleaved runs): tfjs-cpu's contiguous Slice is a view of the input's
 * values, and this one's is the same view at 0.8x its cost (the values looked up once); tfjs-wasm's
 * Concat copies rows through a view per input and a subarray per row, this one moves them on the
 * heap with `copyWithin` (`prepareInPlace`), 0.89-0.94x its time for 50 x [32, 512]. Through a tf
 * op, the engine adds about 1-2 us a call to either (3x a view's cost): compare kernels directly.
 * Each kernel hands the dtypes and cases it does not move (string, complex64, most empty tensors)
 * to the stock kernel it replaced (`runStock`); on wasm, Transpose keeps tfjs-wasm's C++ loop
 * for non-empty tensors (as fast for whole rows, faster for single elements).
 */
import * as tf from '@tensorflow/tfjs-core';
import { concatKernel } from './concat.js';
import { gatherV2Kernel } from './gather_v2.js';
import type { MovementBackend } from './io.js';
import { packKernel } from './pack.js';
import { sliceKernel } from './slice.js';
import { splitVKernel } from './split_v.js';
import { stridedSliceKernel } from './strided_slice.js';
import { transposeKernel } from './transpose.js';
import { unpackKernel } from './unpack.js';

export { diffFromStock, valueBits } from './compare.js';
export { runStock, runStockKernel } from './fallback.js';
export { copyStrided, type Lanes, type StridedView, transposeView } from './geometry.js';
export { transposeValues } from './transpose.js';

/** The kernels of one backend, by tfjs kernel name. */
function movementKernels(backendName: MovementBackend): Record<string, tf.KernelFunc> {
  return {
    [tf.Slice]: sliceKernel(backendName),
    [tf.StridedSlice]: stridedSliceKernel(backendName),
    [tf.Unpack]: unpackKernel(backendName),
    [tf.SplitV]: splitVKernel(backendName),
    [tf.Pack]: packKernel(backendName),
    [tf.Concat]: concatKernel(backendName),
    [tf.Transpose]: transposeKernel(backendName),
    [tf.GatherV2]: gatherV2Kernel(backendName),
  };
}

/** The movement kernels archzoo registers over the stock ones (see `registerArchzooKernels`). */
export const MOVEMENT_KERNELS: Readonly<Record<MovementBackend, Record<string, tf.KernelFunc>>> = {
  wasm: movementKernels('wasm'),
  cpu: movementKernels('cpu'),
};
