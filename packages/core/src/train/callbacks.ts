import * as tf from '@tensorflow/tfjs-core';
import { fail, finiteNumber, nonNegativeInt } from '../errors.js';
import type { Module } from '../module.js';

/** What a callback sees after a step. */
export interface StepInfo {
  epoch: number;
  /** Step within the epoch (0-based). */
  step: number;
  /** Steps since fit() began. */
  globalStep: number;
  loss: number;
}

/** What a callback sees after an epoch: averaged training logs, then `val_*` entries. */
export interface EpochInfo {
  epoch: number;
  logs: Record<string, number>;
  model: Module;
}

/** Hooks into fit(). Return `'stop'` from `onEpochEnd` to end training after that epoch. */
export interface Callback {
  onTrainBegin?(model: Module): void | Promise<void>;
  onStepEnd?(info: StepInfo): void | Promise<void>;
  onEpochEnd?(info: EpochInfo): void | 'stop' | Promise<void | 'stop'>;
  onTrainEnd?(model: Module): void | Promise<void>;
}

export interface EarlyStoppingOptions {
  /** Log to watch. Default 'val_loss'. */
  monitor?: string;
  /** 'min' (default) or 'max'. */
  mode?: 'min' | 'max';
  /** Stop after this many epochs in a row without improvement. Default 3. */
  patience?: number;
  /** Smallest change that counts as improvement. Default 0. */
  minDelta?: number;
  /** Put back the best epoch's weights when stopping (or at the end). Default true. */
  restoreBest?: boolean;
}

/** Stops fit() when `monitor` has not improved for `patience` epochs; optionally restores the best weights. */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBest: boolean;
  best = Number.NaN;
  bestEpoch = -1;
  stoppedEpoch = -1;
  private wait = 0;
  private bestState: Record<string, tf.Tensor> | null = null;

  constructor(opts: EarlyStoppingOptions = {}) {
    this.monitor = opts.monitor ?? 'val_loss';
    this.mode = opts.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max')
      fail('EarlyStopping', 'option mode', "'min' or 'max'", opts.mode);
    this.patience = nonNegativeInt('EarlyStopping', 'patience', opts.patience ?? 3);
    this.minDelta = finiteNumber('EarlyStopping', 'minDelta', opts.minDelta ?? 0, 0);
    this.restoreBest = opts.restoreBest ?? true;
  }

  onEpochEnd({ epoch, logs, model }: EpochInfo): 'stop' | undefined {
    const v = logs[this.monitor];
    if (v === undefined)
      fail(
        'EarlyStopping',
        'monitor',
        `one of the logs (${Object.keys(logs).join(', ')})`,
        this.monitor,
      );
    const better =
      Number.isNaN(this.best) ||
      (this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta);
    if (better) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBest) {
        if (this.bestState) tf.dispose(Object.values(this.bestState));
        this.bestState = model.stateDict();
      }
      return undefined;
    }
    this.wait += 1;
    if (this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      return 'stop';
    }
    return undefined;
  }

  onTrainEnd(model: Module): void {
    if (this.bestState) {
      model.loadStateDict(this.bestState);
      tf.dispose(Object.values(this.bestState));
      this.bestState = null;
    }
  }
}

/**
 * Saves a checkpoint every `every` epochs through `save` (e.g. `saveCheckpoint` of
 * `@archzoo/core/node` to a path, or a browser download), and optionally only on improvement.
 */
export class CheckpointCallback implements Callback {
  private best = Number.NaN;
  constructor(
    private readonly save: (
      model: Module,
      epoch: number,
      logs: Record<string, number>,
    ) => void | Promise<void>,
    private readonly opts: {
      every?: number;
      monitor?: string;
      mode?: 'min' | 'max';
      onlyImprovement?: boolean;
    } = {},
  ) {}

  async onEpochEnd({ epoch, logs, model }: EpochInfo): Promise<void> {
    if ((epoch + 1) % (this.opts.every ?? 1) !== 0) return;
    if (this.opts.onlyImprovement) {
      const v = logs[this.opts.monitor ?? 'val_loss'];
      if (v === undefined) return;
      const better =
        Number.isNaN(this.best) ||
        ((this.opts.mode ?? 'min') === 'min' ? v < this.best : v > this.best);
      if (!better) return;
      this.best = v;
    }
    await this.save(model, epoch, logs);
  }
}
