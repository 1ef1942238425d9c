import * as tf from '@tensorflow/tfjs-core';
import { runStock } from './fallback.js';
import { copyRows, sizeOf } from './geometry.js';
import { canMove, type KernelArgs, type MovementBackend, prepareInPlace } from './io.js';

/**
 * Joins `inputs` (all of one dtype, non-empty) along `axis` into a new tensor of `outShape`:
 * each input is `outer` rows of its own inner size, and lands at its column offset in every
 * output row (one copy per row and input, the whole input at once when `outer` is 1). On wasm
 * each copy is a `copyWithin` on the heap (see `prepareInPlace`): tfjs-wasm's own Concat makes a
 * view per input and a subarray per copy, and a view per input was 20 us of a 6.5 MB Concat.
 */
export function concatValues(
  backendName: MovementBackend,
  backend: unknown,
  inputs: tf.TensorInfo[],
  axis: number,
  outShape: number[],
): tf.TensorInfo {
  const { outs, src, srcAt, dst, dstAt } = prepareInPlace(
    backendName,
    backend,
    inputs,
    [outShape],
    inputs[0]!.dtype,
  );
  const outer = sizeOf(outShape.slice(0, axis));
  const rowLength = sizeOf(outShape.slice(axis));
  let column = dstAt[0]!;
  for (let i = 0; i < inputs.length; i++) {
    const shape = inputs[i]!.shape;
    let inner = 1;
    for (let d = axis; d < shape.length; d++) inner *= shape[d]!;
    copyRows(dst[0]!, column, rowLength, src[i]!, srcAt[i]!, inner, outer, inner);
    column += inner;
  }
  return outs[0]!;
}

/** True when every tensor has the first one's dtype. */
export function sameDType(ts: tf.TensorInfo[]): boolean {
  return ts.every((t) => t.dtype === ts[0]!.dtype);
}

/**
 * The shape of `inputs` joined along `axis` (tfjs's `computeOutShape`), checked as tfjs's
 * `assertParamsConsistent` checks it (and with its message, which it throws on a mismatch). One
 * pass without a closure per input and dimension: tfjs's two take 10 us for 50 inputs, 10% of a
 * 6.5 MB Concat on wasm. `axis` is in range (`parseAxisParam`).
 */
export function joinedShape(inputs: tf.TensorInfo[], axis: number): number[] {
  const first = inputs[0]!.shape;
  const out = first.slice();
  for (let i = 1; i < inputs.length; i++) {
    const shape = inputs[i]!.shape;
    let ok = shape.length === first.length;
    for (let d = 0; ok && d < first.length; d++) ok = d === axis || shape[d] === first[d];
    if (!ok) {
      tf.backend_util.assertParamsConsistent(
        inputs.map((t) => t.shape),
        axis,
      );
    }
    out[axis]! += shape[axis]!;
  }
  return out;
}

/**
 * tfjs's Concat kernel (`tf.concat`). Stock on cpu it copies element by element unless the
 * outer size is 1, and takes each input through a reshape; this one copies rows. Stock on wasm
 * it copies rows too, through a view per input and a subarray per row; this one moves them on
 * the heap (`copyWithin`) and checks shapes in one pass: 0.89-0.94x its time for 50 x [32, 512]
 * (both about memory-copy speed). Empty outputs, a single non-empty input (the stock identity),
 * mixed dtypes and unmoved dtypes go to the stock kernel.
 */
export function concatKernel(backendName: MovementBackend): tf.KernelFunc {
  return (args) => {
    const inputs = (
      Array.isArray(args.inputs) ? args.inputs : Object.values(args.inputs)
    ) as tf.TensorInfo[];
    const axis = tf.util.parseAxisParam(
      (args.attrs as unknown as tf.ConcatAttrs).axis,
      inputs[0]!.shape,
    )[0]!;
    const outShape = joinedShape(inputs, axis);
    const nonEmpty = inputs.filter((t) => sizeOf(t.shape) > 0);
    if (
      sizeOf(outShape) === 0 ||
      nonEmpty.length < 2 ||
      !sameDType(inputs) ||
      !canMove(backendName, args.backend, nonEmpty)
    ) {
      return runStock(backendName, tf.Concat, args as KernelArgs);
    }
    return concatValues(backendName, args.backend, nonEmpty, axis, outShape);
  };
}
