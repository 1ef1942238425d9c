import { type Generator, normal } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { checkTensor, fail, positiveInt } from '../errors.js';
import { Module, parameter } from '../module.js';

export interface EmbeddingOptions {
  /** Size of the dictionary. */
  numEmbeddings: number;
  /** Size of each vector. */
  embeddingDim: number;
  /** This row starts at zero and receives no gradient (PyTorch's `padding_idx`; negative counts from the end). */
  paddingIdx?: number | null;
  generator?: Generator;
}

/**
 * Rows of `weight` picked by integer indices, with the gradient of `paddingIdx`'s row held at zero.
 * indices: int32 of any shape -> `[...indices.shape, embeddingDim]`.
 */
export function embedding(
  indices: tf.Tensor,
  weight: tf.Tensor2D,
  paddingIdx: number | null = null,
): tf.Tensor {
  return tf.tidy(() => {
    let w: tf.Tensor2D = weight;
    if (paddingIdx !== null) {
      const rows = weight.shape[0];
      const maskValues = new Float32Array(rows).fill(1);
      maskValues[paddingIdx] = 0;
      // The mask is made when the gradient runs: a tensor made here would be gone by then (tidy).
      const blockPadGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
        value: tf.clone(args[0] as tf.Tensor),
        gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor2d(maskValues, [rows, 1])),
      }));
      w = blockPadGrad(weight) as tf.Tensor2D;
    }
    const flat = tf.reshape(indices, [-1]);
    const out = tf.gather(w, flat); // [K, D]
    return tf.reshape(out, [...indices.shape, weight.shape[1]]);
  });
}

/** `torch.nn.Embedding`. Init: N(0, 1), `paddingIdx`'s row zero. */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  /** `[numEmbeddings, embeddingDim]`, same layout as PyTorch. */
  weight: tf.Variable;

  constructor(opts: EmbeddingOptions) {
    super();
    this.numEmbeddings = positiveInt('Embedding', 'numEmbeddings', opts.numEmbeddings);
    this.embeddingDim = positiveInt('Embedding', 'embeddingDim', opts.embeddingDim);
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (!Number.isInteger(pad) || pad < -this.numEmbeddings || pad >= this.numEmbeddings) {
        fail(
          'Embedding',
          'option paddingIdx',
          `an integer in [-${this.numEmbeddings}, ${this.numEmbeddings - 1}]`,
          pad,
        );
      }
      if (pad < 0) pad += this.numEmbeddings;
    }
    this.paddingIdx = pad;
    const w = normal([this.numEmbeddings, this.embeddingDim], { generator: opts.generator });
    if (pad === null) {
      this.weight = parameter(w);
    } else {
      const values = w.dataSync().slice();
      w.dispose();
      values.fill(0, pad * this.embeddingDim, (pad + 1) * this.embeddingDim);
      this.weight = parameter(tf.tensor2d(values, [this.numEmbeddings, this.embeddingDim]));
    }
  }

  /** indices: int32, any shape, values in [0, numEmbeddings). */
  forward(indices: tf.Tensor): tf.Tensor {
    checkTensor('Embedding.forward', 'indices', indices, { dtype: 'int32' });
    if (indices.size > 0) {
      // Out-of-range rows would silently read garbage on some backends; PyTorch raises too.
      const [lo, hi] = tf
        .tidy(() => [tf.min(indices), tf.max(indices)])
        .map((t) => {
          const v = t.dataSync()[0]!;
          t.dispose();
          return v;
        });
      if (lo! < 0 || hi! >= this.numEmbeddings) {
        fail(
          'Embedding.forward',
          'indices',
          `values in [0, ${this.numEmbeddings - 1}]`,
          `values in [${lo}, ${hi}]`,
        );
      }
    }
    return embedding(indices, this.weight as tf.Tensor2D, this.paddingIdx);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }
}
