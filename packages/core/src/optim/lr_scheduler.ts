import { ArchzooError, fail, finiteNumber, positiveInt } from '../errors.js';
import { Optimizer, type OptimizerOptions, type ResolvedParamGroup } from './optimizer.js';

/** A scheduler's state, with PyTorch's `_LRScheduler.state_dict()` key names. */
export interface LRSchedulerStateDict {
  last_epoch: number;
  base_lrs: number[];
  _last_lr: number[];
  _step_count: number;
}

/**
 * Base class of the learning-rate schedulers, after `torch.optim.lr_scheduler._LRScheduler`.
 *
 * Construction performs step 0 (sets each group's lr to the schedule's first value); call
 * `step()` once after each `optimizer.step()`. Values follow PyTorch's chainable form (each
 * step updates the lr the group has now), computed in double precision like torch's, so the
 * sequences equal torch's up to the last bit of `Math.cos` (V8 vs glibc). Each group's starting lr is kept in
 * `group.initialLr` (PyTorch's `initial_lr`).
 */
export abstract class LRScheduler {
  readonly optimizer: Optimizer<OptimizerOptions>;
  /** Each group's initial lr. */
  readonly baseLrs: number[];
  /** Steps taken; 0 right after construction (PyTorch's `last_epoch`). */
  lastEpoch = -1;
  protected stepCount = 0;
  private lastLr: number[] = [];

  constructor(where: string, optimizer: Optimizer<OptimizerOptions>) {
    if (!(optimizer instanceof Optimizer))
      fail(where, 'optimizer', 'an archzoo Optimizer', optimizer);
    this.optimizer = optimizer;
    for (const g of optimizer.paramGroups) g.initialLr ??= g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** The lrs for the current `lastEpoch` (chainable: may read the groups' current lrs). */
  protected abstract computeLr(): number[];

  protected get groups(): ResolvedParamGroup<OptimizerOptions>[] {
    return this.optimizer.paramGroups;
  }

  /** Step 0; subclasses call it at the end of their constructor, once their fields are set. */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances the schedule by one step and writes the new lrs into the optimizer's groups. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const lrs = this.computeLr();
    this.groups.forEach((g, i) => {
      g.lr = lrs[i]!;
    });
    this.lastLr = this.groups.map((g) => g.lr);
  }

  /** The lrs the last `step()` set, one per group (PyTorch's `get_last_lr()`). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The schedule's position (restore it with `loadStateDict` after the optimizer's). */
  stateDict(): LRSchedulerStateDict {
    return {
      last_epoch: this.lastEpoch,
      base_lrs: [...this.baseLrs],
      _last_lr: [...this.lastLr],
      _step_count: this.stepCount,
    };
  }

  /** Restores `stateDict()`'s position; the groups' lrs come from the optimizer's own state dict. */
  loadStateDict(sd: LRSchedulerStateDict): void {
    const n = this.groups.length;
    const ok = (a: unknown) =>
      Array.isArray(a) && a.length === n && a.every((x) => typeof x === 'number');
    if (!Number.isInteger(sd?.last_epoch) || !ok(sd.base_lrs) || !ok(sd._last_lr)) {
      throw new ArchzooError(
        `${this.constructor.name}.loadStateDict: expected last_epoch and ${n} base_lrs / _last_lr values`,
      );
    }
    this.lastEpoch = sd.last_epoch;
    this.baseLrs.splice(0, n, ...sd.base_lrs);
    this.lastLr = [...sd._last_lr];
    this.stepCount = sd._step_count ?? this.lastEpoch + 1;
  }
}

/**
 * `torch.optim.lr_scheduler.StepLR`: lr = initial lr * gamma^floor(epoch / stepSize).
 *
 * @example
 * const sched = new StepLR(opt, { stepSize: 30, gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer<OptimizerOptions>, opts: { stepSize: number; gamma?: number }) {
    super('StepLR', optimizer);
    this.stepSize = positiveInt('StepLR', 'stepSize', opts.stepSize);
    this.gamma = finiteNumber('StepLR', 'gamma', opts.gamma ?? 0.1);
    this.initialStep();
  }
  protected computeLr(): number[] {
    const e = this.lastEpoch;
    return this.groups.map((g) => (e === 0 || e % this.stepSize !== 0 ? g.lr : g.lr * this.gamma));
  }
}

/**
 * `torch.optim.lr_scheduler.MultiStepLR`: lr = initial lr * gamma^(number of milestones <= epoch);
 * a milestone listed k times multiplies by gamma^k.
 *
 * @example
 * const sched = new MultiStepLR(opt, { milestones: [30, 80], gamma: 0.1 });
 */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;
  constructor(
    optimizer: Optimizer<OptimizerOptions>,
    opts: { milestones: number[]; gamma?: number },
  ) {
    super('MultiStepLR', optimizer);
    if (
      !Array.isArray(opts.milestones) ||
      !opts.milestones.every((m) => Number.isInteger(m) && m >= 0)
    ) {
      fail(
        'MultiStepLR',
        'option milestones',
        'an array of non-negative integers',
        opts.milestones,
      );
    }
    this.milestones = [...opts.milestones].sort((a, b) => a - b);
    this.gamma = finiteNumber('MultiStepLR', 'gamma', opts.gamma ?? 0.1);
    this.initialStep();
  }
  protected computeLr(): number[] {
    const k = this.milestones.filter((m) => m === this.lastEpoch).length;
    return this.groups.map((g) => (k === 0 ? g.lr : g.lr * this.gamma ** k));
  }
}

