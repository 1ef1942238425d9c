// Files on disk (Node only): atomic writes and the path-based checkpoint functions. node:fs/promises
// is wrapped so a test can make a write fail halfway (as a full disk would) or a rename fail.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Generator, Linear } from '../index.js';
import { useBackend } from '../testing/index.js';
import {
  loadCheckpointFile,
  loadSafetensorsFile,
  readCheckpointFile,
  saveCheckpointFile,
  saveSafetensorsFile,
  writeFileAtomic,
} from './node.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

/** Fault injection: `writeBytes` >= 0 makes the next file write stop after that many bytes and throw. */
const faults = vi.hoisted(() => ({ writeBytes: -1, renameFails: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof fs.open = async (...args) => {
    const handle = await fs.open(...args);
    if (faults.writeBytes < 0) return handle;
    const limit = faults.writeBytes;
    faults.writeBytes = -1;
    return new Proxy(handle, {
      get(target, prop) {
        if (prop === 'writeFile') {
          return async (data: Uint8Array) => {
            await target.write(data.subarray(0, limit));
            throw Object.assign(new Error('ENOSPC: no space left on device (simulated)'), {
              code: 'ENOSPC',
            });
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  };
  const rename: typeof fs.rename = async (from, to) => {
    if (faults.renameFails)
      throw Object.assign(new Error('EXDEV: rename failed (simulated)'), { code: 'EXDEV' });
    return fs.rename(from, to);
  };
  return { ...fs, default: { ...fs, open, rename }, open, rename };
});

let dir: string;
beforeAll(() => useBackend('cpu'));
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'archzoo-io-'));
});
afterEach(async () => {
  faults.writeBytes = -1;
  faults.renameFails = false;
  await rm(dir, { recursive: true, force: true });
});

const OLD = new Uint8Array([1, 2, 3, 4]);
const NEW = new Uint8Array(64 * 1024).map((_, i) => i % 251);

describe('writeFileAtomic', () => {
  it('writes the bytes and leaves no temporary file', async () => {
    const target = join(dir, 'a.bin');
    await writeFileAtomic(target, NEW);
    expect(new Uint8Array(await readFile(target))).toEqual(NEW);
    await writeFileAtomic(target, OLD); // replaces an existing file
    expect(new Uint8Array(await readFile(target))).toEqual(OLD);
    expect(await readdir(dir)).toEqual(['a.bin']);
  });

  it('a write failing halfway leaves the old target intact and removes the temporary file', async () => {
    const target = join(dir, 'a.bin');
    await writeFile(target, OLD);
    faults.writeBytes = 1000;
    await expect(writeFileAtomic(target, NEW)).rejects.toThrow(/ENOSPC/);
    expect(new Uint8Array(await readFile(target))).toEqual(OLD); // never half-written
    expect(await readdir(dir)).toEqual(['a.bin']);
  });

  it('a failing rename leaves the old target intact and removes the temporary file', async () => {
    const target = join(dir, 'a.bin');
    await writeFile(target, OLD);
    faults.renameFails = true;
    await expect(writeFileAtomic(target, NEW)).rejects.toThrow(/EXDEV/);
    expect(new Uint8Array(await readFile(target))).toEqual(OLD);
    expect(await readdir(dir)).toEqual(['a.bin']);
  });

  it('a target that is a directory is an error and is left alone', async () => {
    const target = join(dir, 'sub');
    await mkdir(target);
    await writeFile(join(target, 'keep'), OLD);
    await expect(writeFileAtomic(target, NEW)).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['sub']);
    expect(await readdir(target)).toEqual(['keep']);
  });

  it('a missing directory is an error and creates nothing', async () => {
    await expect(writeFileAtomic(join(dir, 'no', 'such', 'a.bin'), NEW)).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('concurrent writers to one path each write whole files', async () => {
    const target = join(dir, 'a.bin');
    const payloads = [0, 1, 2, 3, 4].map((k) => new Uint8Array(20_000).fill(k));
    await Promise.all(payloads.map((p) => writeFileAtomic(target, p)));
    const got = new Uint8Array(await readFile(target));
    expect(got.length).toBe(20_000);
    expect(new Set(got).size).toBe(1); // one writer's bytes, not a mix
    expect(await readdir(dir)).toEqual(['a.bin']);
  });
});

describe('Node Buffers', () => {
  it('decodes from a pooled Buffer (a view into a shared ArrayBuffer) into copies', () => {
    const bytes = encodeSafetensors({
      f: { dtype: 'F32', shape: [2], values: [1.5, -3] },
      b: { dtype: 'BOOL', shape: [2], values: [1, 0] },
    });
    const pooled = Buffer.concat([Buffer.alloc(3), Buffer.from(bytes)]).subarray(3);
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length); // really a view
    const { tensors } = decodeSafetensors(pooled);
    expect(Array.from(tensors.f!.values)).toEqual([1.5, -3]);
    expect(tensors.f!.values.buffer.byteLength).toBe(8); // its own memory, not the pool
    pooled.fill(0);
    expect(Array.from(tensors.b!.values)).toEqual([1, 0]); // unaffected by later writes to the buffer
  });
});

describe('checkpoint files', () => {
  it('saveCheckpointFile / readCheckpointFile / loadCheckpointFile round trip', async () => {
    const path = join(dir, 'ckpt.safetensors');
    const a = new Linear({ inFeatures: 3, outFeatures: 2, generator: new Generator(1) });
    const b = new Linear({ inFeatures: 3, outFeatures: 2, generator: new Generator(2) });
    const step = tf.scalar(5, 'int32');
    await saveCheckpointFile(path, { model: a, optimizer: { step }, metadata: { epoch: '1' } });
    expect(await readdir(dir)).toEqual(['ckpt.safetensors']);

    const ckpt = await readCheckpointFile(path);
    expect(Object.keys(ckpt.model)).toEqual(['weight', 'bias']);
    expect(ckpt.metadata).toEqual({ format: 'pt', epoch: '1' });
    expect(Array.from(await (ckpt.optimizer as { step: tf.Tensor }).step.data())).toEqual([5]);
    tf.dispose([...Object.values(ckpt.model), (ckpt.optimizer as { step: tf.Tensor }).step]);

    const n0 = tf.memory().numTensors;
    await loadCheckpointFile(path, { model: b });
    expect(tf.memory().numTensors).toBe(n0);
    expect(Array.from(b.weight.dataSync())).toEqual(Array.from(a.weight.dataSync()));
    tf.dispose(step);
    a.dispose();
    b.dispose();
  });

  it('a checkpoint that cannot be serialized never touches the existing file', async () => {
    const path = join(dir, 'ckpt.safetensors');
    await writeFile(path, OLD);
    const gone = tf.scalar(1);
    gone.dispose();
    await expect(saveCheckpointFile(path, { model: { gone } })).rejects.toThrow(
      /'gone' is a disposed tensor/,
    );
    expect(new Uint8Array(await readFile(path))).toEqual(OLD);
    expect(await readdir(dir)).toEqual(['ckpt.safetensors']);
  });

  it('saveSafetensorsFile / loadSafetensorsFile round trip', async () => {
    const path = join(dir, 't.safetensors');
    const t = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    await saveSafetensorsFile(path, { t }, { metadata: { k: 'v' } });
    const { tensors, metadata } = await loadSafetensorsFile(path);
    expect(metadata).toEqual({ k: 'v' });
    expect(tensors.t!.shape).toEqual([2, 2]);
    expect(Array.from(tensors.t!.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([t, tensors.t!]);
  });

  it('a corrupt file on disk gives the parser error', async () => {
    const path = join(dir, 'bad.safetensors');
    await writeFile(path, new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255]));
    await expect(readCheckpointFile(path)).rejects.toThrow(
      /safetensors: header length \d+ exceeds the 100000000-byte limit/,
    );
  });
});
