// Fuzzing the safetensors reader with fast-check: random bytes, random headers, and valid files
// mutated (bytes flipped, truncated, extended, header text and length field edited). Whatever the
// input, the reader either returns a well-formed result or throws an ArchzooError; nothing else.
// Seeds are fixed so a failure reproduces; the run counts are in RUNS (9,700 files, a few seconds).
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchzooError } from '../errors.js';
import '../index.js';
import { useBackend } from '../testing/index.js';
import {
  bfloat16ToFloat,
  floatToBfloat16,
  floatToHalf,
  halfToFloat,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
} from './dtypes.js';
import { decodeSafetensors, type EncodableTensor, encodeSafetensors } from './safetensors.js';
import { loadSafetensors } from './tensors.js';

const RUNS = {
  roundTrip: 800,
  randomBytes: 3000,
  randomHeaders: 2500,
  mutated: 3000,
  tensorsNoLeak: 400,
};

const DTYPES = Object.keys(SAFETENSORS_DTYPES) as SafetensorsDtype[];

const INT_RANGE: Partial<Record<SafetensorsDtype, [number, number]>> = {
  I64: [-2147483648, 2147483647], // what reads back into int32
  I32: [-2147483648, 2147483647],
  I16: [-32768, 32767],
  I8: [-128, 127],
  U8: [0, 255],
  BOOL: [0, 1],
};

function valuesOf(dtype: SafetensorsDtype, n: number): fc.Arbitrary<number[]> {
  const range = INT_RANGE[dtype];
  const v = range ? fc.integer({ min: range[0], max: range[1] }) : fc.float(); // fc.float: any float32, NaN and ±Inf included
  return fc.array(v, { minLength: n, maxLength: n });
}

const tensorArb: fc.Arbitrary<EncodableTensor> = fc
  .record({
    dtype: fc.constantFrom(...DTYPES),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  })
  .chain(({ dtype, shape }) =>
    valuesOf(
      dtype,
      shape.reduce((a, b) => a * b, 1),
    ).map((values) => ({ dtype, shape, values })),
  );

const nameArb = fc.string({ maxLength: 12 }).filter((s) => s !== '__metadata__');

const fileArb = fc.record({
  tensors: fc.dictionary(nameArb, tensorArb, { maxKeys: 5 }),
  metadata: fc.option(
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 3 }),
    { nil: undefined },
  ),
});

/** What the reader returns for a written value: the tfjs value after the dtype's conversions. */
function readBack(dtype: SafetensorsDtype, v: number): number {
  if (dtype === 'F16') return halfToFloat(floatToHalf(v));
  if (dtype === 'BF16') return bfloat16ToFloat(floatToBfloat16(v));
  if (SAFETENSORS_DTYPES[dtype].tf === 'float32') return Math.fround(v);
  return v;
}

/** decodeSafetensors must return a well-formed result or throw an ArchzooError, nothing else. */
function decodeOrArchzooError(bytes: Uint8Array): 'ok' | 'error' {
  let result: ReturnType<typeof decodeSafetensors>;
  try {
    result = decodeSafetensors(bytes);
  } catch (e) {
    if (!(e instanceof ArchzooError)) throw new Error(`non-Archzoo error: ${String(e)}`);
    if (!e.message.startsWith('safetensors: ')) throw new Error(`unprefixed message: ${e.message}`);
    return 'error';
  }
  for (const t of Object.values(result.tensors)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.values.length !== n) throw new Error('values do not match shape');
    if (SAFETENSORS_DTYPES[t.storedDtype].tf !== t.dtype) throw new Error('dtype mapping broken');
  }
  for (const v of Object.values(result.metadata))
    if (typeof v !== 'string') throw new Error('metadata not string');
  return 'ok';
}

const mutationArb = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 4,
    }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('append' as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({
    kind: fc.constant('headerChar' as const),
    at: fc.nat(),
    char: fc.constantFrom(...'{}[]":,-.0123456789eE ntfx\\'.split('')),
  }),
  fc.record({
    kind: fc.constant('length' as const),
    value: fc.oneof(fc.nat(), fc.integer({ min: -8, max: 8 }), fc.constant(2 ** 40)),
  }),
);

type Mutation = typeof mutationArb extends fc.Arbitrary<infer M> ? M : never;

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const headerLength = out.length >= 8 ? view.getUint32(0, true) : 0;
  switch (m.kind) {
    case 'flip':
      for (const [at, b] of m.at) out[at % out.length] = b;
      return out;
    case 'truncate':
      return out.subarray(0, m.at % out.length);
    case 'append': {
      const longer = new Uint8Array(out.length + m.bytes.length);
      longer.set(out);
      longer.set(m.bytes, out.length);
      return longer;
    }
    case 'delete': {
      const at = m.at % out.length;
      return new Uint8Array([...out.subarray(0, at), ...out.subarray(at + m.count)]);
    }
    case 'headerChar':
      out[8 + (m.at % Math.max(1, headerLength))] = m.char.charCodeAt(0);
      return out;
    case 'length': {
      if (out.length < 8) return out;
      const v = m.value < 0 ? headerLength + m.value : m.value;
      view.setUint32(0, v % 4294967296, true);
      view.setUint32(4, Math.floor(v / 4294967296), true);
      return out;
    }
  }
}

