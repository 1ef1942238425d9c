import { type UnsortedSegmentSumAttrs, util } from '@tensorflow/tfjs-core';
import { jsKernel, makeOutput, type NumericValues, readValues } from './kernel_io.js';

/**
 * Sums the slices of `x` that share a segment id: out[s, ...] = sum over i with ids[i] = s of
 * x[i, ...]. `ids` hold one id per leading slice of `x` (`ids.length` slices of `inner` values
 * each); ids outside [0, numSegments) are skipped, as tfjs's cpu kernel does.
 * -> float64 values of `[numSegments, inner]`.
 */
export function unsortedSegmentSumValues(
  x: NumericValues,
  ids: NumericValues,
  numSegments: number,
  inner: number,
): Float64Array {
  const out = new Float64Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j] += x[src + j];
  }
  return out;
}

/**
 * `UnsortedSegmentSum` (inputs `x`, `segmentIds` whose shape is a prefix of x's; attr
 * numSegments): `[numSegments, ...x.shape after segmentIds' axes]`. It is `tf.gather`'s gradient.
 * The output keeps x's dtype and n-D ids sum as in TensorFlow (tfjs's cpu kernel turns int32 into
 * float32 and reduces only the first axis of n-D ids; gather's gradient passes 1-D ids).
 */
export const unsortedSegmentSum = jsKernel<'x' | 'segmentIds', UnsortedSegmentSumAttrs>(
  ({ x, segmentIds }, { numSegments }, backend) => {
    const innerShape = x.shape.slice(segmentIds.shape.length);
    const inner = util.sizeFromShape(innerShape);
    const ids = readValues(backend, segmentIds);
    const out = unsortedSegmentSumValues(readValues(backend, x), ids, numSegments, inner);
    return makeOutput(
      backend,
      [numSegments, ...innerShape],
      x.dtype === 'int32' ? 'int32' : 'float32',
      out,
    );
  },
);
