/**
 * tfjs tensors to and from safetensors bytes. Bytes in, bytes out: no file system here, so these
 * work in browsers too (see `@archzoo/core/node` for files).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArchzooError } from '../errors.js';
import type { SafetensorsDtype } from './dtypes.js';
import {
  decodeSafetensors,
  type EncodableTensor,
  encodeSafetensors,
  setOwn,
} from './safetensors.js';

/**
 * Which int32 tensors to store as I64 (PyTorch's `torch.long`): `true` for all, `false` for none,
 * a list of names, or a predicate on the name. tfjs has no int64; values are widened exactly.
 */
export type Int64Policy = boolean | readonly string[] | ((name: string) => boolean);

/**
 * The int64 policy matching PyTorch's built-in modules: BatchNorm's `num_batches_tracked` is the
 * only integer entry of their state dicts, and torch keeps it as int64.
 */
export const torchInt64Keys = (name: string): boolean =>
  name === 'num_batches_tracked' || name.endsWith('.num_batches_tracked');

/** Options of `saveSafetensors`. */
export interface SaveSafetensorsOptions {
  /** String metadata for the header's `__metadata__`. */
  metadata?: Record<string, string>;
  /** int32 tensors to write as I64 instead of I32. Default `false` (all I32). */
  int64?: Int64Policy;
}

/** Resolves an `Int64Policy` to a predicate. */
export function int64Predicate(policy: Int64Policy = false): (name: string) => boolean {
  if (typeof policy === 'function') return policy;
  if (typeof policy === 'boolean') return () => policy;
  const set = new Set(policy);
  return (name) => set.has(name);
}

function isTensor(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor;
}

/** Checks the dict, returning each tensor with the dtype it will be stored as. */
function plan(
  tensors: Record<string, tf.Tensor>,
  int64: (name: string) => boolean,
): [string, tf.Tensor, SafetensorsDtype][] {
  if (tensors === null || typeof tensors !== 'object') {
    throw new ArchzooError(
      `saveSafetensors: tensors expected a record of tf.Tensor, got ${String(tensors)}`,
    );
  }
  return Object.entries(tensors).map(([name, t]) => {
    if (!isTensor(t))
      throw new ArchzooError(`saveSafetensors: '${name}' expected a tf.Tensor, got ${typeof t}`);
    if (t.isDisposed) throw new ArchzooError(`saveSafetensors: '${name}' is a disposed tensor`);
    switch (t.dtype) {
      case 'float32':
        return [name, t, 'F32'];
      case 'int32':
        return [name, t, int64(name) ? 'I64' : 'I32'];
      case 'bool':
        return [name, t, 'BOOL'];
      default:
        throw new ArchzooError(
          `saveSafetensors: '${name}' has dtype ${t.dtype}; safetensors stores float32, int32 and bool`,
        );
    }
  });
}

/**
 * Serializes tensors to safetensors bytes: float32 as F32, int32 as I32 (or I64 where `int64`
 * says, e.g. `torchInt64Keys` so that `torch.load_state_dict` sees `torch.long` buffers), bool as
 * BOOL. Reads the values asynchronously (no GPU stall); the tensors are not disposed.
 *
 * @example
 * const bytes = await saveSafetensors(model.stateDict(), { int64: torchInt64Keys });
 */
export async function saveSafetensors(
  tensors: Record<string, tf.Tensor>,
  opts: SaveSafetensorsOptions = {},
): Promise<Uint8Array> {
  const planned = plan(tensors, int64Predicate(opts.int64));
  const values = await Promise.all(planned.map(([, t]) => t.data()));
  const encodable: Record<string, EncodableTensor> = {};
  planned.forEach(([name, t, dtype], i) => {
    setOwn(encodable, name, { dtype, shape: t.shape, values: values[i] as ArrayLike<number> });
  });
  return encodeSafetensors(encodable, opts.metadata);
}

/** Bytes of a file: a Uint8Array (a Node Buffer is one) or an ArrayBuffer. */
export type BytesLike = Uint8Array | ArrayBuffer;

/** A Uint8Array view of `BytesLike` input, or an ArchzooError. */
export function asBytes(where: string, source: unknown): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  throw new ArchzooError(
    `${where}: expected a Uint8Array or ArrayBuffer, got ${Object.prototype.toString.call(source)}`,
  );
}

/**
 * Parses safetensors bytes into new tfjs tensors (owned by the caller) and the metadata. Dtypes
 * convert as `SAFETENSORS_DTYPES` says (F16/BF16/F64 -> float32, I64/I16/I8/U8 -> int32,
 * BOOL -> bool). The whole file is validated and decoded before any tensor is made, so a malformed
 * file throws an ArchzooError and allocates nothing.
 *
 * @example
 * const { tensors } = loadSafetensors(bytes);
 * model.loadStateDict(tensors);
 * tf.dispose(Object.values(tensors));
 */
export function loadSafetensors(source: BytesLike): {
  tensors: Record<string, tf.Tensor>;
  metadata: Record<string, string>;
} {
  const decoded = decodeSafetensors(asBytes('loadSafetensors', source));
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, d] of Object.entries(decoded.tensors))
    setOwn(tensors, name, tf.tensor(d.values, d.shape, d.dtype));
  return { tensors, metadata: decoded.metadata };
}
