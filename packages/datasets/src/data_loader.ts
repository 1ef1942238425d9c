import { ArchzooError, type Generator, positiveInt } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { generatorFrom, permutation, type SeedOptions } from './random.js';

/** Options of `DataLoader`. */
export interface DataLoaderOptions extends SeedOptions {
  /** Samples per batch. */
  batchSize: number;
  /** Visit the samples in a new random order every epoch. Default true. */
  shuffle?: boolean;
  /** Leave out the last batch when it is smaller than batchSize. Default false. */
  dropLast?: boolean;
}

/**
 * Mini-batches over tensors that share their first (sample) axis, after `torch.utils.data.DataLoader`.
 *
 * Each `for...of` over the loader is one epoch: every sample appears exactly once (or, with
 * `dropLast`, all but the last `N mod batchSize`), in an order drawn from the seeded generator at
 * the start of the epoch, so the k-th epoch's order depends only on the seed and k.
 *
 * Ownership: the loader does not own (or dispose) the tensors it is given. Each batch it yields
 * holds new tensors owned by the caller: dispose them after the step (`tf.dispose(batch)`), or use
 * `forEachBatch`, which does it for you. Runs on any backend, in Node and in browsers.
 *
 * @example
 * const loader = new DataLoader({ x, y }, { batchSize: 32, seed: 0 });
 * for (let epoch = 0; epoch < 3; epoch++) {
 *   for (const batch of loader) {
 *     trainStep(batch.x, batch.y); // batch.x: [32, ...]
 *     tf.dispose(batch);
 *   }
 * }
 */
export class DataLoader<T extends Record<string, tf.Tensor>> implements Iterable<T> {
  /** Samples per batch (the last batch of an epoch may be smaller unless `dropLast`). */
  readonly batchSize: number;
  /** Whether each epoch visits the samples in a new random order. */
  readonly shuffle: boolean;
  /** Whether an incomplete last batch is left out. */
  readonly dropLast: boolean;
  /** Number of samples N (the tensors' first dimension). */
  readonly size: number;
  /** Epochs started so far. */
  epoch = 0;
  readonly #tensors: T;
  readonly #generator: Generator;

  constructor(tensors: T, opts: DataLoaderOptions) {
    const where = 'DataLoader';
    this.batchSize = positiveInt(where, 'batchSize', opts?.batchSize);
    this.shuffle = opts.shuffle ?? true;
    this.dropLast = opts.dropLast ?? false;
    this.#generator = generatorFrom(opts);
    const entries = Object.entries(tensors ?? {});
    if (entries.length === 0)
      throw new ArchzooError(`${where}: tensors expected a record of at least one tf.Tensor`);
    let size: number | undefined;
    for (const [name, t] of entries) {
      if (!(t instanceof tf.Tensor))
        throw new ArchzooError(`${where}: '${name}' expected a tf.Tensor, got ${typeof t}`);
      if (t.isDisposed) throw new ArchzooError(`${where}: '${name}' is a disposed tensor`);
      if (t.rank === 0)
        throw new ArchzooError(
          `${where}: '${name}' expected rank >= 1 (samples on axis 0), got a scalar`,
        );
      size ??= t.shape[0]!;
      if (t.shape[0] !== size) {
        throw new ArchzooError(
          `${where}: every tensor needs the same number of samples (axis 0); '${name}' has ${t.shape[0]}, expected ${size}`,
        );
      }
    }
    this.size = size!;
    this.#tensors = tensors;
  }

  /** Batches per epoch. */
  get length(): number {
    return this.dropLast
      ? Math.floor(this.size / this.batchSize)
      : Math.ceil(this.size / this.batchSize);
  }

  /** The sample indices of each batch of the next epoch (advances the epoch and the generator). */
  nextEpochIndices(): Int32Array[] {
    this.epoch++;
    const order = this.shuffle
      ? permutation(this.size, this.#generator)
      : Int32Array.from({ length: this.size }, (_, i) => i);
    return Array.from({ length: this.length }, (_, b) =>
      order.subarray(b * this.batchSize, Math.min(this.size, (b + 1) * this.batchSize)),
    );
  }

  /** One epoch of batches; each batch's tensors are new and the caller's to dispose. */
  *[Symbol.iterator](): Iterator<T> {
    for (const indices of this.nextEpochIndices()) yield this.batch(indices);
  }

  /** The batch of the given sample indices (new tensors, owned by the caller). */
  batch(indices: ArrayLike<number>): T {
    const contiguous = Array.prototype.every.call(
      indices,
      (v: number, i: number) => v === indices[0]! + i,
    );
    return tf.tidy(() => {
      const idx = contiguous ? null : tf.tensor1d(Int32Array.from(indices), 'int32');
      const out: Record<string, tf.Tensor> = {};
      for (const [name, t] of Object.entries(this.#tensors)) {
        out[name] = idx ? tf.gather(t, idx) : tf.slice(t, indices[0] ?? 0, indices.length);
      }
      return out as T;
    });
  }

  /**
   * Runs `fn` on every batch of one epoch, in order, awaiting it, and disposes each batch after
   * `fn` returns (or throws). Tensors `fn` creates are its own business (wrap them in `tf.tidy`).
   */
  async forEachBatch(fn: (batch: T, index: number) => void | Promise<void>): Promise<void> {
    let i = 0;
    for (const batch of this) {
      try {
        await fn(batch, i++);
      } finally {
        tf.dispose(batch);
      }
    }
  }
}
