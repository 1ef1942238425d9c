/**
 * Checkpoints: a model's state dict, optionally an optimizer's state and metadata, in one
 * safetensors file that PyTorch reads directly.
 *
 * File layout:
 * - model tensors under their PyTorch state-dict names and layouts, so
 *   `model.load_state_dict(safetensors.torch.load_file(path))` works in Python;
 * - optimizer tensors under `optimizer/<path>` (a name no torch module key can take), and the
 *   rest of the optimizer's state as JSON in the metadata entry `archzoo.optimizer`, each tensor
 *   replaced by `{ "$tensor": name }`;
 * - metadata: `format: 'pt'` (what `safetensors.torch.save_file` writes), `archzoo.checkpoint: '1'`
 *   (the layout version) and the caller's own string entries.
 *
 * Bytes in, bytes out (Uint8Array, ArrayBuffer or Blob), so this works in browsers; the
 * path-based versions live in `@archzoo/core/node`.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ArchzooError } from '../errors.js';
import { type LoadStateDictResult, Module } from '../module.js';
import { setOwn } from './safetensors.js';
import { flattenStateTree, type StateTree, treeTensors, unflattenStateTree } from './state_tree.js';
import {
  asBytes,
  type BytesLike,
  type Int64Policy,
  int64Predicate,
  loadSafetensors,
  saveSafetensors,
  torchInt64Keys,
} from './tensors.js';

/** Prefix of optimizer tensor names in a checkpoint. */
export const OPTIMIZER_PREFIX = 'optimizer/';
/** Metadata keys starting with this are archzoo's own. */
export const RESERVED_METADATA_PREFIX = 'archzoo.';
const VERSION_KEY = 'archzoo.checkpoint';
const OPTIMIZER_KEY = 'archzoo.optimizer';
const VERSION = '1';

/**
 * Anything with PyTorch-style state, e.g. an archzoo optimizer: `stateDict()` returns a state tree
 * (plain objects, arrays, numbers, strings, booleans, null, tensors); `loadStateDict(tree)` restores
 * it and must copy any tensor it keeps (as `Module.loadStateDict` and `torch.optim` do), because
 * `loadCheckpoint` disposes the tensors it passed once the call returns.
 */
export interface Stateful {
  stateDict(): unknown;
  loadStateDict(state: unknown): unknown;
}

/** What `saveCheckpoint` stores. */
export interface CheckpointContents {
  /** The model, or its state dict (PyTorch names and layouts). */
  model: Module | Record<string, tf.Tensor>;
  /** An optimizer (anything `Stateful`) or its state tree. */
  optimizer?: Stateful | StateTree;
  /** String metadata (e.g. `{ epoch: '3' }`). Keys starting with `archzoo.` are reserved. */
  metadata?: Record<string, string>;
}

/** Options of `saveCheckpoint`. */
export interface SaveCheckpointOptions {
  /**
   * Model int32 tensors stored as I64. Default `torchInt64Keys` (BatchNorm's `num_batches_tracked`,
   * which torch keeps as int64), so the file has the dtypes of torch's own `state_dict()`.
   */
  int64?: Int64Policy;
}

/** A checkpoint as read: new tensors the caller owns (dispose them, e.g. with `disposeCheckpoint`). */
export interface Checkpoint {
  /** The model state dict (PyTorch names and layouts). */
  model: Record<string, tf.Tensor>;
  /** The optimizer's state tree, or `undefined` if none was saved. */
  optimizer: StateTree | undefined;
  /** The metadata, without archzoo's reserved `archzoo.*` entries. */
  metadata: Record<string, string>;
}

/** What a checkpoint can be read from: bytes, or a Blob (browser `File`s are Blobs). */
export type CheckpointSource = BytesLike | Blob;

function isStateful(x: unknown): x is Stateful {
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof (x as Stateful).stateDict === 'function' &&
    typeof (x as Stateful).loadStateDict === 'function'
  );
}

/**
 * Serializes a model (and optionally optimizer state and metadata) to safetensors bytes that
 * PyTorch loads with `safetensors.torch.load_file` (see the file layout above). The caller's
 * tensors are not disposed; a Module's state dict is made and disposed here.
 *
 * @example
 * const bytes = await saveCheckpoint({ model, optimizer, metadata: { epoch: '3' } });
 * const blob = new Blob([bytes]); // e.g. to download in a browser
 */
export async function saveCheckpoint(
  contents: CheckpointContents,
  opts: SaveCheckpointOptions = {},
): Promise<Uint8Array> {
  const where = 'saveCheckpoint';
  if (contents === null || typeof contents !== 'object')
    throw new ArchzooError(`${where}: expected { model, optimizer?, metadata? }`);
  const metadata: Record<string, string> = { format: 'pt' };
  for (const [k, v] of Object.entries(contents.metadata ?? {})) {
    if (k.startsWith(RESERVED_METADATA_PREFIX))
      throw new ArchzooError(
        `${where}: metadata key '${k}' is reserved (keys starting with 'archzoo.')`,
      );
    if (typeof v !== 'string')
      throw new ArchzooError(`${where}: metadata['${k}'] must be a string, got ${typeof v}`);
    setOwn(metadata, k, v);
  }
  metadata[VERSION_KEY] = VERSION;

  const ownModelDict = contents.model instanceof Module;
  const modelDict = contents.model instanceof Module ? contents.model.stateDict() : contents.model;
  const ownOptimizerState = isStateful(contents.optimizer);
  const optimizerState = isStateful(contents.optimizer)
    ? contents.optimizer.stateDict()
    : contents.optimizer;
  try {
    if (modelDict === null || typeof modelDict !== 'object')
      throw new ArchzooError(`${where}: model expected a Module or a state dict`);
    const tensors: Record<string, tf.Tensor> = {};
    for (const [k, t] of Object.entries(modelDict)) {
      if (k.startsWith(OPTIMIZER_PREFIX))
        throw new ArchzooError(
          `${where}: model key '${k}' clashes with the optimizer prefix '${OPTIMIZER_PREFIX}'`,
        );
      setOwn(tensors, k, t);
    }
    if (optimizerState !== undefined) {
      const flat = flattenStateTree(optimizerState, OPTIMIZER_PREFIX, where);
      metadata[OPTIMIZER_KEY] = flat.json;
      for (const [k, t] of Object.entries(flat.tensors)) setOwn(tensors, k, t);
    }
    const modelInt64 = int64Predicate(opts.int64 ?? torchInt64Keys);
    return await saveSafetensors(tensors, {
      metadata,
      int64: (name) => !name.startsWith(OPTIMIZER_PREFIX) && modelInt64(name),
    });
  } finally {
    if (ownModelDict) for (const t of Object.values(modelDict)) t.dispose();
    if (ownOptimizerState) for (const t of treeTensors(optimizerState)) t.dispose();
  }
}

