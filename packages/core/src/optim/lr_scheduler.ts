import { ArchzooError, fail, finiteNumber, oneOf, positiveInt } from '../errors.js';
import { type Group, Optimizer, type OptimizerOptions } from './optimizer.js';

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
 * sequences equal torch's to the last bit. Each group's starting lr is kept in
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
    if (!(optimizer instanceof Optimizer)) fail(where, 'optimizer', 'an archzoo Optimizer', optimizer);
    this.optimizer = optimizer;
    for (const g of optimizer.paramGroups) g.initialLr ??= g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** The lrs for the current `lastEpoch` (chainable: may read the groups' current lrs). */
  protected abstract computeLr(): number[];

  protected get groups(): Group<OptimizerOptions>[] {
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
    return { last_epoch: this.lastEpoch, base_lrs: [...this.baseLrs], _last_lr: [...this.lastLr], _step_count: this.stepCount };
  }

  /** Restores `stateDict()`'s position; the groups' lrs come from the optimizer's own state dict. */
  loadStateDict(sd: LRSchedulerStateDict): void {
    const n = this.groups.length;
    const ok = (a: unknown) => Array.isArray(a) && a.length === n && a.every((x) => typeof x === 'number');
    if (!Number.isInteger(sd?.last_epoch) || !ok(sd.base_lrs) || !ok(sd._last_lr)) {
      throw new ArchzooError(`${this.constructor.name}.loadStateDict: expected last_epoch and ${n} base_lrs / _last_lr values`);
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
  constructor(optimizer: Optimizer<OptimizerOptions>, opts: { milestones: number[]; gamma?: number }) {
    super('MultiStepLR', optimizer);
    if (!Array.isArray(opts.milestones) || !opts.milestones.every((m) => Number.isInteger(m) && m >= 0)) {
      fail('MultiStepLR', 'option milestones', 'an array of non-negative integers', opts.milestones);
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
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.groups.map(
      (g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin,
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
  constructor(optimizer: Optimizer<OptimizerOptions>, opts: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
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

export interface OneCycleLROptions {
  /** Peak lr, one per group or shared. */
  maxLr: number | number[];
  /** Length of the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr. Default 0.3. */
  pctStart?: number;
  /** Default 'cos'. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (or Adam's beta1) inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  /** Default 0.85. */
  baseMomentum?: number;
  /** Default 0.95. */
  maxMomentum?: number;
  /** initial lr = maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** min lr = initial lr / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Use a third phase that anneals from the initial lr to the min lr. Default false. */
  threePhase?: boolean;
}

interface Phase {
  end: number;
  lr: ['initial' | 'max' | 'min', 'initial' | 'max' | 'min'];
  mom: ['base' | 'max', 'base' | 'max'];
}

/**
 * `torch.optim.lr_scheduler.OneCycleLR` (Smith & Topin 2018) with PyTorch's defaults: lr rises
 * from maxLr / 25 to maxLr over the first 30% of `totalSteps` and anneals to maxLr / 25 / 1e4
 * by the end (cosine), while momentum (or Adam's beta1) moves from 0.95 to 0.85 and back.
 * Within a phase from step a to b, value = anneal(start, end, (t - a) / (b - a)), with
 * cos: end + (start - end) (1 + cos(pi pct)) / 2, linear: start + (end - start) pct.
 * Stepping past `totalSteps` throws, as torch does.
 *
 * @example
 * const sched = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 1000 });
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly values: { initial: number; max: number; min: number; base: number; maxMom: number }[];
  private readonly momentumKey: 'momentum' | 'betas' | null;

  constructor(optimizer: Optimizer<OptimizerOptions>, opts: OneCycleLROptions) {
    super('OneCycleLR', optimizer);
    const w = 'OneCycleLR';
    if (opts.totalSteps !== undefined) this.totalSteps = positiveInt(w, 'totalSteps', opts.totalSteps);
    else if (opts.epochs !== undefined || opts.stepsPerEpoch !== undefined) {
      this.totalSteps = positiveInt(w, 'epochs', opts.epochs) * positiveInt(w, 'stepsPerEpoch', opts.stepsPerEpoch);
    } else throw new ArchzooError('OneCycleLR: give totalSteps, or epochs and stepsPerEpoch');
    const pct = finiteNumber(w, 'pctStart', opts.pctStart ?? 0.3, 0, 1);
    const strategy = oneOf(w, 'annealStrategy', opts.annealStrategy ?? 'cos', ['cos', 'linear']);
    this.anneal =
      strategy === 'cos'
        ? (a, b, p) => b + ((a - b) / 2) * (Math.cos(Math.PI * p) + 1)
        : (a, b, p) => (b - a) * p + a;
    const n = this.totalSteps;
    this.phases = opts.threePhase
      ? [
          { end: pct * n - 1, lr: ['initial', 'max'], mom: ['max', 'base'] },
          { end: 2 * pct * n - 2, lr: ['max', 'initial'], mom: ['base', 'max'] },
          { end: n - 1, lr: ['initial', 'min'], mom: ['max', 'max'] },
        ]
      : [
          { end: pct * n - 1, lr: ['initial', 'max'], mom: ['max', 'base'] },
          { end: n - 1, lr: ['max', 'min'], mom: ['base', 'max'] },
        ];
    const perGroup = (name: string, v: number | number[] | undefined, dflt: number): number[] => {
      const arr = Array.isArray(v) ? v : new Array<number>(this.groups.length).fill(v ?? dflt);
      if (arr.length !== this.groups.length) fail(w, `option ${name}`, `one value or ${this.groups.length}`, v);
      return arr.map((x) => finiteNumber(w, name, x, 0));
    };
    const maxLrs = perGroup('maxLr', opts.maxLr, Number.NaN);
    const div = finiteNumber(w, 'divFactor', opts.divFactor ?? 25, Number.MIN_VALUE);
    const finalDiv = finiteNumber(w, 'finalDivFactor', opts.finalDivFactor ?? 1e4, Number.MIN_VALUE);
    const baseMom = perGroup('baseMomentum', opts.baseMomentum, 0.85);
    const maxMom = perGroup('maxMomentum', opts.maxMomentum, 0.95);
    this.values = maxLrs.map((m, i) => ({ initial: m / div, max: m, min: m / div / finalDiv, base: baseMom[i]!, maxMom: maxMom[i]! }));
    this.groups.forEach((g, i) => {
      g.initialLr = this.values[i]!.initial; // OneCycleLR overrides it (torch does too)
      this.baseLrs[i] = g.initialLr;
    });
    const defaults = optimizer.defaults as object;
    this.momentumKey = !(opts.cycleMomentum ?? true) ? null : 'betas' in defaults ? 'betas' : 'momentum' in defaults ? 'momentum' : null;
    if ((opts.cycleMomentum ?? true) && this.momentumKey === null) {
      throw new ArchzooError('OneCycleLR: the optimizer has no momentum or betas; pass cycleMomentum: false');
    }
    this.groups.forEach((_, i) => this.setMomentum(i, this.values[i]!.maxMom));
    this.initialStep();
  }

  private setMomentum(i: number, m: number): void {
    const g = this.groups[i] as Group<OptimizerOptions> & { momentum?: number; betas?: [number, number] };
    if (this.momentumKey === 'betas') g.betas = [m, g.betas![1]];
    else if (this.momentumKey === 'momentum') g.momentum = m;
  }

  protected computeLr(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps) {
      throw new ArchzooError(`OneCycleLR: tried to step ${t + 1} times; the schedule has totalSteps ${this.totalSteps}`);
    }
    return this.groups.map((_, i) => {
      const v = this.values[i]!;
      const pick = { initial: v.initial, max: v.max, min: v.min, base: v.base };
      let start = 0;
      for (let k = 0; k < this.phases.length; k++) {
        const ph = this.phases[k]!;
        if (t <= ph.end || k === this.phases.length - 1) {
          const pct = (t - start) / (ph.end - start);
          const mom = { base: v.base, max: v.maxMom };
          if (this.momentumKey) this.setMomentum(i, this.anneal(mom[ph.mom[0]], mom[ph.mom[1]], pct));
          return this.anneal(pick[ph.lr[0]], pick[ph.lr[1]], pct);
        }
        start = ph.end;
      }
      return v.min; // unreachable: the last phase always matches
    });
  }
}
