import { defaultGenerator, type Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { checkTensor, finiteNumber } from '../errors.js';
import { Module } from '../module.js';

/**
 * Inverted dropout (Srivastava et al. 2014): each element is zeroed with probability p and the
 * survivors are scaled by 1 / (1 - p). The mask is drawn from the seeded generator, so it is the
 * same on every backend.
 */
export function dropout(
  x: tf.Tensor,
  p: number,
  generator: Generator = defaultGenerator(),
): tf.Tensor {
  if (p === 0) return tf.clone(x);
  if (p === 1) return tf.zerosLike(x);
  const scale = 1 / (1 - p);
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = generator.random() >= p ? scale : 0;
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape, 'float32')));
}

export interface DropoutOptions {
  /** Probability of zeroing an element. Default 0.5. */
  p?: number;
  /** Randomness for the masks. Default: the global generator. */
  generator?: Generator;
}

/** `torch.nn.Dropout`: active in training mode, identity in eval mode. Any shape. */
export class Dropout extends Module {
  readonly p: number;
  private readonly generator: Generator | undefined;

  constructor(opts: DropoutOptions = {}) {
    super();
    this.p = finiteNumber('Dropout', 'p', opts.p ?? 0.5, 0, 1);
    this.generator = opts.generator;
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkTensor('Dropout.forward', 'input', x);
    if (!this.training) return tf.clone(x);
    return dropout(x, this.p, this.generator ?? defaultGenerator());
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