async function toBytes(where: string, source: unknown): Promise<Uint8Array> {
  if (typeof Blob !== 'undefined' && source instanceof Blob)
    return new Uint8Array(await source.arrayBuffer());
  return asBytes(where, source);
}

/**
 * Reads a checkpoint (archzoo's, or any safetensors state dict such as one written by
 * `safetensors.torch.save_file(model.state_dict(), path)`). Validates the whole file first: a
 * malformed one throws an ArchzooError and allocates nothing. The returned tensors are the caller's.
 */
export async function readCheckpoint(source: CheckpointSource): Promise<Checkpoint> {
  const where = 'readCheckpoint';
  const { tensors, metadata } = loadSafetensors(await toBytes(where, source));
  try {
    const version = metadata[VERSION_KEY];
    if (version !== undefined && version !== VERSION) {
      throw new ArchzooError(
        `${where}: checkpoint layout version '${version}' is not supported (this archzoo reads '${VERSION}')`,
      );
    }
    const optimizerJson = version === undefined ? undefined : metadata[OPTIMIZER_KEY];
    const model: Record<string, tf.Tensor> = {};
    const optimizerTensors: Record<string, tf.Tensor> = {};
    for (const [k, t] of Object.entries(tensors)) {
      setOwn(
        optimizerJson !== undefined && k.startsWith(OPTIMIZER_PREFIX) ? optimizerTensors : model,
        k,
        t,
      );
    }
    const optimizer =
      optimizerJson === undefined
        ? undefined
        : unflattenStateTree(optimizerJson, optimizerTensors, where);
    const user: Record<string, string> = {};
    for (const [k, v] of Object.entries(metadata))
      if (!k.startsWith(RESERVED_METADATA_PREFIX)) setOwn(user, k, v);
    return { model, optimizer, metadata: user };
  } catch (e) {
    for (const t of Object.values(tensors)) t.dispose();
    throw e;
  }
}

/** Disposes every tensor of a checkpoint returned by `readCheckpoint`. */
export function disposeCheckpoint(ckpt: Checkpoint): void {
  for (const t of Object.values(ckpt.model)) t.dispose();
  for (const t of treeTensors(ckpt.optimizer)) t.dispose();
}

/** Where `loadCheckpoint` puts what it reads. */
export interface LoadCheckpointTargets {
  /** Receives the model state dict through `Module.loadStateDict`. */
  model: Module;
  /** Receives the optimizer state; the checkpoint must then hold one. */
  optimizer?: Stateful;
  /** Require the model's keys to match exactly (PyTorch's default). Default true. */
  strict?: boolean;
}

/** What `loadCheckpoint` reports. */
export interface LoadCheckpointResult extends LoadStateDictResult {
  /** The checkpoint's metadata, without archzoo's reserved entries. */
  metadata: Record<string, string>;
}

/**
 * Reads a checkpoint and loads it into a model (and optimizer). All or nothing: the file is
 * validated, the model's `loadStateDict` checks every key, shape and dtype before changing
 * anything, and if the optimizer then rejects its state the model's previous weights are restored.
 * The read tensors are disposed afterwards.
 *
 * @example
 * const { metadata } = await loadCheckpoint(bytes, { model, optimizer });
 */
export async function loadCheckpoint(
  source: CheckpointSource,
  targets: LoadCheckpointTargets,
): Promise<LoadCheckpointResult> {
  const where = 'loadCheckpoint';
  if (!(targets?.model instanceof Module))
    throw new ArchzooError(`${where}: targets.model expected a Module`);
  if (targets.optimizer !== undefined && !isStateful(targets.optimizer)) {
    throw new ArchzooError(
      `${where}: targets.optimizer expected an object with stateDict() and loadStateDict()`,
    );
  }
  const ckpt = await readCheckpoint(source);
  try {
    if (targets.optimizer && ckpt.optimizer === undefined) {
      throw new ArchzooError(
        `${where}: an optimizer was given but the checkpoint holds no optimizer state`,
      );
    }
    const backup = targets.optimizer ? targets.model.stateDict() : null;
    try {
      const result = targets.model.loadStateDict(ckpt.model, { strict: targets.strict ?? true });
      if (targets.optimizer) {
        try {
          targets.optimizer.loadStateDict(ckpt.optimizer);
        } catch (e) {
          targets.model.loadStateDict(backup!, { strict: false }); // all or nothing
          throw e;
        }
      }
      return { ...result, metadata: ckpt.metadata };
    } finally {
      if (backup) for (const t of Object.values(backup)) t.dispose();
    }
  } finally {
    disposeCheckpoint(ckpt);
  }
}