/** A header whose every field may be wrong in type or value. */
const wildEntry = fc.record(
  {
    dtype: fc.oneof(
      fc.constantFrom(...DTYPES, 'U16', 'F8_E4M3', 'f32', ''),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    shape: fc.oneof(
      fc.array(fc.integer({ min: -2, max: 6 }), { maxLength: 3 }),
      fc.array(fc.double(), { maxLength: 2 }),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    data_offsets: fc.oneof(
      fc.tuple(fc.integer({ min: -2, max: 40 }), fc.integer({ min: -2, max: 40 })),
      fc.array(fc.oneof(fc.nat(50), fc.double(), fc.string()), { maxLength: 3 }),
      fc.jsonValue({ maxDepth: 1 }),
    ),
  },
  { requiredKeys: [] },
);
const wildHeader = fc.oneof(
  fc.dictionary(
    fc.oneof(fc.string({ maxLength: 6 }), fc.constant('__metadata__'), fc.constant('__proto__')),
    fc.oneof(wildEntry, fc.jsonValue({ maxDepth: 2 })),
    { maxKeys: 4 },
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

function withHeader(header: unknown, buffer: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) ?? '');
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

describe('safetensors fuzzing (fast-check)', () => {
  it(`round trips ${RUNS.roundTrip} random valid files exactly (after each dtype's conversion)`, () => {
    fc.assert(
      fc.property(fileArb, ({ tensors, metadata }) => {
        const decoded = decodeSafetensors(encodeSafetensors(tensors, metadata));
        // Plain checks (not expect) in the hot loop: thousands of runs must stay fast.
        const names = Object.keys(tensors);
        if (Object.keys(decoded.tensors).length !== names.length) return false;
        if (JSON.stringify(decoded.metadata) !== JSON.stringify(metadata ?? {})) return false;
        return names.every((name) => {
          const t = tensors[name]!;
          const d = decoded.tensors[name]!;
          if (d.storedDtype !== t.dtype || d.shape.join() !== t.shape.join()) return false;
          for (let i = 0; i < t.values.length; i++)
            if (!Object.is(d.values[i], readBack(t.dtype, t.values[i]!))) return false;
          return true;
        });
      }),
      { numRuns: RUNS.roundTrip, seed: 1 },
    );
  });

  it(`survives ${RUNS.randomBytes} random byte strings`, () => {
    let ok = 0;
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 8, maxLength: 300 })),
        (bytes) => {
          if (decodeOrArchzooError(bytes) === 'ok') ok++;
        },
      ),
      { numRuns: RUNS.randomBytes, seed: 2 },
    );
    expect(ok).toBeLessThan(RUNS.randomBytes); // almost all are rejected, cleanly
  });

  it(`survives ${RUNS.randomHeaders} random headers over random buffers`, () => {
    const outcomes = { ok: 0, error: 0 };
    fc.assert(
      fc.property(wildHeader, fc.uint8Array({ maxLength: 48 }), (header, buffer) => {
        outcomes[decodeOrArchzooError(withHeader(header, buffer))]++;
      }),
      { numRuns: RUNS.randomHeaders, seed: 3 },
    );
    expect(outcomes.error).toBeGreaterThan(0);
    expect(outcomes.ok).toBeGreaterThan(0); // e.g. {} over an empty buffer
  });

  it(`survives ${RUNS.mutated} mutated valid files (flipped, truncated, extended, edited)`, () => {
    const outcomes = { ok: 0, error: 0 };
    fc.assert(
      fc.property(
        fileArb,
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        ({ tensors, metadata }, mutations) => {
          let bytes = encodeSafetensors(tensors, metadata);
          for (const m of mutations) if (bytes.length > 0) bytes = mutate(bytes, m);
          outcomes[decodeOrArchzooError(bytes)]++;
        },
      ),
      { numRuns: RUNS.mutated, seed: 4 },
    );
    expect(outcomes.error).toBeGreaterThan(RUNS.mutated / 4);
    expect(outcomes.ok).toBeGreaterThan(0); // e.g. a flipped value byte is still a valid file
  });

  describe('loadSafetensors (tfjs tensors)', () => {
    beforeAll(() => useBackend('cpu'));

    it(`leaks no tensor on ${RUNS.tensorsNoLeak} mutated files`, () => {
      const before = tf.memory().numTensors;
      fc.assert(
        fc.property(fileArb, mutationArb, ({ tensors, metadata }, m) => {
          const bytes = mutate(encodeSafetensors(tensors, metadata), m);
          let loaded: Record<string, tf.Tensor> | undefined;
          try {
            loaded = loadSafetensors(bytes).tensors;
          } catch (e) {
            if (!(e instanceof ArchzooError)) throw e;
          }
          expect(tf.memory().numTensors).toBe(before + Object.keys(loaded ?? {}).length);
          tf.dispose(Object.values(loaded ?? {}));
        }),
        { numRuns: RUNS.tensorsNoLeak, seed: 5 },
      );
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
