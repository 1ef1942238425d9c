import * as tf from '@tensorflow/tfjs-core';
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

export interface AdagradOptions extends OptimizerOptions {
  /** Learning-rate decay eta: step t uses lr / (1 + (t - 1) eta). Default 0. */
  lrDecay: number;
  /** L2 penalty lambda, added to the gradient. Default 0. */
  weightDecay: number;
  /** Starting value of the sum of squared gradients. Default 0. */
  initialAccumulatorValue: number;
  /** Added to the denominator for stability. Default 1e-10. */
  eps: number;
  /** Maximize the objective (negate the gradient). Default false. */
  maximize: boolean;
}

/**
 * Adagrad (Duchi et al. 2011), `torch.optim.Adagrad` (its 1.13 update, exactly), step t:
 *
 *   g = grad (negated if maximize) + lambda p
 *   clr = lr / (1 + (t - 1) eta)
 *   s = s + g^2
 *   p = p - clr g / (sqrt(s) + eps)
 *
 * State per parameter (created with the optimizer, as in PyTorch): `step`, `sum` (s, starting at
 * `initialAccumulatorValue`). Defaults: lr 1e-2, eps 1e-10.
 *
 * @example
 * const opt = new Adagrad(model.parameters(), { lr: 0.1, lrDecay: 1e-4 });
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(
    params: tf.Variable[] | ParamGroup<AdagradOptions>[],
    opts: Partial<AdagradOptions> = {},
  ) {
    super('Adagrad', params, {
      lr: opts.lr ?? 1e-2,
      lrDecay: opts.lrDecay ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      initialAccumulatorValue: opts.initialAccumulatorValue ?? 0,
      eps: opts.eps ?? 1e-10,
      maximize: opts.maximize ?? false,
    });
    for (const g of this.paramGroups)
      for (const p of g.params) this.state.set(p, this.initState(p, g));
  }

  protected checkOptions(o: AdagradOptions, context: string): void {
    nonNegative('Adagrad', context, o, [
      'lr',
      'lrDecay',
      'weightDecay',
      'initialAccumulatorValue',
      'eps',
    ]);
    booleans('Adagrad', context, o, ['maximize']);
  }

  protected stateSpec(): Record<string, StateKind> {
    return { step: 'number', sum: 'tensor' };
  }

  protected initState(p: tf.Variable, o: ResolvedParamGroup<AdagradOptions>): ParamState {
    return { step: 0, sum: tf.fill(p.shape, o.initialAccumulatorValue) };
  }

  protected update(
    p: tf.Variable,
    grad: tf.Tensor,
    s: ParamState,
    o: ResolvedParamGroup<AdagradOptions>,
  ): void {
    const t = (s.step as number) + 1;
    s.step = t;
    const clr = o.lr / (1 + (t - 1) * o.lrDecay);
    this.apply(p, s, () => {
      const g = regularizedGrad(p, grad, o.maximize, o.weightDecay);
      const sum = tf.add(s.sum as tf.Tensor, tf.mul(g, g));
      const std = tf.add(tf.sqrt(sum), o.eps);
      return { param: tf.add(p, tf.div(tf.mul(g, -clr), std)), state: { sum } };
    });
  }
}
