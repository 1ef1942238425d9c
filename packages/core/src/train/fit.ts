import * as tf from '@tensorflow/tfjs-core';
import { fail, positiveInt } from '../errors.js';
import type { Module } from '../module.js';
import type { LRScheduler } from '../optim/lr_scheduler.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Callback } from './callbacks.js';
import type { Metric } from './metrics.js';
import { Progress, type ProgressSink } from './progress.js';
import { type Batch, type LossFn, trainStep } from './step.js';

/** A model fit() can train: one tensor in, one tensor out. */
export type SupervisedModel = Module & { forward(x: tf.Tensor): tf.Tensor };

/**
 * Training data: each iteration over it is one epoch of batches. Arrays are reused as they are;
 * batches from any other iterable (e.g. `DataLoader` of `@archzoo/datasets`, which makes new
 * tensors each epoch) are disposed by fit() after their step.
 */
export type BatchSource = Iterable<Batch>;

export interface FitOptions {
  /** loss(output, target) -> scalar, e.g. `crossEntropy`. */
  loss: LossFn;
  optimizer: Optimizer;
  /** Default 1. */
  epochs?: number;
  /** Stepped once per batch (`'step'`, default, as OneCycleLR wants) or once per epoch (`'epoch'`). */
  scheduler?: LRScheduler;
  schedulerInterval?: 'step' | 'epoch';
  /** Metrics computed on every training batch (averaged per epoch) and on validation data. */
  metrics?: Record<string, Metric>;
  /** Validation data evaluated after each epoch (logs prefixed `val_`). */
  validation?: BatchSource;
  callbacks?: Callback[];
  /** 1 (default): progress bar on a TTY, a line per epoch elsewhere; 0: silent. */
  verbose?: 0 | 1;
  clipGradNorm?: number;
  clipGradValue?: number;
  /** Where progress is written (default: process.stdout, or console in a browser). */
  progressSink?: ProgressSink;
}

/** Per-epoch logs, e.g. `{ loss, accuracy, val_loss, val_accuracy }`. */
export interface History {
  epochs: Record<string, number>[];
  /** True when a callback stopped training early. */
  stoppedEarly: boolean;
}

function disposeBatch(batch: Batch, source: BatchSource): void {
  if (!Array.isArray(source)) tf.dispose([batch.x, batch.y]);
}

function batchSize(b: Batch): number {
  return b.x.shape[0] ?? 1;
}

/**
 * Trains `model` on `data` (mini-batches of `{ x, y }`) for `epochs` epochs: a step per batch
 * (`trainStep`: forward, loss, gradients, clipping, NaN/Inf guard, optimizer step), the
 * scheduler, training metrics, validation, callbacks, and progress. Returns the history.
 *
 * Throws `NonFiniteLossError` (naming the step and loss) if the loss becomes NaN or infinite; the
 * parameters then keep their last good values.
 *
 * @example
 * const history = await fit(model, new DataLoader({ x, y }, { batchSize: 64, seed: 0 }), {
 *   loss: crossEntropy, optimizer: new Adam(model.parameters(), { lr: 1e-3 }), epochs: 5,
 *   metrics: { accuracy }, validation: new DataLoader({ x: xv, y: yv }, { batchSize: 256, shuffle: false }),
 * });
 */
