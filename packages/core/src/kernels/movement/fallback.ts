import * as tf from '@tensorflow/tfjs-core';
import { stockKernel } from '../stock.js';
import type { KernelArgs } from './io.js';

/** Backends on which a stock kernel's `setupFunc` has run, per `${backendName}_${kernelName}`. */
const SET_UP = new Map<string, WeakSet<object>>();

/**
 * Runs the stock kernel archzoo's replacement stood in for, with the same arguments: the movement
 * kernels hand it the dtypes and cases they do not move themselves (string, complex64, size 0).
 * Its `setupFunc` (tfjs-wasm's Transpose and GatherV2 bind their C++ functions there) runs first,
 * once per backend instance, since tfjs stops calling it once the replacement is registered.
 */
export function runStock(
  backendName: string,
  kernelName: string,
  args: KernelArgs,
): tf.TensorInfo | tf.TensorInfo[] {
  const config = stockKernel(kernelName, backendName);
  if (!config) {
    throw new Error(
      `archzoo: no stock ${kernelName} kernel recorded for the ${backendName} backend`,
    );
  }
  if (config.setupFunc && typeof args.backend === 'object' && args.backend !== null) {
    const key = `${backendName}_${kernelName}`;
    const done = SET_UP.get(key) ?? new WeakSet<object>();
    SET_UP.set(key, done);
    if (!done.has(args.backend)) {
      config.setupFunc(args.backend as tf.KernelBackend);
      done.add(args.backend);
    }
  }
  return config.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
}

/**
 * Runs the stock kernel of `kernelName` on the active backend (what tfjs would run without
 * archzoo's replacement, or the registered kernel where archzoo replaced none) and returns its
 * outputs as tensors, for comparisons and benchmarks.
 * Same arguments as `tf.engine().runKernel`. Not recorded on the gradient tape.
 *
 * @example
 * await setBackend('wasm');
 * const x = tf.reshape(tf.range(0, 6), [2, 3]);
 * const [stock] = runStockKernel(tf.Transpose, { x }, { perm: [1, 0] }); // tfjs-wasm's C++ transpose
 * const ours = tf.transpose(x); // archzoo's kernel: the same values
 */
export function runStockKernel(
  kernelName: string,
  inputs: Record<string, tf.Tensor> | tf.Tensor[],
  attrs: object = {},
): tf.Tensor[] {
  const backendName = tf.getBackend();
  const backend = tf.backend();
  const args = {
    inputs: inputs as unknown as tf.NamedTensorInfoMap,
    backend,
    attrs: attrs as tf.NamedAttrMap,
  };
  const registered = tf.getKernel(kernelName, backendName);
  const out =
    stockKernel(kernelName, backendName) || !registered
      ? runStock(backendName, kernelName, args)
      : registered.kernelFunc(args);
  const infos = Array.isArray(out) ? out : [out];
  return infos.map((info) => tf.engine().makeTensorFromTensorInfo(info, backend));
}
