import {
  backend_util,
  type EinsumAttrs,
  type KernelFunc,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { makeOutput, type NumericValues, readValues, type ValuesBackend } from './kernel_io.js';

/** Offset into a row-major tensor for every combination of `dims` (last dim fastest), given per-dim strides. */
function offsetsOver(sizes: readonly number[], strides: readonly number[]): Int32Array {
  const total = util.sizeFromShape([...sizes]);
  const out = new Int32Array(total);
  const idx = new Array<number>(sizes.length).fill(0);
  let off = 0;
  for (let n = 0; n < total; n++) {
    out[n] = off;
    // Odometer step: bump the last dim, carrying into earlier ones.
    for (let d = sizes.length - 1; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < sizes[d]) break;
      off -= strides[d] * sizes[d];
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * Einstein summation over one or two tensors, as tfjs parses it (an explicit `->`, no ellipsis,
 * no repeated label within one input): out[o] = sum over the summed labels of the product of the
 * inputs at the matching indices. Returns the output shape and float64 values.
 */
export function einsumValues(
  equation: string,
  shapes: readonly (readonly number[])[],
  values: readonly NumericValues[],
): { shape: number[]; values: Float64Array } {
  const { allDims, summedDims, idDims } = backend_util.decodeEinsumEquation(
    equation,
    shapes.length,
  );
  const sizes = new Array<number>(allDims.length).fill(1);
  const seen = new Array<boolean>(allDims.length).fill(false);
  shapes.forEach((shape, t) => {
    idDims[t].forEach((dim, axis) => {
      if (seen[dim] && sizes[dim] !== shape[axis]) {
        throw new Error(
          `Einsum: label '${allDims[dim]}' has size ${sizes[dim]} and ${shape[axis]} in '${equation}'`,
        );
      }
      seen[dim] = true;
      sizes[dim] = shape[axis];
    });
  });
  const numOut = allDims.length - summedDims.length;
  const outSizes = sizes.slice(0, numOut);
  const sumSizes = sizes.slice(numOut);
  // stride of every label in every input (0 where the input lacks the label)
  const strides = shapes.map((shape, t) => {
    const s = new Array<number>(allDims.length).fill(0);
    const own = util.computeStrides([...shape]);
    idDims[t].forEach((dim, axis) => {
      s[dim] = axis === shape.length - 1 ? 1 : own[axis];
    });
    return s;
  });
  const outOffsets = strides.map((s) => offsetsOver(outSizes, s.slice(0, numOut)));
  const sumOffsets = strides.map((s) => offsetsOver(sumSizes, s.slice(numOut)));
  const outSize = util.sizeFromShape(outSizes);
  const sumSize = util.sizeFromShape(sumSizes);
  const out = new Float64Array(outSize);
  if (values.length === 1) {
    const [a, oa, sa] = [values[0], outOffsets[0], sumOffsets[0]];
    for (let o = 0; o < outSize; o++) {
      let acc = 0;
      for (let s = 0; s < sumSize; s++) acc += a[oa[o] + sa[s]];
      out[o] = acc;
    }
  } else {
    const [a, oa, sa] = [values[0], outOffsets[0], sumOffsets[0]];
    const [b, ob, sb] = [values[1], outOffsets[1], sumOffsets[1]];
    for (let o = 0; o < outSize; o++) {
      const baseA = oa[o];
      const baseB = ob[o];
      let acc = 0;
      for (let s = 0; s < sumSize; s++) acc += a[baseA + sa[s]] * b[baseB + sb[s]];
      out[o] = acc;
    }
  }
  return { shape: outSizes, values: out };
}

/**
 * `Einsum` (inputs: one or two tensors; attr equation, e.g. `'bij,bjk->bik'`): `tf.einsum`.
 * Sizes must agree per label (checked as tfjs does). Output float32, or int32 when every input is.
 */
export const einsum: KernelFunc = ({ inputs, attrs, backend }) => {
  const tensors = Object.values(inputs) as TensorInfo[];
  const equation = attrs?.equation as EinsumAttrs['equation'];
  const b = backend as ValuesBackend;
  const { shape, values } = einsumValues(
    equation,
    tensors.map((t) => t.shape),
    tensors.map((t) => readValues(b, t)),
  );
  return makeOutput(
    b,
    shape,
    tensors.every((t) => t.dtype === 'int32') ? 'int32' : 'float32',
    values,
  );
};
