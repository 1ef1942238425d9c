/**
 * The safetensors file format (https://github.com/huggingface/safetensors), read and written in
 * plain JavaScript on bytes: no tfjs, no file system, so it runs in Node and in browsers alike.
 *
 * Layout: 8 bytes little-endian unsigned header length N; N bytes of UTF-8 JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { string: string } }`;
 * then the byte buffer, which the offsets index (relative to its start).
 *
 * The reader treats every file as hostile: any malformed input throws one ArchzooError with a
 * clear message, and nothing is returned (no partial result).
 */
import { ArchzooError, shapeString } from '../errors.js';
import {
  decodeValues,
  encodeValues,
  isSafetensorsDtype,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  type StoredTfDtype,
  type TfValues,
} from './dtypes.js';

/** Largest header archzoo reads: 100 MB, the limit of the reference (Rust) implementation. */
export const MAX_HEADER_BYTES = 100_000_000;

/** Where one tensor lies in a file, as its header says (offsets relative to the byte buffer). */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  dataOffsets: [number, number];
}

/** A validated header. */
export interface SafetensorsHeader {
  /** Tensors in the header's order. */
  entries: [string, SafetensorsEntry][];
  /** The `__metadata__` map ({} when absent). */
  metadata: Record<string, string>;
  /** Byte offset of the byte buffer in the file (8 + header length). */
  dataStart: number;
}

/** One tensor as read: its stored dtype, its tfjs dtype and values, and its shape. */
export interface DecodedTensor {
  /** The dtype in the file. */
  storedDtype: SafetensorsDtype;
  /** The dtype tfjs holds it as (see `SAFETENSORS_DTYPES`). */
  dtype: StoredTfDtype;
  shape: number[];
  values: TfValues;
}

/** One tensor to write: the dtype to store, the shape, and row-major values. */
export interface EncodableTensor {
  dtype: SafetensorsDtype;
  shape: readonly number[];
  values: ArrayLike<number>;
}

/** Sets an own enumerable property, so a hostile name such as `__proto__` is just a key. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function bad(message: string): never {
  throw new ArchzooError(`safetensors: ${message}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** The number of elements of a shape, or an error if it exceeds 2^53. */
function numel(shape: readonly number[], name: string): number {
  let n = 1;
  for (const d of shape) n *= d;
  if (!Number.isSafeInteger(n))
    bad(`tensor '${name}': shape ${shapeString(shape)} has too many elements`);
  return n;
}

