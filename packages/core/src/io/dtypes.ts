/**
 * The safetensors element types archzoo reads and writes, and how each maps to the three dtypes
 * tfjs holds (float32, int32, bool). Pure JavaScript on typed arrays: no tfjs, no backend.
 *
 * | safetensors | bytes | tfjs      | conversion when read                                         |
 * |-------------|-------|-----------|--------------------------------------------------------------|
 * | F32         | 4     | float32   | exact                                                        |
 * | F64         | 8     | float32   | rounded to nearest float32 (beyond ±3.4e38 becomes ±Infinity) |
 * | F16         | 2     | float32   | exact (every half is a float32)                              |
 * | BF16        | 2     | float32   | exact (bfloat16 is the top half of a float32)                |
 * | I64         | 8     | int32     | exact; a value outside [-2^31, 2^31 - 1] is an error         |
 * | I32         | 4     | int32     | exact                                                        |
 * | I16, I8, U8 | 2,1,1 | int32     | exact (widened)                                              |
 * | BOOL        | 1     | bool      | exact; a byte other than 0 or 1 is an error                  |
 */
import { ArchzooError } from '../errors.js';

/** Element types of the safetensors format that archzoo supports. */
export type SafetensorsDtype =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U8'
  | 'BOOL';

/** The dtypes a tfjs tensor read from safetensors can have. */
export type StoredTfDtype = 'float32' | 'int32' | 'bool';

/** Values as tfjs holds them: float32, int32, or bool bytes (0 / 1). */
export type TfValues = Float32Array | Int32Array | Uint8Array;

interface DtypeInfo {
  /** Bytes per element. */
  size: number;
  /** The tfjs dtype it is read as. */
  tf: StoredTfDtype;
}

/** Byte size and tfjs dtype of every supported safetensors dtype. */
export const SAFETENSORS_DTYPES: Readonly<Record<SafetensorsDtype, DtypeInfo>> = {
  F64: { size: 8, tf: 'float32' },
  F32: { size: 4, tf: 'float32' },
  F16: { size: 2, tf: 'float32' },
  BF16: { size: 2, tf: 'float32' },
  I64: { size: 8, tf: 'int32' },
  I32: { size: 4, tf: 'int32' },
  I16: { size: 2, tf: 'int32' },
  I8: { size: 1, tf: 'int32' },
  U8: { size: 1, tf: 'int32' },
  BOOL: { size: 1, tf: 'bool' },
};

/** True for the names in `SAFETENSORS_DTYPES`. */
export function isSafetensorsDtype(d: unknown): d is SafetensorsDtype {
  return typeof d === 'string' && Object.hasOwn(SAFETENSORS_DTYPES, d);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Copies `bytes` (little-endian elements of `size` bytes) into a fresh, aligned, native-order buffer. */
function nativeCopy(bytes: Uint8Array, size: number): ArrayBuffer {
  // A copy in a new ArrayBuffer at offset 0, so every typed view is aligned. (Not `bytes.slice()`:
  // on a Node Buffer that is a view of the same memory.)
  const copy = new Uint8Array(bytes);
  if (!LITTLE_ENDIAN && size > 1) {
    for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
  }
  return copy.buffer;
}

/** Half (IEEE 754 binary16) bits to a number; exact. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** A number to half bits, rounding the float32 value to nearest-even (as `torch.half()` does). */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf, or a quiet NaN
  const e = exp - 127 + 15; // re-biased exponent
  if (e >= 0x1f) return sign | 0x7c00; // overflow: Inf
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: signed zero
    const m = mant | 0x800000; // implicit leading 1
    const shift = 14 - e; // value = m 2^(exp - 150); a subnormal half counts units of 2^-24
    let h = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && h & 1)) h++;
    return sign | h; // a carry out of the mantissa makes the smallest normal, as it should
  }
  let h = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry may round up to Inf: correct
  return h;
}

/** bfloat16 bits to a number; exact. */
export function bfloat16ToFloat(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0]!;
}

/** A number to bfloat16 bits, rounding the float32 value to nearest-even (as `torch.bfloat16`). */
export function floatToBfloat16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff; // quiet NaN
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * Decodes the little-endian bytes of one tensor to the values tfjs holds (see the table above).
 * `name` is used in errors. Throws an ArchzooError for an int64 that does not fit int32 or a bool
 * byte other than 0 / 1.
 */
