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

export interface SGDOptions extends OptimizerOptions {
  /** Momentum factor mu. Default 0 (plain SGD). */
  momentum: number;
  /** Dampening tau of the momentum's gradient term. Default 0. */
  dampening: number;
  /** L2 penalty lambda, added to the gradient. Default 0. */
  weightDecay: number;
  /** Nesterov momentum (Sutskever et al. 2013); needs momentum > 0 and dampening 0. Default false. */
  nesterov: boolean;
  /** Maximize the objective (negate the gradient). Default false. */
  maximize: boolean;
}

/**
 * Stochastic gradient descent with momentum, `torch.optim.SGD` (its 1.13 update, exactly):
 *
 *   g = grad (negated if maximize) + lambda p
 *   b = g on the first step, else mu b + (1 - tau) g           (if mu != 0)
 *   g = g + mu b if nesterov, else b                           (if mu != 0)
 *   p = p - lr g
 *
 * State per parameter: `momentum_buffer` (a tensor, or null when momentum is 0).
 *
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 * opt.step(tf.variableGrads(lossFn, model.parameters()).grads);
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(
    params: tf.Variable[] | ParamGroup<SGDOptions>[],
    opts: Partial<SGDOptions> & Pick<SGDOptions, 'lr'>,
  ) {
    super('SGD', params, {
      lr: opts.lr,
      momentum: opts.momentum ?? 0,
      dampening: opts.dampening ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      nesterov: opts.nesterov ?? false,
      maximize: opts.maximize ?? false,
    });
  }

  protected checkOptions(o: SGDOptions, context: string): void {
    nonNegative('SGD', context, o, ['lr', 'momentum', 'weightDecay']);
    if (typeof o.dampening !== 'number' || !Number.isFinite(o.dampening)) {
      throw new ArchzooError(
        `SGD: option dampening (${context}) expected a finite number, got ${o.dampening}`,
      );
    }
    booleans('SGD', context, o, ['nesterov', 'maximize']);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ArchzooError(
        `SGD: nesterov (${context}) requires momentum > 0 and dampening 0, got momentum ${o.momentum}, dampening ${o.dampening}`,
      );
    }
  }

  protected stateSpec(): Record<string, StateKind> {
    return { momentum_buffer: 'tensorOrNull' };
  }

  protected initState(): ParamState {
    return { momentum_buffer: null };
  }

  protected update(
    p: tf.Variable,
    grad: tf.Tensor,
    s: ParamState,
    o: ResolvedParamGroup<SGDOptions>,
  ): void {
    this.apply(p, s, () => {
      let g = regularizedGrad(p, grad, o.maximize, o.weightDecay);
      const state: Record<string, tf.Tensor> = {};
      if (o.momentum !== 0) {
        const prev = s.momentum_buffer;
        const buf =
          prev instanceof tf.Tensor
            ? tf.add(tf.mul(prev, o.momentum), tf.mul(g, 1 - o.dampening))
            : tf.clone(g);
        state.momentum_buffer = buf;
        g = o.nesterov ? tf.add(g, tf.mul(buf, o.momentum)) : buf;
      }
      return { param: tf.add(p, tf.mul(g, -o.lr)), state };
    });
  }
}