function validateEntry(name: string, raw: unknown, bufferBytes: number): SafetensorsEntry {
  const where = `tensor '${name}'`;
  if (!isPlainObject(raw))
    bad(`${where}: expected an object {dtype, shape, data_offsets}, got ${JSON.stringify(raw)}`);
  for (const k of Object.keys(raw)) {
    if (k !== 'dtype' && k !== 'shape' && k !== 'data_offsets')
      bad(`${where}: unexpected field '${k}'`);
  }
  const { dtype, shape, data_offsets: offsets } = raw;
  if (!isSafetensorsDtype(dtype)) {
    const known = Object.keys(SAFETENSORS_DTYPES).join(', ');
    bad(`${where}: unsupported dtype ${JSON.stringify(dtype)} (supported: ${known})`);
  }
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    bad(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    bad(
      `${where}: data_offsets must be two non-negative integers [begin, end], got ${JSON.stringify(offsets)}`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) bad(`${where}: data_offsets [${begin}, ${end}] has begin > end`);
  if (end > bufferBytes) {
    bad(
      `${where}: data_offsets [${begin}, ${end}] run past the end of the ${bufferBytes}-byte buffer`,
    );
  }
  const expected = numel(shape, name) * SAFETENSORS_DTYPES[dtype].size;
  if (end - begin !== expected) {
    bad(
      `${where}: ${dtype} ${shapeString(shape)} needs ${expected} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { dtype, shape: [...shape], dataOffsets: [begin, end] };
}

/**
 * Reads and validates the header of a safetensors file: header length within the file and at most
 * `MAX_HEADER_BYTES`, valid UTF-8 JSON, an object, well-formed entries whose byte ranges agree with
 * dtype and shape, lie inside the buffer and tile it exactly (contiguous, no overlap, no gap), and
 * a `__metadata__` of strings. Throws an ArchzooError otherwise.
 */
export function parseSafetensorsHeader(bytes: Uint8Array): SafetensorsHeader {
  if (!(bytes instanceof Uint8Array))
    bad(`expected a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
  if (bytes.length < 8) bad(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerBytes = high * 4294967296 + low;
  if (headerBytes > MAX_HEADER_BYTES)
    bad(`header length ${headerBytes} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (8 + headerBytes > bytes.length) {
    bad(
      `header length ${headerBytes} runs past the end of the ${bytes.length}-byte file (truncated?)`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(
      bytes.subarray(8, 8 + headerBytes),
    );
  } catch {
    bad('header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    bad(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(json))
    bad(
      `header must be a JSON object, got ${Array.isArray(json) ? 'an array' : JSON.stringify(json)}`,
    );

  const dataStart = 8 + headerBytes;
  const bufferBytes = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: [string, SafetensorsEntry][] = [];
  for (const [name, raw] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isPlainObject(raw))
        bad(`__metadata__ must be an object of strings, got ${JSON.stringify(raw)}`);
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string')
          bad(`__metadata__['${k}'] must be a string, got ${JSON.stringify(v)}`);
        setOwn(metadata, k, v);
      }
    } else {
      entries.push([name, validateEntry(name, raw, bufferBytes)]);
    }
  }

  // The byte ranges, in order, must tile the buffer: start at 0, no gap, no overlap, end at its end.
  const byOffset = [...entries].sort(
    (a, b) =>
      a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1],
  );
  let cursor = 0;
  for (const [name, e] of byOffset) {
    const [begin, end] = e.dataOffsets;
    if (begin < cursor)
      bad(
        `tensor '${name}': data_offsets [${begin}, ${end}] overlap the previous tensor (ending at ${cursor})`,
      );
    if (begin > cursor)
      bad(`tensor '${name}': data_offsets [${begin}, ${end}] leave a gap after byte ${cursor}`);
    cursor = end;
  }
  if (cursor !== bufferBytes)
    bad(`the tensors cover ${cursor} bytes but the buffer holds ${bufferBytes} (trailing bytes)`);
  return { entries, metadata, dataStart };
}

/**
 * Decodes a whole safetensors file to typed arrays (see the dtype table in `dtypes.ts`:
 * F16/BF16/F64 -> float32, I64/I16/I8/U8 -> int32, BOOL -> bool). Validates everything first;
 * throws an ArchzooError and returns nothing for any malformed file.
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(bytes);
 * tensors['0.weight'].values; // Float32Array
 */
export function decodeSafetensors(bytes: Uint8Array): {
  tensors: Record<string, DecodedTensor>;
  metadata: Record<string, string>;
} {
  const header = parseSafetensorsHeader(bytes);
  const tensors: Record<string, DecodedTensor> = {};
  for (const [name, e] of header.entries) {
    const [begin, end] = e.dataOffsets;
    const values = decodeValues(
      e.dtype,
      bytes.subarray(header.dataStart + begin, header.dataStart + end),
      name,
    );
    setOwn(tensors, name, {
      storedDtype: e.dtype,
      dtype: SAFETENSORS_DTYPES[e.dtype].tf,
      shape: e.shape,
      values,
    });
  }
  return { tensors, metadata: header.metadata };
}

/**
 * Encodes tensors (given with the dtype to store) and optional string metadata as a safetensors
 * file. Tensors are laid out by element size, largest first (in the given order otherwise), after a
 * header padded with spaces to a multiple of 8 bytes, so every tensor is aligned to its element
 * size as the reference implementation does.
 */
export function encodeSafetensors(
  tensors: Record<string, EncodableTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const items = Object.entries(tensors).map(([name, t]) => {
    if (!isSafetensorsDtype(t.dtype))
      bad(`tensor '${name}': unsupported dtype ${JSON.stringify(t.dtype)}`);
    if (!Array.isArray(t.shape) || !t.shape.every(isIndex)) {
      bad(`tensor '${name}': shape must be non-negative integers, got ${JSON.stringify(t.shape)}`);
    }
    const n = numel(t.shape, name);
    if (t.values.length !== n)
      bad(
        `tensor '${name}': shape ${shapeString(t.shape)} needs ${n} values, got ${t.values.length}`,
      );
    return {
      name,
      dtype: t.dtype,
      shape: [...t.shape],
      data: encodeValues(t.dtype, t.values, name),
    };
  });
  items.sort((a, b) => SAFETENSORS_DTYPES[b.dtype].size - SAFETENSORS_DTYPES[a.dtype].size); // stable

  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') bad(`metadata['${k}'] must be a string, got ${JSON.stringify(v)}`);
    }
    setOwn(header, '__metadata__', metadata);
  }
  let offset = 0;
  for (const it of items) {
    if (it.name === '__metadata__') bad("'__metadata__' is reserved and cannot name a tensor");
    setOwn(header, it.name, {
      dtype: it.dtype,
      shape: it.shape,
      data_offsets: [offset, offset + it.data.length],
    });
    offset += it.data.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20); // spaces are valid trailing JSON whitespace
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, Math.floor(json.length / 4294967296), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const it of items) {
    out.set(it.data, at);
    at += it.data.length;
  }
  return out;
}
