import { type Generator, torchDefaultUniform } from '@archzoo/init';
import type * as tf from '@tensorflow/tfjs-core';
import { fail } from '../errors.js';
import type { TorchLayout } from '../layout.js';
import { parameter } from '../module.js';

/**
 * Throws (as `where`'s 'option groups') unless `groups` divides both channel counts, PyTorch's
 * rule for grouped convolutions (Conv1d, Conv2d, ConvTranspose2d).
 */
export function checkGroups(
  where: string,
  inChannels: number,
  outChannels: number,
  groups: number,
): void {
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    fail(
      where,
      'option groups',
      'to divide inChannels and outChannels',
      `groups=${groups}, inChannels=${inChannels}, outChannels=${outChannels}`,
    );
  }
}

/**
 * A convolution layer's parameters with PyTorch's default init, U(-1/sqrt(fanIn), 1/sqrt(fanIn)):
 * the weight of `weightShape` (held in `layout`), drawn first, then the bias `[outChannels]`,
 * or none when `opts.bias` is false.
 */
export function convParameters(
  weightShape: number[],
  layout: TorchLayout,
  outChannels: number,
  fanIn: number,
  opts: { bias?: boolean; generator?: Generator },
): { weight: tf.Variable; bias: tf.Variable | null } {
  const weight = parameter(torchDefaultUniform(weightShape, fanIn, { generator: opts.generator }), {
    layout,
  });
  const bias =
    opts.bias === false
      ? null
      : parameter(torchDefaultUniform([outChannels], fanIn, { generator: opts.generator }));
  return { weight, bias };
}