/**
 * `torch.optim.lr_scheduler.ExponentialLR`: lr = initial lr * gamma^epoch.
 *
 * @example
 * const sched = new ExponentialLR(opt, { gamma: 0.95 });
 */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: Optimizer<OptimizerOptions>, opts: { gamma: number }) {
    super('ExponentialLR', optimizer);
    this.gamma = finiteNumber('ExponentialLR', 'gamma', opts.gamma);
    this.initialStep();
  }
  protected computeLr(): number[] {
    return this.groups.map((g) => (this.lastEpoch === 0 ? g.lr : g.lr * this.gamma));
  }
}

/**
 * `torch.optim.lr_scheduler.CosineAnnealingLR` (Loshchilov & Hutter 2017, without restarts):
 * lr_t = etaMin + (lr_0 - etaMin) (1 + cos(pi t / tMax)) / 2, evaluated in PyTorch's recursive
 * form, lr_t = etaMin + (lr_{t-1} - etaMin) (1 + cos(pi t / T)) / (1 + cos(pi (t - 1) / T)),
 * which keeps rising again after tMax (period 2 tMax) exactly as torch's does.
 *
 * @example
 * const sched = new CosineAnnealingLR(opt, { tMax: 100, etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer<OptimizerOptions>, opts: { tMax: number; etaMin?: number }) {
    super('CosineAnnealingLR', optimizer);
    this.tMax = positiveInt('CosineAnnealingLR', 'tMax', opts.tMax);
    this.etaMin = finiteNumber('CosineAnnealingLR', 'etaMin', opts.etaMin ?? 0);
    this.initialStep();
  }
  protected computeLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    if (e === 0) return this.groups.map((g) => g.lr);
    if ((e - 1 - T) % (2 * T) === 0) {
      return this.groups.map(
        (g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2,
      );
    }
    return this.groups.map(
      (g) =>
        ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) *
          (g.lr - etaMin) +
        etaMin,
    );
  }
}

/**
 * `torch.optim.lr_scheduler.LinearLR`, e.g. a linear warm-up: the factor on the initial lr goes
 * linearly from `startFactor` (default 1/3) to `endFactor` (default 1) over `totalIters`
 * (default 5) steps, then stays: lr_t = lr_0 (s + (e - s) min(t, T) / T).
 *
 * @example
 * const warmup = new LinearLR(opt, { startFactor: 0.01, totalIters: 500 });
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(
    optimizer: Optimizer<OptimizerOptions>,
    opts: { startFactor?: number; endFactor?: number; totalIters?: number } = {},
  ) {
    super('LinearLR', optimizer);
    this.startFactor = finiteNumber('LinearLR', 'startFactor', opts.startFactor ?? 1 / 3, 0, 1);
    this.endFactor = finiteNumber('LinearLR', 'endFactor', opts.endFactor ?? 1, 0, 1);
    this.totalIters = positiveInt('LinearLR', 'totalIters', opts.totalIters ?? 5);
    if (this.startFactor === 0) fail('LinearLR', 'option startFactor', 'a number in (0, 1]', 0);
    this.initialStep();
  }
  protected computeLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: T } = this;
    if (e === 0) return this.groups.map((g) => g.lr * s);
    if (e > T) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 + (f - s) / (T * s + (e - 1) * (f - s))));
  }
}
