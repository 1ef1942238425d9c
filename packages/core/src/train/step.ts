import * as tf from '@tensorflow/tfjs-core';
import { ArchzooError } from '../errors.js';
import type { Module } from '../module.js';
import { clipGradNorm, clipGradValue } from '../optim/clip_grad.js';
import type { Optimizer } from '../optim/optimizer.js';

/** A loss from a model's output and the batch's target: returns a scalar. */
export type LossFn = (output: tf.Tensor, target: tf.Tensor) => tf.Tensor;

/** A mini-batch: input `x` and target `y` (both owned by whoever made them). */
export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
}

export interface TrainStepOptions {
  /** Clip the global L2 norm of the gradients to this value before the update. */
  clipGradNorm?: number;
  /** Clamp every gradient entry to [-clipGradValue, clipGradValue] before the update. */
  clipGradValue?: number;
  /** Step number used in the NaN/Inf error message. */
  step?: number;
}

/** Thrown when the loss is NaN or infinite; the parameters keep their last good values. */
export class NonFiniteLossError extends ArchzooError {
  override name = 'NonFiniteLossError';
  constructor(
    readonly step: number,
    readonly loss: number,
  ) {
    super(
      `fit: loss became ${loss} at step ${step}; stopped before the update, the last good weights are kept`,
    );
  }
}

/**
 * One training step, the building block of `fit` and of custom loops:
 * forward, `loss`, gradients of the trainable parameters, optional clipping, a NaN/Inf guard
 * (checked before the update, so the weights stay the last good ones), then `optimizer.step`.
 * Returns the loss value. Leaves no tensor behind.
 *
 * `compute` gets the model in its current mode and returns the scalar loss; use it directly for
 * models with several inputs or outputs.
 *
 * @example
 * // A GAN alternates two optimizers over two parameter sets:
 * const dLoss = trainStep(() => discriminatorLoss(G, D, real, z), D.parameters(), optD);
 * const gLoss = trainStep(() => generatorLoss(G, D, z), G.parameters(), optG);
 */
export function trainStep(
  compute: () => tf.Tensor,
  params: tf.Variable[],
  optimizer: Optimizer,
  opts: TrainStepOptions = {},
): number {
  const { value, grads } = tf.variableGrads(() => compute() as tf.Scalar, params);
  try {
    const loss = value.dataSync()[0]!;
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(opts.step ?? 0, loss);
    if (opts.clipGradNorm !== undefined) clipGradNorm(grads, opts.clipGradNorm);
    if (opts.clipGradValue !== undefined) clipGradValue(grads, opts.clipGradValue);
    optimizer.step(grads);
    return loss;
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
}

/** `trainStep` for the common case: `loss(model.forward(batch.x), batch.y)` over `model.parameters()`. */
export function supervisedStep(
  model: Module & { forward(x: tf.Tensor): tf.Tensor },
  batch: Batch,
  loss: LossFn,
  optimizer: Optimizer,
  opts: TrainStepOptions = {},
): number {
  return trainStep(
    () => loss(model.forward(batch.x), batch.y),
    model.parameters(),
    optimizer,
    opts,
  );
}
