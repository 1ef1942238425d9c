/// <reference types="node" />
/**
 * @archzoo/core/node: checkpoints and safetensors files on disk (Node.js only; it imports
 * `node:fs`, which is why it is a separate entry point that browser bundles never load).
 *
 * Writes are atomic: the bytes go to a temporary file in the target's directory, which is flushed
 * (fsync) and then renamed over the target, so a reader sees either the old file or the complete
 * new one, never a half-written one, and a failure leaves no temporary file behind.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import {
  type Checkpoint,
  type CheckpointContents,
  type LoadCheckpointResult,
  type LoadCheckpointTargets,
  loadCheckpoint,
  readCheckpoint,
  type SaveCheckpointOptions,
  saveCheckpoint,
} from './checkpoint.js';
import { loadSafetensors, type SaveSafetensorsOptions, saveSafetensors } from './tensors.js';

let tempCounter = 0;

/** fsync a directory so the rename itself is durable; not every platform allows it (Windows). */
async function syncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort: the file's own data was already fsynced before the rename.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Writes `data` to `path` atomically: temp file in the same directory (`.<name>.<pid>.<n>.tmp`),
 * fsync, rename over `path`, fsync of the directory. On any error the temp file is removed, the
 * target is left as it was, and the error is rethrown.
 *
 * @example
 * await writeFileAtomic('model.safetensors', bytes);
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  const tmp = join(
    dir,
    `.${basename(target)}.${process.pid}.${tempCounter++}.${Date.now().toString(36)}.tmp`,
  );
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(tmp, 'wx'); // fails rather than clobber an existing file
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, target);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncDir(dir);
}

/**
 * Saves a checkpoint (see `saveCheckpoint`) to `path`, atomically.
 *
 * @example
 * await saveCheckpointFile('ckpt.safetensors', { model, optimizer, metadata: { epoch: '3' } });
 */
export async function saveCheckpointFile(
  path: string,
  contents: CheckpointContents,
  opts: SaveCheckpointOptions = {},
): Promise<void> {
  await writeFileAtomic(path, await saveCheckpoint(contents, opts));
}

/** Reads a checkpoint file (see `readCheckpoint`); the tensors are the caller's to dispose. */
export async function readCheckpointFile(path: string): Promise<Checkpoint> {
  return readCheckpoint(await readFile(path));
}

/**
 * Loads a checkpoint file into a model (and optimizer), all or nothing (see `loadCheckpoint`).
 *
 * @example
 * await loadCheckpointFile('ckpt.safetensors', { model });
 */
export async function loadCheckpointFile(
  path: string,
  targets: LoadCheckpointTargets,
): Promise<LoadCheckpointResult> {
  return loadCheckpoint(await readFile(path), targets);
}

/** Writes tensors to a safetensors file atomically (see `saveSafetensors`). */
export async function saveSafetensorsFile(
  path: string,
  tensors: Record<string, tf.Tensor>,
  opts: SaveSafetensorsOptions = {},
): Promise<void> {
  await writeFileAtomic(path, await saveSafetensors(tensors, opts));
}

/** Reads a safetensors file into new tensors (see `loadSafetensors`). */
export async function loadSafetensorsFile(
  path: string,
): Promise<{ tensors: Record<string, tf.Tensor>; metadata: Record<string, string> }> {
  return loadSafetensors(await readFile(path));
}
