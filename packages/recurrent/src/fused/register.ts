/**
 * Registration of the fused recurrent kernels and their gradients with tfjs, and the argument
 * checks the fused ops share. Registration happens on the first call of a fused op, never on
 * import (the package stays free of import side effects).
 */
import { ArchzooError, checkTensor } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import type { SequenceArgs } from '../sequence_types.js';
import { gruSequenceGradConfig } from './gru_grad.js';
import {
  GRU_SEQUENCE,
  GRU_SEQUENCE_GRAD,
  gruSequenceGradKernel,
  gruSequenceKernel,
} from './gru_kernels.js';
import { lstmSequenceGradConfig } from './lstm_grad.js';
import {
  LSTM_SEQUENCE,
  LSTM_SEQUENCE_GRAD,
  lstmSequenceGradKernel,
  lstmSequenceKernel,
} from './lstm_kernels.js';

/** Backends with JavaScript kernels for the fused sequences (webgl has none: no typed arrays). */
export const FUSED_BACKENDS: readonly string[] = ['cpu', 'wasm'];

const KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  [LSTM_SEQUENCE]: lstmSequenceKernel as unknown as tf.KernelFunc,
  [LSTM_SEQUENCE_GRAD]: lstmSequenceGradKernel as unknown as tf.KernelFunc,
  [GRU_SEQUENCE]: gruSequenceKernel as unknown as tf.KernelFunc,
  [GRU_SEQUENCE_GRAD]: gruSequenceGradKernel as unknown as tf.KernelFunc,
};

let registered = false;

/**
 * Registers the fused LSTM and GRU sequence kernels on cpu and wasm, and their gradients; once
 * (later calls change nothing). The fused ops call it themselves.
 */
export function registerFusedRecurrentKernels(): void {
  if (registered) return;
  for (const backendName of FUSED_BACKENDS) {
    for (const [kernelName, kernelFunc] of Object.entries(KERNELS)) {
      if (!tf.getKernel(kernelName, backendName))
        tf.registerKernel({ kernelName, backendName, kernelFunc });
    }
  }
  for (const config of [lstmSequenceGradConfig, gruSequenceGradConfig]) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
  registered = true;
}

/** True when the active backend (or `backendName`) runs the fused sequences: cpu and wasm. */
export function fusedSequenceSupported(backendName: string = tf.getBackend()): boolean {
  return FUSED_BACKENDS.includes(backendName);
}

/**
 * Checks the arguments of a fused sequence op with `gates` gate blocks (4 for the LSTM, 3 for the
 * GRU) and that the active backend runs it; returns the sizes.
 */
export function checkSequenceArgs(
  where: string,
  gates: number,
  a: SequenceArgs & { c0?: tf.Tensor2D },
  kernelName: string,
): { T: number; B: number; I: number; H: number; G: number } {
  const backend = tf.getBackend();
  if (!tf.getKernel(kernelName, backend)) {
    throw new ArchzooError(
      `${where}: no fused kernel on the '${backend}' backend (only ${FUSED_BACKENDS.join(', ')}); use the unfused sequence ops of sequence_ops.ts there`,
    );
  }
  const x = checkTensor(where, 'x', a.x, { rank: 3, layout: '[T, B, I]' });
  const [T, B, I] = x.shape as [number, number, number];
  if (T < 1)
    throw new ArchzooError(`${where}: x expected at least one step, got shape [${x.shape}]`);
  const h0 = checkTensor(where, 'h0', a.h0, {
    rank: 2,
    layout: '[B, H]',
    dims: { 0: B },
    dimNames: { 0: 'batch' },
  });
  const H = h0.shape[1]!;
  const G = gates * H;
  if (a.c0 !== undefined)
    checkTensor(where, 'c0', a.c0, { rank: 2, layout: '[B, H]', dims: { 0: B, 1: H } });
  checkTensor(where, 'wIh', a.wIh, { rank: 2, layout: `[${gates}H, I]`, dims: { 0: G, 1: I } });
  checkTensor(where, 'wHh', a.wHh, { rank: 2, layout: `[${gates}H, H]`, dims: { 0: G, 1: H } });
  for (const name of ['bIh', 'bHh'] as const) {
    if (a[name] != null)
      checkTensor(where, name, a[name], { rank: 1, layout: `[${gates}H]`, dims: { 0: G } });
  }
  if (a.mask != null)
    checkTensor(where, 'mask', a.mask, { rank: 2, layout: '[T, B]', dims: { 0: T, 1: B } });
  return { T, B, I, H, G };
}
