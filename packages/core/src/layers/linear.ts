import { type Generator, torchDefaultUniform } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { checkTensor, positiveInt } from '../errors.js';
import { LINEAR_WEIGHT } from '../layout.js';
import { Module, parameter } from '../module.js';

/**
 * y = x W + b, with W stored `[in, out]` (PyTorch's `weight` is its transpose, `[out, in]`).
 * x: `[..., in]` -> y: `[..., out]`.
 */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor | null): tf.Tensor {
  return tf.tidy(() => {
    const [inF, outF] = weight.shape as [number, number];
    const lead = x.shape.slice(0, -1);
    const x2 = x.rank === 2 ? x : tf.reshape(x, [-1, inF]); // [M, in]
    let y = tf.matMul(x2 as tf.Tensor2D, weight as tf.Tensor2D); // [M, out]
    if (bias) y = tf.add(y, bias);
    return x.rank === 2 ? y : tf.reshape(y, [...lead, outF]); // [..., out]
  });
}

export interface LinearOptions {
  /** Size of each input sample (last axis). */
  inFeatures: number;
  /** Size of each output sample. */
  outFeatures: number;
  /** Learn an additive bias. Default true. */
  bias?: boolean;
  /** Randomness for the initialization. Default: the global generator. */
  generator?: Generator;
}

/**
 * Fully connected layer, `torch.nn.Linear`.
 * Input `[..., inFeatures]`, output `[..., outFeatures]`.
 *
 * Init (PyTorch's default): W, b ~ U(-1/sqrt(inFeatures), 1/sqrt(inFeatures)).
 *
 * @example
 * const fc = new Linear({ inFeatures: 4, outFeatures: 2 });
 * const y = fc.forward(tf.ones([3, 4])); // [3, 2]
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** `[in, out]` internally; PyTorch `weight` `[out, in]`. */
  weight: tf.Variable;
  bias: tf.Variable | null;

  constructor(opts: LinearOptions) {
    super();
    this.inFeatures = positiveInt('Linear', 'inFeatures', opts.inFeatures);
    this.outFeatures = positiveInt('Linear', 'outFeatures', opts.outFeatures);
    const g = opts.generator;
    // bound = 1 / sqrt(fan_in), fan_in = inFeatures
    this.weight = parameter(
      torchDefaultUniform([this.inFeatures, this.outFeatures], this.inFeatures, { generator: g }),
      {
        layout: LINEAR_WEIGHT,
      },
    );
    this.bias =
      opts.bias === false
        ? null
        : parameter(torchDefaultUniform([this.outFeatures], this.inFeatures, { generator: g }));
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkTensor('Linear.forward', 'input', x, {
      rank: [1, 2, 3, 4, 5, 6],
      dims: { [-1]: this.inFeatures },
      dimNames: { [-1]: 'last dimension (inFeatures)' },
    });
    if (x.rank === 1)
      return tf.tidy(() => tf.squeeze(linear(tf.expandDims(x, 0), this.weight, this.bias), [0]));
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
