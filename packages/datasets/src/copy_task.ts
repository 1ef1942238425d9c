import { nonNegativeInt, positiveInt } from '@archzoo/core';
import * as tf from '@tensorflow/tfjs-core';
import { generatorFrom, type SeedOptions } from './random.js';

/** Options of `makeCopyTask`. */
export interface CopyTaskOptions extends SeedOptions {
  /** Number of sequences. Default 128. */
  nSamples?: number;
  /** Symbols to remember and copy, L. Default 10 (as Arjovsky et al.). */
  copyLength?: number;
  /** Blank steps T between the symbols and the end of the delimiter (T >= 1). Default 20. */
  delay?: number;
  /** Alphabet size: data symbols are 1..numSymbols. Default 8. */
  numSymbols?: number;
}

/** The copy task: token sequences `[N, T + 2L]`, int32, owned by the caller. */
export interface CopyTask {
  /** Inputs: L symbols, T - 1 blanks (0), the delimiter, L blanks. */
  x: tf.Tensor2D;
  /** Targets: T + L blanks, then the L symbols. */
  y: tf.Tensor2D;
  /** Vocabulary size: blank 0, symbols 1..numSymbols, delimiter numSymbols + 1. */
  numClasses: number;
  /** The delimiter token, numSymbols + 1. */
  delimiter: number;
}

/**
 * The copy memory task (Hochreiter & Schmidhuber 1997; in the form of Arjovsky, Shah & Bengio
 * 2016, "Unitary Evolution RNNs"): read L random symbols, wait T steps, and after the delimiter
 * write the symbols back. Token ids: 0 blank, 1..numSymbols data, numSymbols + 1 delimiter.
 * x, y int32 `[N, T + 2L]`. A memoryless baseline scores L log(numSymbols) / (T + 2L) nats of
 * cross-entropy per step.
 *
 * @example
 * const { x, y, numClasses } = makeCopyTask({ nSamples: 64, copyLength: 5, delay: 10 }); // [64, 20]
 */
export function makeCopyTask(opts: CopyTaskOptions = {}): CopyTask {
  const where = 'makeCopyTask';
  const n = nonNegativeInt(where, 'nSamples', opts.nSamples ?? 128);
  const l = positiveInt(where, 'copyLength', opts.copyLength ?? 10);
  const t = positiveInt(where, 'delay', opts.delay ?? 20);
  const k = positiveInt(where, 'numSymbols', opts.numSymbols ?? 8);
  const g = generatorFrom(opts);
  const len = t + 2 * l;
  const x = new Int32Array(n * len);
  const y = new Int32Array(n * len);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < l; j++) {
      const s = 1 + g.randint(k);
      x[i * len + j] = s; // the symbols, first
      y[i * len + t + l + j] = s; // and to be written back, last
    }
    x[i * len + t + l - 1] = k + 1; // the delimiter, after T - 1 blanks
  }
  return {
    x: tf.tensor2d(x, [n, len], 'int32'),
    y: tf.tensor2d(y, [n, len], 'int32'),
    numClasses: k + 2,
    delimiter: k + 1,
  };
}
