import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchzooError } from '../errors.js';
import '../index.js';
import { testBackends, useBackend } from '../testing/index.js';
import {
  bfloat16ToFloat,
  floatToBfloat16,
  floatToHalf,
  halfToFloat,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
} from './dtypes.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  MAX_HEADER_BYTES,
  parseSafetensorsHeader,
} from './safetensors.js';
import { loadSafetensors, saveSafetensors, torchInt64Keys } from './tensors.js';

/** A file from a header (object or raw JSON text) and a byte buffer, length field as given. */
function file(
  header: unknown,
  buffer: ArrayLike<number> = [],
  lengthOverride?: number,
): Uint8Array {
  const json = new TextEncoder().encode(
    typeof header === 'string' ? header : JSON.stringify(header),
  );
  const out = new Uint8Array(8 + json.length + buffer.length);
  const view = new DataView(out.buffer);
  const n = lengthOverride ?? json.length;
  view.setUint32(0, n % 4294967296, true);
  view.setUint32(4, Math.floor(n / 4294967296), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

const f32 = (name = 't', begin = 0, shape = [2]) => ({
  [name]: {
    dtype: 'F32',
    shape,
    data_offsets: [begin, begin + 4 * shape.reduce((a, b) => a * b, 1)],
  },
});

/** Parses and expects an ArchzooError whose message matches. */
function rejects(bytes: Uint8Array, message: RegExp): void {
  let thrown: unknown;
  try {
    decodeSafetensors(bytes);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ArchzooError);
  expect((thrown as Error).message).toMatch(/^safetensors: /);
  expect((thrown as Error).message).toMatch(message);
}

describe('safetensors dtypes', () => {
  const values: Record<SafetensorsDtype, number[]> = {
    F64: [0, -1.5, 1e-30, 3.25, Number.NEGATIVE_INFINITY],
    F32: [0, -1.5, 0.1, 3e38, Number.POSITIVE_INFINITY],
    F16: [0, -1.5, 0.5, 65504, 2 ** -24],
    BF16: [0, -1.5, 0.5, 3.3895313892515355e38, 1.1754943508222875e-38],
    I64: [0, -1, 2147483647, -2147483648, 12345],
    I32: [0, -1, 2147483647, -2147483648, 7],
    I16: [0, -1, 32767, -32768, 300],
    I8: [0, -1, 127, -128, 5],
    U8: [0, 1, 128, 255, 42],
    BOOL: [0, 1, 1, 0, 1],
  };

  for (const dtype of Object.keys(SAFETENSORS_DTYPES) as SafetensorsDtype[]) {
    it(`round trips ${dtype} (read as ${SAFETENSORS_DTYPES[dtype].tf})`, () => {
      const bytes = encodeSafetensors({
        a: { dtype, shape: [5], values: values[dtype] },
        s: { dtype, shape: [], values: [values[dtype][1]!] },
      });
      const header = parseSafetensorsHeader(bytes);
      expect(header.dataStart % 8).toBe(0);
      expect(header.entries.map(([n, e]) => [n, e.dtype, e.shape])).toEqual([
        ['a', dtype, [5]],
        ['s', dtype, []],
      ]);
      const { tensors } = decodeSafetensors(bytes);
      expect(tensors.a!.storedDtype).toBe(dtype);
      expect(tensors.a!.dtype).toBe(SAFETENSORS_DTYPES[dtype].tf);
      const expected =
        SAFETENSORS_DTYPES[dtype].tf === 'float32'
          ? Array.from(Float32Array.from(values[dtype]))
          : values[dtype];
      expect(Array.from(tensors.a!.values)).toEqual(expected);
      expect(tensors.s!.shape).toEqual([]);
      expect(Array.from(tensors.s!.values)).toEqual([expected[1]]);
    });
  }

  it('half: every one of the 65536 bit patterns survives decode then encode', () => {
    const wrong: number[] = []; // plain checks in the loop: 65536 expect() calls would take seconds
    for (let h = 0; h < 65536; h++) {
      const v = halfToFloat(h);
      const back = Number.isNaN(v)
        ? Number.isNaN(halfToFloat(floatToHalf(v)))
        : floatToHalf(v) === h;
      if (!back) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('half: rounds to nearest even, overflows to Inf, underflows to (signed) zero', () => {
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie between 1 and 1 + 2^-10: to even (1)
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie: up to even
    expect(floatToHalf(65520)).toBe(0x7c00); // halfway to the next binade: Inf
    expect(floatToHalf(65519)).toBe(0x7bff);
    expect(floatToHalf(2 ** -25)).toBe(0); // half the smallest subnormal: to even (0)
    expect(floatToHalf(1.5 * 2 ** -25)).toBe(1);
    expect(floatToHalf(-1e-10)).toBe(0x8000);
    expect(floatToHalf(2 ** -14 - 2 ** -26)).toBe(0x0400); // rounds up out of the subnormals
    expect(Number.isNaN(halfToFloat(floatToHalf(Number.NaN)))).toBe(true);
  });

  it('bfloat16: exact for its values, rounds to nearest even, keeps NaN', () => {
    const wrong: number[] = [];
    for (let b = 0; b < 65536; b++) {
      const v = bfloat16ToFloat(b);
      if (
        Number.isNaN(v)
          ? !Number.isNaN(bfloat16ToFloat(floatToBfloat16(v)))
          : floatToBfloat16(v) !== b
      )
        wrong.push(b);
    }
    expect(wrong).toEqual([]);
    expect(floatToBfloat16(1 + 2 ** -8)).toBe(0x3f80); // tie: to even
    expect(floatToBfloat16(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(Number.isNaN(bfloat16ToFloat(floatToBfloat16(Number.NaN)))).toBe(true);
    expect(bfloat16ToFloat(floatToBfloat16(3.4e38))).toBe(Number.POSITIVE_INFINITY);
  });

  it('writing rejects values the dtype cannot hold', () => {
    const enc = (dtype: SafetensorsDtype, v: number) => () =>
      encodeSafetensors({ t: { dtype, shape: [1], values: [v] } });
    expect(enc('I8', 128)).toThrow(/value 128 at index 0 is not an integer in \[-128, 127\]/);
    expect(enc('U8', -1)).toThrow(ArchzooError);
    expect(enc('I32', 0.5)).toThrow(/not an integer/);
    expect(enc('BOOL', 2)).toThrow(/\[0, 1\]/);
    expect(() => encodeSafetensors({ t: { dtype: 'F32', shape: [3], values: [1, 2] } })).toThrow(
      /needs 3 values, got 2/,
    );
    expect(() =>
      encodeSafetensors({ t: { dtype: 'U16' as SafetensorsDtype, shape: [1], values: [1] } }),
    ).toThrow(/unsupported dtype "U16"/);
    expect(() =>
      encodeSafetensors({ __metadata__: { dtype: 'F32', shape: [1], values: [1] } }),
    ).toThrow(/reserved/);
  });

  it('I64 writes exactly past int32 (safe integers) and reads back only what fits int32', () => {
    const big = encodeSafetensors({
      t: { dtype: 'I64', shape: [2], values: [2 ** 40 + 3, -(2 ** 35)] },
    });
    const words = new DataView(big.buffer, big.length - 16);
    expect(words.getBigInt64(0, true)).toBe(2n ** 40n + 3n);
    expect(words.getBigInt64(8, true)).toBe(-(2n ** 35n));
    rejects(big, /tensor 't': int64 value 1099511627779 at index 0 does not fit int32/);
  });
});

describe('safetensors header: every malformed file gets a clear ArchzooError', () => {
  const ok = file(f32(), new Uint8Array(8));
  it('accepts the well-formed base case', () => {
    expect(Array.from(decodeSafetensors(ok).tensors.t!.values)).toEqual([0, 0]);
    expect(decodeSafetensors(file({})).tensors).toEqual({});
  });

  const cases: [string, () => Uint8Array, RegExp][] = [
    ['empty file', () => new Uint8Array(0), /0 bytes, shorter than the 8-byte header length/],
    ['7 bytes', () => new Uint8Array(7), /7 bytes, shorter than the 8-byte/],
    [
      'header length over 100 MB',
      () => file({}, [], MAX_HEADER_BYTES + 1),
      /exceeds the 100000000-byte limit/,
    ],
    [
      'header length with its high word set',
      () => file({}, [], 2 ** 32 + 2),
      /exceeds the 100000000-byte limit/,
    ],
    [
      'header length past the end',
      () => file({}, [], 500),
      /header length 500 runs past the end of the 10-byte file/,
    ],
    [
      'truncated file',
      () => ok.subarray(0, ok.length - 3),
      /data_offsets \[0, 8\] run past the end of the 5-byte buffer/,
    ],
    [
      'invalid UTF-8',
      () => file('{"\xff"}').map((b, i) => (i === 10 ? 0xff : b)),
      /not valid UTF-8/,
    ],
    ['invalid JSON', () => file('{"t": {'), /not valid JSON/],
    ['empty header', () => file(''), /not valid JSON/],
    ['header is an array', () => file([1, 2]), /header must be a JSON object, got an array/],
    ['header is null', () => file('null'), /header must be a JSON object, got null/],
    ['header is a number', () => file('42'), /got 42/],
    [
      'entry is not an object',
      () => file({ t: 3 }),
      /tensor 't': expected an object \{dtype, shape, data_offsets\}, got 3/,
    ],
    [
      'entry has an unknown field',
      () => file({ t: { ...f32().t, extra: 1 } }, new Uint8Array(8)),
      /tensor 't': unexpected field 'extra'/,
    ],
    [
      'dtype unsupported',
      () => file({ t: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, [0]),
      /unsupported dtype "F8_E4M3"/,
    ],
    [
      'dtype missing',
      () => file({ t: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /unsupported dtype undefined/,
    ],
    [
      'dtype lower case',
      () => file({ t: { dtype: 'f32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /unsupported dtype "f32"/,
    ],
    [
      'shape negative',
      () => file({ t: { dtype: 'U8', shape: [-1], data_offsets: [0, 0] } }),
      /shape must be an array of non-negative integers, got \[-1\]/,
    ],
    [
      'shape fractional',
      () => file({ t: { dtype: 'U8', shape: [1.5], data_offsets: [0, 1] } }, [0]),
      /non-negative integers, got \[1.5\]/,
    ],
    [
      'shape not an array',
      () => file({ t: { dtype: 'U8', shape: '3', data_offsets: [0, 3] } }, [0, 0, 0]),
      /got "3"/,
    ],
    [
      'shape too large',
      () =>
        file({ t: { dtype: 'U8', shape: [2 ** 30, 2 ** 30, 2 ** 30], data_offsets: [0, 1] } }, [0]),
      /has too many elements/,
    ],
    [
      'offsets of length 3',
      () => file({ t: { dtype: 'U8', shape: [1], data_offsets: [0, 1, 2] } }, [0]),
      /data_offsets must be two non-negative integers/,
    ],
    [
      'offsets negative',
      () => file({ t: { dtype: 'U8', shape: [1], data_offsets: [-1, 0] } }, [0]),
      /data_offsets must be two/,
    ],
    [
      'offsets fractional',
      () => file({ t: { dtype: 'U8', shape: [1], data_offsets: [0, 0.5] } }, [0]),
      /data_offsets must be two/,
    ],
    [
      'offsets as strings',
      () => file({ t: { dtype: 'U8', shape: [1], data_offsets: ['0', '1'] } }, [0]),
      /data_offsets must be two/,
    ],
    [
      'begin > end',
      () => file({ t: { dtype: 'U8', shape: [0], data_offsets: [1, 0] } }, [0]),
      /has begin > end/,
    ],
    [
      'end past the buffer',
      () => file({ t: { dtype: 'U8', shape: [4], data_offsets: [0, 4] } }, [0, 0]),
      /run past the end of the 2-byte buffer/,
    ],
    [
      'byte count disagrees with shape',
      () => file({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /F32 \[3\] needs 12 bytes but data_offsets \[0, 8\] hold 8/,
    ],
    [
      'byte count disagrees with dtype',
      () => file({ t: { dtype: 'F64', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /F64 \[1\] needs 8 bytes/,
    ],
    [
      'overlapping tensors',
      () => file({ ...f32('a', 0), ...f32('b', 4) }, new Uint8Array(12)),
      /tensor 'b': data_offsets \[4, 12\] overlap the previous tensor \(ending at 8\)/,
    ],
    [
      'identical ranges',
      () => file({ ...f32('a', 0), ...f32('b', 0) }, new Uint8Array(8)),
      /overlap the previous tensor/,
    ],
    [
      'gap between tensors',
      () => file({ ...f32('a', 0), ...f32('b', 12) }, new Uint8Array(20)),
      /tensor 'b': data_offsets \[12, 20\] leave a gap after byte 8/,
    ],
    ['gap at the start', () => file(f32('a', 4), new Uint8Array(12)), /leave a gap after byte 0/],
    [
      'trailing bytes',
      () => file(f32(), new Uint8Array(9)),
      /the tensors cover 8 bytes but the buffer holds 9 \(trailing bytes\)/,
    ],
    ['bytes without tensors', () => file({}, [1]), /cover 0 bytes but the buffer holds 1/],
    [
      '__metadata__ not an object',
      () => file({ __metadata__: ['a'] }),
      /__metadata__ must be an object of strings/,
    ],
    [
      '__metadata__ value not a string',
      () => file({ __metadata__: { epoch: 3 } }),
      /__metadata__\['epoch'\] must be a string, got 3/,
    ],
    [
      'I64 beyond int32',
      () =>
        file(
          { t: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } },
          [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128, 0, 0, 0, 0],
        ),
      /int64 value 2147483648 at index 1 does not fit int32/,
    ],
    [
      'I64 below int32',
      () =>
        file(
          { t: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } },
          [255, 255, 255, 127, 255, 255, 255, 255],
        ),
      /int64 value -2147483649 at index 0/,
    ],
    [
      'BOOL byte 2',
      () => file({ t: { dtype: 'BOOL', shape: [3], data_offsets: [0, 3] } }, [1, 0, 2]),
      /BOOL byte 2 at index 2, expected 0 or 1/,
    ],
  ];
  for (const [name, make, message] of cases) {
    it(`rejects: ${name}`, () => rejects(make(), message));
  }

  it('rejects input that is not bytes', () => {
    expect(() => decodeSafetensors('abc' as unknown as Uint8Array)).toThrow(
      /safetensors: expected a Uint8Array, got \[object String\]/,
    );
  });

  it('treats hostile names such as __proto__ as plain keys', () => {
    // An object literal's __proto__ sets its prototype, so the header is written as text.
    const text =
      '{"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"constructor":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}';
    const { tensors } = decodeSafetensors(file(text, [5, 6]));
    expect(Object.keys(tensors)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    expect(Array.from(Object.getOwnPropertyDescriptor(tensors, '__proto__')!.value.values)).toEqual(
      [5],
    );
  });

  it('reads a file at an odd offset inside a larger buffer (e.g. a pooled Node Buffer)', () => {
    const bytes = encodeSafetensors({
      a: { dtype: 'F64', shape: [2], values: [1.5, -2] },
      b: { dtype: 'I16', shape: [1], values: [-7] },
    });
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    const { tensors } = decodeSafetensors(big.subarray(3));
    expect(Array.from(tensors.a!.values)).toEqual([1.5, -2]);
    expect(Array.from(tensors.b!.values)).toEqual([-7]);
  });

  it('accepts zero-size tensors anywhere and JSON whitespace padding', () => {
    const text = `{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"u":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}     `;
    const { tensors } = decodeSafetensors(file(text, [9, 8]));
    expect(tensors.e!.shape).toEqual([0, 3]);
    expect(tensors.e!.values.length).toBe(0);
    expect(Array.from(tensors.u!.values)).toEqual([9, 8]);
  });

  it('lays tensors out aligned: header padded to 8, larger elements first', () => {
    const bytes = encodeSafetensors({
      b: { dtype: 'U8', shape: [3], values: [1, 2, 3] },
      h: { dtype: 'F16', shape: [1], values: [1] },
      d: { dtype: 'F64', shape: [1], values: [1] },
      f: { dtype: 'F32', shape: [1], values: [1] },
    });
    const header = parseSafetensorsHeader(bytes);
    expect(header.dataStart % 8).toBe(0);
    expect(header.entries.map(([n]) => n)).toEqual(['d', 'f', 'h', 'b']);
    for (const [, e] of header.entries)
      expect(e.dataOffsets[0] % SAFETENSORS_DTYPES[e.dtype].size).toBe(0);
  });
});

for (const backend of testBackends()) {
  describe(`saveSafetensors / loadSafetensors [${backend}]`, () => {
    beforeAll(() => useBackend(backend));

    it('round trips float32, int32 (as I32 or I64) and bool tensors with metadata', async () => {
      const src = {
        w: tf.tensor2d([
          [1.5, -2],
          [0.25, 3e-8],
        ]),
        'bn.num_batches_tracked': tf.scalar(7, 'int32'),
        idx: tf.tensor1d([-5, 2147483647], 'int32'),
        mask: tf.tensor1d([true, false, true], 'bool'),
      };
      const before = tf.memory().numTensors;
      const bytes = await saveSafetensors(src, {
        metadata: { format: 'pt', note: 'ünïcødé' },
        int64: torchInt64Keys,
      });
      expect(tf.memory().numTensors).toBe(before);
      const header = parseSafetensorsHeader(bytes);
      expect(Object.fromEntries(header.entries.map(([n, e]) => [n, e.dtype]))).toEqual({
        w: 'F32',
        'bn.num_batches_tracked': 'I64',
        idx: 'I32',
        mask: 'BOOL',
      });
      const { tensors, metadata } = loadSafetensors(bytes);
      expect(metadata).toEqual({ format: 'pt', note: 'ünïcødé' });
      for (const [k, t] of Object.entries(src)) {
        expect(tensors[k]!.dtype).toBe(t.dtype);
        expect(tensors[k]!.shape).toEqual(t.shape);
        expect(Array.from(await tensors[k]!.data())).toEqual(Array.from(await t.data()));
      }
      tf.dispose([...Object.values(src), ...Object.values(tensors)]);
    });

    it('int64 policy: true, a list of names, or a predicate', async () => {
      const src = { a: tf.scalar(1, 'int32'), b: tf.scalar(2, 'int32') };
      const dtypes = async (int64: boolean | string[] | ((n: string) => boolean)) =>
        parseSafetensorsHeader(await saveSafetensors(src, { int64 }))
          .entries.map(([n, e]) => `${n}:${e.dtype}`)
          .sort();
      expect(await dtypes(true)).toEqual(['a:I64', 'b:I64']);
      expect(await dtypes(false)).toEqual(['a:I32', 'b:I32']);
      expect(await dtypes(['b'])).toEqual(['a:I32', 'b:I64']);
      expect(await dtypes((n) => n === 'a')).toEqual(['a:I64', 'b:I32']);
      tf.dispose(Object.values(src));
    });

    it('rejects what it cannot store', async () => {
      const disposed = tf.scalar(1);
      disposed.dispose();
      await expect(saveSafetensors({ d: disposed })).rejects.toThrow(/'d' is a disposed tensor/);
      await expect(saveSafetensors({ n: 3 as unknown as tf.Tensor })).rejects.toThrow(
        /'n' expected a tf.Tensor, got number/,
      );
      const s = tf.tensor1d(['a'], 'string');
      await expect(saveSafetensors({ s })).rejects.toThrow(
        /'s' has dtype string; safetensors stores float32, int32 and bool/,
      );
      s.dispose();
    });

    it('a malformed file allocates no tensor (no partial result)', () => {
      // 'a' is fine, 'b' holds an int64 that does not fit int32: nothing may be created.
      const bad = file(
        {
          a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
          b: { dtype: 'I64', shape: [1], data_offsets: [4, 12] },
        },
        [0, 0, 128, 63, 0, 0, 0, 0, 1, 0, 0, 0],
      );
      const before = tf.memory().numTensors;
      expect(() => loadSafetensors(bad)).toThrow(ArchzooError);
      expect(tf.memory().numTensors).toBe(before);
      expect(() => loadSafetensors({} as Uint8Array)).toThrow(
        /loadSafetensors: expected a Uint8Array or ArrayBuffer/,
      );
    });

    it('reads from an ArrayBuffer', async () => {
      const bytes = encodeSafetensors({ x: { dtype: 'BF16', shape: [2], values: [1, -0.5] } });
      const { tensors } = loadSafetensors(bytes.slice().buffer);
      expect(tensors.x!.dtype).toBe('float32');
      expect(Array.from(await tensors.x!.data())).toEqual([1, -0.5]);
      tensors.x!.dispose();
    });
  });
}
