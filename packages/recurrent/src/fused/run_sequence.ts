/**
 * What `fusedLstmSequence` and `fusedGruSequence` share: registering the fused kernels, checking
 * the arguments, standing in for absent biases and mask, and running the forward kernel with the
 * box its backward kernel reads the saved activations from (kernel_args.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { savedAttrs } from './kernel_args.js';
import { checkSequenceArgs, registerFusedRecurrentKernels } from './register.js';

/** The tensors of an LSTM or GRU sequence call, as `checkSequenceArgs` checks them. */
type SequenceKernelArgs = Parameters<typeof checkSequenceArgs>[2];

/** Which fused sequence kernel `runSequenceKernel` runs, and how. */
export interface SequenceKernelOptions {
  /** The registered kernel, e.g. `LSTM_SEQUENCE`. */
  kernelName: string;
  /** The op's name, which starts its error messages, e.g. 'fusedLstmSequence'. */
  where: string;
  /** Gate blocks: 4 (LSTM) or 3 (GRU). */
  gates: number;
  /** Whether the kernel takes the initial cell state c0 (the LSTM's) as an input. */
  cellState: boolean;
}

/**
 * Runs the fused sequence kernel of `o` on `a` (checked by `checkSequenceArgs`): zeros `[G]` stand
 * in for absent biases, ones `[T, B]` for an absent mask. Returns the kernel's outputs: output
 * `[T, B, H]`, h `[B, H]` and, for the LSTM, c `[B, H]`.
 */
export function runSequenceKernel(o: SequenceKernelOptions, a: SequenceKernelArgs): tf.Tensor[] {
  registerFusedRecurrentKernels();
  const { T, B, G } = checkSequenceArgs(o.where, o.gates, a, o.kernelName);
  return tf.tidy(() => {
    const inputs = {
      x: a.x,
      h0: a.h0,
      ...(o.cellState ? { c0: a.c0 } : {}),
      wIh: a.wIh,
      wHh: a.wHh,
      bIh: a.bIh ?? tf.zeros([G]),
      bHh: a.bHh ?? tf.zeros([G]),
      mask: a.mask ?? tf.ones([T, B]),
    };
    return tf
      .engine()
      .runKernel(o.kernelName, inputs as tf.NamedTensorMap, savedAttrs()) as tf.Tensor[];
  });
}
