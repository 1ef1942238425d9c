import * as tf from '@tensorflow/tfjs-core';
import { batchMatMul, fusedMatMul, webglBatchMatMul, webglFusedMatMul } from './batch_matmul.js';
import { conv2dBackpropFilter } from './conv2d_backprop_filter.js';
import { conv2dBackpropInput } from './conv2d_backprop_input.js';
import { depthwiseConv2dBackpropFilter } from './depthwise_conv2d_backprop_filter.js';
import { depthwiseConv2dBackpropInput } from './depthwise_conv2d_backprop_input.js';
import { einsum } from './einsum.js';
import { maxPoolGrad } from './max_pool_grad.js';
import { MOVEMENT_KERNELS } from './movement/index.js';
import { resizeBilinearGrad } from './resize_bilinear_grad.js';
import { resizeNearestNeighborGrad } from './resize_nearest_neighbor_grad.js';
import { rememberStockKernel } from './stock.js';
import { unsortedSegmentSum } from './unsorted_segment_sum.js';

/** Kernels tfjs-backend-wasm 4.22 lacks (training conv2d, depthwiseConv2d and gather needs them). */
const MISSING: Readonly<Record<string, Record<string, tf.KernelFunc>>> = {
  wasm: {
    [tf.Conv2DBackpropFilter]: conv2dBackpropFilter,
    [tf.DepthwiseConv2dNativeBackpropFilter]: depthwiseConv2dBackpropFilter,
    [tf.DepthwiseConv2dNativeBackpropInput]: depthwiseConv2dBackpropInput,
    [tf.UnsortedSegmentSum]: unsortedSegmentSum,
    [tf.Einsum]: einsum,
  },
};

/**
 * Stock kernels replaced by archzoo's (see each kernel's doc): gradients that are wrong, and
 * tfjs-wasm's Conv2DBackpropInput, right but a plain loop ~15x slower than the forward conv, and
 * its BatchMatMul and _FusedMatMul, a scalar loop ~10x slower with transposed operands.
 */
const REPLACEMENTS: Readonly<Record<string, Record<string, tf.KernelFunc>>> = {
  wasm: {
    [tf.BatchMatMul]: batchMatMul,
    [tf._FusedMatMul]: fusedMatMul,
    [tf.Conv2DBackpropInput]: conv2dBackpropInput,
    [tf.MaxPoolGrad]: maxPoolGrad,
    [tf.ResizeBilinearGrad]: resizeBilinearGrad,
    [tf.ResizeNearestNeighborGrad]: resizeNearestNeighborGrad,
    ...MOVEMENT_KERNELS.wasm, // Slice, Unpack, Concat, ...: see movement/index.ts
  },
  cpu: {
    [tf.ResizeBilinearGrad]: resizeBilinearGrad,
    [tf.ResizeNearestNeighborGrad]: resizeNearestNeighborGrad,
    ...MOVEMENT_KERNELS.cpu,
  },
  // webgl's shaders ignore halfPixelCenters too; these read back, compute on the CPU, and upload.
  // Its matrix products' shader fails to compile for K = 0: these answer such calls themselves.
  webgl: {
    [tf.BatchMatMul]: webglBatchMatMul,
    [tf._FusedMatMul]: webglFusedMatMul,
    [tf.ResizeBilinearGrad]: resizeBilinearGrad,
    [tf.ResizeNearestNeighborGrad]: resizeNearestNeighborGrad,
  },
};

/**
 * A kernel no op ever runs. tfjs calls a backend's kernels' `setupFunc`s each time it activates
 * that backend, which is after the backend's module (lazily imported by `setBackend`) has
 * registered its stock kernels; this one's setupFunc then puts archzoo's replacements back over them.
 */
const SETUP_HOOK = 'ArchzooKernelReplacements';

/** Registers `kernelFunc` as `kernelName` on `backendName` unless it already is; replaces silently. */
function put(kernelName: string, backendName: string, kernelFunc: tf.KernelFunc): void {
  const current = tf.getKernel(kernelName, backendName);
  if (current?.kernelFunc === kernelFunc) return;
  if (current) {
    rememberStockKernel(current); // a replacement may hand calls back to it (see stock.ts)
    tf.unregisterKernel(kernelName, backendName);
  }
  tf.registerKernel({ kernelName, backendName, kernelFunc });
}

/** Puts archzoo's replacements over the stock kernels of `backendName`, where those are loaded. */
function applyReplacements(backendName: string): void {
  for (const [name, fn] of Object.entries(REPLACEMENTS[backendName] ?? {})) {
    // A replacement registered before the backend's module loads would be overwritten by it (with a
    // warning); wait for the stock kernel, and the setup hook will come back for it.
    if (tf.getKernel(name, backendName)) put(name, backendName, fn);
  }
}

/**
 * Registers archzoo's kernels with tfjs, once (later calls change nothing):
 * - on wasm, the kernels tfjs-backend-wasm 4.22 lacks: Conv2DBackpropFilter,
 *   DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput, UnsortedSegmentSum
 *   (gather's gradient) and Einsum;
 * - replacements for stock gradient kernels that are wrong: MaxPoolGrad on wasm (padding could
 *   win a window), ResizeBilinearGrad and ResizeNearestNeighborGrad on wasm, cpu and webgl
 *   (halfPixelCenters ignored; cpu also broken for non-square bilinear and batch > 1 nearest);
 * - on wasm, a Conv2DBackpropInput run by XNNPACK matrix products (the stock one is a slow loop);
 * - on wasm, BatchMatMul and _FusedMatMul that run transposed and batch-broadcast products by
 *   XNNPACK (batch_matmul.ts), where the stock kernels fall back to a slow loop;
 * - on webgl, BatchMatMul and _FusedMatMul that answer products with an inner size of 0 (zeros,
 *   or activation(bias)) without tfjs-webgl's shader, which fails to compile for them;
 * - on wasm and cpu, data-movement kernels (Slice, StridedSlice, Unpack, SplitV, Pack, Concat,
 *   Transpose, GatherV2) that copy whole contiguous runs, 10-700x faster than the stock ones
 *   where those are slow (see movement/index.ts).
 * Replacements land when their backend is activated (`setBackend`), whichever order modules load in.
 * Called by `register.ts` on import of `@archzoo/core`.
 *
 * @example
 * registerArchzooKernels(); // already done by importing @archzoo/core
 * await setBackend('wasm');
 * const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
 * const dW = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 1, 'same')))(tf.ones([3, 3, 1, 2]));
 * dW.shape; // [3, 3, 1, 2], computed by archzoo's Conv2DBackpropFilter
 */
export function registerArchzooKernels(): void {
  for (const [backendName, kernels] of Object.entries(MISSING)) {
    for (const [name, fn] of Object.entries(kernels)) put(name, backendName, fn);
  }
  for (const backendName of Object.keys(REPLACEMENTS)) {
    if (!tf.getKernel(SETUP_HOOK, backendName)) {
      tf.registerKernel({
        kernelName: SETUP_HOOK,
        backendName,
        kernelFunc: () => {
          throw new Error(`${SETUP_HOOK} is a registration hook, not a kernel to run`);
        },
        setupFunc: () => applyReplacements(backendName),
      });
    }
    applyReplacements(backendName);
  }
}
