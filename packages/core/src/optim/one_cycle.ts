import { ArchzooError, fail, finiteNumber, oneOf, positiveInt } from '../errors.js';
import { LRScheduler } from './lr_scheduler.js';
import type { Optimizer, OptimizerOptions, ResolvedParamGroup } from './optimizer.js';

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
  private readonly values: {
    initial: number;
    max: number;
    min: number;
    base: number;
    maxMom: number;
  }[];
  private readonly momentumKey: 'momentum' | 'betas' | null;

  constructor(optimizer: Optimizer<OptimizerOptions>, opts: OneCycleLROptions) {
    super('OneCycleLR', optimizer);
    const w = 'OneCycleLR';
    if (opts.totalSteps !== undefined)
      this.totalSteps = positiveInt(w, 'totalSteps', opts.totalSteps);
    else if (opts.epochs !== undefined || opts.stepsPerEpoch !== undefined) {
      this.totalSteps =
        positiveInt(w, 'epochs', opts.epochs) * positiveInt(w, 'stepsPerEpoch', opts.stepsPerEpoch);
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
      if (arr.length !== this.groups.length)
        fail(w, `option ${name}`, `one value or ${this.groups.length}`, v);
      return arr.map((x) => finiteNumber(w, name, x, 0));
    };
    const maxLrs = perGroup('maxLr', opts.maxLr, Number.NaN);
    const div = finiteNumber(w, 'divFactor', opts.divFactor ?? 25, Number.MIN_VALUE);
    const finalDiv = finiteNumber(
      w,
      'finalDivFactor',
      opts.finalDivFactor ?? 1e4,
      Number.MIN_VALUE,
    );
    const baseMom = perGroup('baseMomentum', opts.baseMomentum, 0.85);
    const maxMom = perGroup('maxMomentum', opts.maxMomentum, 0.95);
    this.values = maxLrs.map((m, i) => ({
      initial: m / div,
      max: m,
      min: m / div / finalDiv,
      base: baseMom[i]!,
      maxMom: maxMom[i]!,
    }));
    this.groups.forEach((g, i) => {
      g.initialLr = this.values[i]!.initial; // OneCycleLR overrides it (torch does too)
      this.baseLrs[i] = g.initialLr;
    });
    const defaults = optimizer.defaults as object;
    this.momentumKey = !(opts.cycleMomentum ?? true)
      ? null
      : 'betas' in defaults
        ? 'betas'
        : 'momentum' in defaults
          ? 'momentum'
          : null;
    if ((opts.cycleMomentum ?? true) && this.momentumKey === null) {
      throw new ArchzooError(
        'OneCycleLR: the optimizer has no momentum or betas; pass cycleMomentum: false',
      );
    }
    this.groups.forEach((_, i) => this.setMomentum(i, this.values[i]!.maxMom));
    this.initialStep();
  }

  private setMomentum(i: number, m: number): void {
    const g = this.groups[i] as ResolvedParamGroup<OptimizerOptions> & {
      momentum?: number;
      betas?: [number, number];
    };
    if (this.momentumKey === 'betas') g.betas = [m, g.betas![1]];
    else if (this.momentumKey === 'momentum') g.momentum = m;
  }

  protected computeLr(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps) {
      throw new ArchzooError(
        `OneCycleLR: tried to step ${t + 1} times; the schedule has totalSteps ${this.totalSteps}`,
      );
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
          if (this.momentumKey)
            this.setMomentum(i, this.anneal(mom[ph.mom[0]], mom[ph.mom[1]], pct));
          return this.anneal(pick[ph.lr[0]], pick[ph.lr[1]], pct);
        }
        start = ph.end;
      }
      return v.min; // unreachable: the last phase always matches
    });
  }
}