export async function fit(
  model: SupervisedModel,
  data: BatchSource,
  opts: FitOptions,
): Promise<History> {
  const epochs = positiveInt('fit', 'epochs', opts.epochs ?? 1);
  if (typeof opts.loss !== 'function')
    fail('fit', 'option loss', 'a function (output, target) => scalar', opts.loss);
  if (opts.optimizer == null || typeof opts.optimizer.step !== 'function')
    fail('fit', 'option optimizer', 'an Optimizer', opts.optimizer);
  if (data == null || typeof (data as Iterable<Batch>)[Symbol.iterator] !== 'function')
    fail('fit', 'data', 'an iterable of { x, y } batches', data);
  const callbacks = opts.callbacks ?? [];
  const metrics = Object.entries(opts.metrics ?? {});
  const progress = new Progress(opts.verbose ?? 1, epochs, opts.progressSink);
  const interval = opts.schedulerInterval ?? 'step';
  const total = Array.isArray(data) ? data.length : (data as { length?: number }).length;
  const history: History = { epochs: [], stoppedEarly: false };
  let globalStep = 0;
  const wasTraining = model.training;
  for (const cb of callbacks) await cb.onTrainBegin?.(model);
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      model.train();
      progress.epochBegin();
      const sums: Record<string, number> = { loss: 0 };
      let seen = 0;
      let step = 0;
      for (const batch of data) {
        try {
          const n = batchSize(batch);
          // Metrics read the same forward pass the loss uses (one forward per step, so BatchNorm's
          // running statistics move once), before the update.
          const loss = trainStep(
            () => {
              const out = model.forward(batch.x);
              for (const [name, m] of metrics) sums[name] = (sums[name] ?? 0) + m(out, batch.y) * n;
              return opts.loss(out, batch.y);
            },
            model.parameters(),
            opts.optimizer,
            {
              clipGradNorm: opts.clipGradNorm,
              clipGradValue: opts.clipGradValue,
              step: globalStep,
            },
          );
          sums.loss! += loss * n;
          seen += n;
          if (opts.scheduler && interval === 'step') opts.scheduler.step();
          for (const cb of callbacks) await cb.onStepEnd?.({ epoch, step, globalStep, loss });
          step += 1;
          globalStep += 1;
          progress.step(
            epoch,
            step,
            total,
            seen,
            Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / seen])),
          );
        } finally {
          disposeBatch(batch, data);
        }
      }
      progress.trainDone();
      if (opts.scheduler && interval === 'epoch') opts.scheduler.step();
      const logs: Record<string, number> = Object.fromEntries(
        Object.entries(sums).map(([k, v]) => [k, v / Math.max(1, seen)]),
      );
      if (opts.validation) {
        const val = evaluate(model, opts.validation, { loss: opts.loss, metrics: opts.metrics });
        for (const [k, v] of Object.entries(val)) logs[`val_${k}`] = v;
      }
      history.epochs.push(logs);
      progress.epochEnd(epoch, seen, logs);
      let stop = false;
      for (const cb of callbacks)
        if ((await cb.onEpochEnd?.({ epoch, logs, model })) === 'stop') stop = true;
      if (stop) {
        history.stoppedEarly = true;
        progress.message(`stopped early after epoch ${epoch + 1}`);
        break;
      }
    }
  } finally {
    model.train(wasTraining);
  }
  for (const cb of callbacks) await cb.onTrainEnd?.(model);
  return history;
}

/**
 * Mean loss and metrics over `data`, batch by batch in eval mode (the model's mode is restored
 * afterwards), weighted by batch size.
 */
export function evaluate(
  model: SupervisedModel,
  data: BatchSource,
  opts: { loss?: LossFn; metrics?: Record<string, Metric> } = {},
): Record<string, number> {
  const wasTraining = model.training;
  model.eval();
  const sums: Record<string, number> = {};
  let seen = 0;
  try {
    for (const batch of data) {
      try {
        const n = batchSize(batch);
        tf.tidy(() => {
          const out = model.forward(batch.x);
          if (opts.loss) sums.loss = (sums.loss ?? 0) + opts.loss(out, batch.y).dataSync()[0]! * n;
          for (const [name, m] of Object.entries(opts.metrics ?? {}))
            sums[name] = (sums[name] ?? 0) + m(out, batch.y) * n;
        });
        seen += n;
      } finally {
        disposeBatch(batch, data);
      }
    }
  } finally {
    model.train(wasTraining);
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(1, seen)]));
}

/** The model's outputs for `x` in eval mode, computed `batchSize` rows at a time and concatenated. */
export function predict(
  model: SupervisedModel,
  x: tf.Tensor,
  opts: { batchSize?: number } = {},
): tf.Tensor {
  const bs = positiveInt('predict', 'batchSize', opts.batchSize ?? 256);
  const wasTraining = model.training;
  model.eval();
  try {
    const n = x.shape[0]!;
    const parts: tf.Tensor[] = [];
    for (let i = 0; i < n; i += bs) {
      const size = Math.min(bs, n - i);
      parts.push(
        tf.tidy(() =>
          model.forward(
            tf.slice(x, [i, ...x.shape.slice(1).map(() => 0)], [size, ...x.shape.slice(1)]),
          ),
        ),
      );
    }
    if (parts.length === 1) return parts[0]!;
    const out = tf.concat(parts, 0);
    tf.dispose(parts);
    return out;
  } finally {
    model.train(wasTraining);
  }
}
