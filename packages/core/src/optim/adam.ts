import * as tf from '@tensorflow/tfjs-core';
import { ArchzooError } from '../errors.js';
import {
  booleans,
  nonNegative,
  Optimizer,
  type OptimizerOptions,
  type ParamGroup,
  type ParamState,
  type ResolvedParamGroup,
  regularizedGrad,
  type StateKind,
} from './optimizer.js';

export interface AdamOptions extends OptimizerOptions {
  /** Decay rates (beta1, beta2) of the first and second moment averages, each in [0, 1). Default [0.9, 0.999]. */
  betas: [number, number];
  /** Added to the denominator for stability. Default 1e-8. */
  eps: number;
  /** Weight decay lambda: an L2 term added to the gradient (Adam) or decoupled (AdamW). */
  weightDecay: number;
  /** AMSGrad (Reddi et al. 2018): normalize by the running maximum of the second moment. Default false. */
  amsgrad: boolean;
  /** Maximize the objective (negate the gradient). Default false. */
  maximize: boolean;
}

/**
 * Shared Adam / AdamW update (torch 1.13's single-tensor implementations), step t:
 *
 *   g = grad (negated if maximize)
 *   Adam:  g = g + lambda p                   AdamW:  p = p (1 - lr lambda)
 *   m = beta1 m + (1 - beta1) g
 *   v = beta2 v + (1 - beta2) g^2
 *   vmax = max(vmax, v) and v' = vmax if amsgrad, else v' = v
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(v') / sqrt(1 - beta2^t) + eps)
 *
 * State per parameter: `step`, `exp_avg` (m), `exp_avg_sq` (v), `max_exp_avg_sq` (vmax, amsgrad only).
 */
export abstract class AdamBase extends Optimizer<AdamOptions> {
  /** true: AdamW's decoupled weight decay; false: Adam's L2 penalty. */
  protected abstract readonly decoupled: boolean;

  protected checkOptions(o: AdamOptions, context: string): void {
    nonNegative(this.where, context, o, ['lr', 'eps', 'weightDecay']);
    const b = o.betas;
    if (
      !Array.isArray(b) ||
      b.length !== 2 ||
      !b.every((x) => typeof x === 'number' && x >= 0 && x < 1)
    ) {
      throw new ArchzooError(
        `${this.where}: option betas (${context}) expected two numbers in [0, 1), got ${JSON.stringify(b)}`,
      );
    }
    booleans(this.where, context, o, ['amsgrad', 'maximize']);
  }

  protected stateSpec(o: AdamOptions): Record<string, StateKind> {
    const spec: Record<string, StateKind> = {
      step: 'number',
      exp_avg: 'tensor',
      exp_avg_sq: 'tensor',
    };
    if (o.amsgrad) spec.max_exp_avg_sq = 'tensor';
    return spec;
  }

  protected initState(p: tf.Variable, o: ResolvedParamGroup<AdamOptions>): ParamState {
    const s: ParamState = { step: 0, exp_avg: tf.zerosLike(p), exp_avg_sq: tf.zerosLike(p) };
    if (o.amsgrad) s.max_exp_avg_sq = tf.zerosLike(p);
    return s;
  }

  protected update(
    p: tf.Variable,
    grad: tf.Tensor,
    s: ParamState,
    o: ResolvedParamGroup<AdamOptions>,
  ): void {
    const t = (s.step as number) + 1;
    s.step = t;
    const [beta1, beta2] = o.betas;
    const stepSize = o.lr / (1 - beta1 ** t);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    this.apply(p, s, () => {
      // Adam couples weight decay into the gradient; AdamW decays the weights directly.
      const g = regularizedGrad(p, grad, o.maximize, this.decoupled ? 0 : o.weightDecay);
      const param: tf.Tensor =
        this.decoupled && o.weightDecay !== 0 ? tf.mul(p, 1 - o.lr * o.weightDecay) : p;
      const m = tf.add(tf.mul(s.exp_avg as tf.Tensor, beta1), tf.mul(g, 1 - beta1));
      const v = tf.add(tf.mul(s.exp_avg_sq as tf.Tensor, beta2), tf.mul(tf.mul(g, 1 - beta2), g));
      const state: Record<string, tf.Tensor> = { exp_avg: m, exp_avg_sq: v };
      let vHat = v;
      if (o.amsgrad) {
        vHat = tf.maximum(s.max_exp_avg_sq as tf.Tensor, v);
        state.max_exp_avg_sq = vHat;
      }
      const denom = tf.add(tf.div(tf.sqrt(vHat), bc2Sqrt), o.eps);
      return { param: tf.add(param, tf.div(tf.mul(m, -stepSize), denom)), state };
    });
  }
}

function adamDefaults(opts: Partial<AdamOptions>, weightDecay: number): AdamOptions {
  return {
    lr: opts.lr ?? 1e-3,
    betas: opts.betas ? [...opts.betas] : [0.9, 0.999],
    eps: opts.eps ?? 1e-8,
    weightDecay: opts.weightDecay ?? weightDecay,
    amsgrad: opts.amsgrad ?? false,
    maximize: opts.maximize ?? false,
  };
}

/**
 * Adam (Kingma & Ba 2015), `torch.optim.Adam`, with `weightDecay` as an L2 term added to the
 * gradient; see `AdamBase` for the exact update. Defaults: lr 1e-3, betas [0.9, 0.999],
 * eps 1e-8, weightDecay 0.
 *
 * @example
 * const opt = new Adam([{ params: backbone }, { params: head, lr: 1e-2 }], { lr: 1e-3 });
 */
export class Adam extends AdamBase {
  protected readonly decoupled: boolean = false;
  constructor(params: tf.Variable[] | ParamGroup<AdamOptions>[], opts: Partial<AdamOptions> = {}) {
    super('Adam', params, adamDefaults(opts, 0));
  }
}

/**
 * AdamW (Loshchilov & Hutter 2019), `torch.optim.AdamW`: Adam with decoupled weight decay,
 * p = p (1 - lr lambda) before the Adam step; see `AdamBase`. Defaults: lr 1e-3,
 * betas [0.9, 0.999], eps 1e-8, weightDecay 1e-2.
 *
 * @example
 * const opt = new AdamW(model.parameters(), { lr: 3e-4, weightDecay: 0.1 });
 */
export class AdamW extends AdamBase {
  protected readonly decoupled: boolean = true;
  constructor(params: tf.Variable[] | ParamGroup<AdamOptions>[], opts: Partial<AdamOptions> = {}) {
    super('AdamW', params, adamDefaults(opts, 1e-2));
  }
}