export function decodeValues(dtype: SafetensorsDtype, bytes: Uint8Array, name: string): TfValues {
  const where = `safetensors: tensor '${name}'`;
  switch (dtype) {
    case 'F32':
      return new Float32Array(nativeCopy(bytes, 4));
    case 'F64':
      return Float32Array.from(new Float64Array(nativeCopy(bytes, 8)));
    case 'F16':
      return Float32Array.from(new Uint16Array(nativeCopy(bytes, 2)), halfToFloat);
    case 'BF16':
      return Float32Array.from(new Uint16Array(nativeCopy(bytes, 2)), bfloat16ToFloat);
    case 'I32':
      return new Int32Array(nativeCopy(bytes, 4));
    case 'I16':
      return Int32Array.from(new Int16Array(nativeCopy(bytes, 2)));
    case 'I8':
      return Int32Array.from(new Int8Array(nativeCopy(bytes, 1)));
    case 'U8':
      return Int32Array.from(bytes);
    case 'I64': {
      const words = new Int32Array(nativeCopy(bytes, 8)); // [lo, hi] pairs in native order
      const lo = LITTLE_ENDIAN ? 0 : 1;
      const out = new Int32Array(words.length / 2);
      for (let i = 0; i < out.length; i++) {
        const low = words[2 * i + lo]!;
        const high = words[2 * i + 1 - lo]!;
        // It fits int32 exactly when the high word is the sign extension of the low word.
        if (high !== (low < 0 ? -1 : 0)) {
          const value = BigInt(high) * 4294967296n + BigInt(low >>> 0);
          throw new ArchzooError(
            `${where}: int64 value ${value} at index ${i} does not fit int32 (tfjs has no int64); ` +
              'archzoo reads I64 only when every value is in [-2147483648, 2147483647]',
          );
        }
        out[i] = low;
      }
      return out;
    }
    case 'BOOL': {
      const out = new Uint8Array(bytes); // a copy, never a view of the file
      const bad = out.findIndex((b) => b > 1);
      if (bad >= 0)
        throw new ArchzooError(`${where}: BOOL byte ${out[bad]} at index ${bad}, expected 0 or 1`);
      return out;
    }
  }
}

const INT_RANGES: Partial<Record<SafetensorsDtype, [number, number]>> = {
  I64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  I32: [-2147483648, 2147483647],
  I16: [-32768, 32767],
  I8: [-128, 127],
  U8: [0, 255],
  BOOL: [0, 1],
};

/**
 * Encodes values as little-endian bytes of `dtype`. Floats round to nearest-even; integer dtypes
 * (and BOOL, 0 / 1) require integers in range, else an ArchzooError naming the tensor.
 */
export function encodeValues(
  dtype: SafetensorsDtype,
  values: ArrayLike<number>,
  name: string,
): Uint8Array {
  const n = values.length;
  const range = INT_RANGES[dtype];
  if (range) {
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (!Number.isInteger(v) || v < range[0] || v > range[1]) {
        throw new ArchzooError(
          `safetensors: tensor '${name}': value ${v} at index ${i} is not an integer in [${range[0]}, ${range[1]}] (dtype ${dtype})`,
        );
      }
    }
  }
  const out = new Uint8Array(n * SAFETENSORS_DTYPES[dtype].size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    switch (dtype) {
      case 'F64':
        view.setFloat64(8 * i, v, true);
        break;
      case 'F32':
        view.setFloat32(4 * i, v, true);
        break;
      case 'F16':
        view.setUint16(2 * i, floatToHalf(v), true);
        break;
      case 'BF16':
        view.setUint16(2 * i, floatToBfloat16(v), true);
        break;
      case 'I64':
        view.setUint32(8 * i, v >>> 0, true); // low word (two's complement)
        view.setInt32(8 * i + 4, Math.floor(v / 4294967296), true); // high word
        break;
      case 'I32':
        view.setInt32(4 * i, v, true);
        break;
      case 'I16':
        view.setInt16(2 * i, v, true);
        break;
      case 'I8':
        view.setInt8(i, v);
        break;
      case 'U8':
      case 'BOOL':
        view.setUint8(i, v);
        break;
    }
  }
  return out;
}
