import * as tf from '@tensorflow/tfjs-core';
import { concatValues, sameDType } from './concat.js';
import { runStock } from './fallback.js';
import { sizeOf } from './geometry.js';
import { canMove, type KernelArgs, type MovementBackend } from './io.js';

/**
 * tfjs's Pack kernel (`tf.stack`): N tensors of one shape stacked along a new axis `axis`, as
 * Concat of each with a size-1 axis inserted (what the stock kernel does too, through one
 * ExpandDims per input). A single input (a reshape), mismatched shapes or dtypes (which the stock
 * kernel reports), empty tensors and unmoved dtypes go to the stock kernel.
 */
export function packKernel(backendName: MovementBackend): tf.KernelFunc {
  return (args) => {
    const inputs = Object.values(args.inputs) as tf.TensorInfo[];
    const shape = inputs[0]!.shape;
    const rank = shape.length;
    const attrAxis = (args.attrs as unknown as tf.PackAttrs).axis;
    const axis = attrAxis < 0 ? attrAxis + rank + 1 : attrAxis;
    if (
      inputs.length < 2 ||
      sizeOf(shape) === 0 ||
      axis < 0 ||
      axis > rank ||
      !sameDType(inputs) ||
      !inputs.every((t) => tf.util.arraysEqual(t.shape, shape)) ||
      !canMove(backendName, args.backend, inputs)
    ) {
      return runStock(backendName, tf.Pack, args as KernelArgs);
    }
    const expanded = [...shape.slice(0, axis), 1, ...shape.slice(axis)]; // [..., 1, ...]
    const outShape = [...shape.slice(0, axis), inputs.length, ...shape.slice(axis)];
    return concatValues(
      backendName,
      args.backend,
      inputs.map((t) => ({ ...t, shape: expanded })),
      axis,
      outShape,
    );
  };
}
