import type * as tf from '@tensorflow/tfjs-core';

/** The kernels archzoo's replacements stood in for, by `${backendName}_${kernelName}`. */
const STOCK = new Map<string, tf.KernelConfig>();

/**
 * Records `config` as the stock kernel that an archzoo replacement is about to take the place of.
 * Called by `registerArchzooKernels` just before it unregisters a kernel that is not archzoo's
 * (never for one of archzoo's own, so a re-applied replacement never records itself).
 */
export function rememberStockKernel(config: tf.KernelConfig): void {
  STOCK.set(`${config.backendName}_${config.kernelName}`, config);
}

/**
 * The stock kernel (tfjs's own, or whatever was registered before archzoo's replacement) of
 * `kernelName` on `backendName`, or undefined when archzoo has not replaced it. A replacement
 * that hands some calls back to the stock kernel calls this one, never the registered kernel
 * (which is itself).
 *
 * @example
 * await setBackend('wasm');
 * stockKernel(tf.BatchMatMul, 'wasm')?.kernelFunc; // tfjs-wasm's own BatchMatMul
 */
export function stockKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  return STOCK.get(`${backendName}_${kernelName}`);
}
