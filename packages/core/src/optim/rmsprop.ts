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

export interface RMSpropOptions extends OptimizerOptions {
  /** Smoothing constant alpha of the squared-gradient average. Default 0.99. */
  alpha: number;
  /** Added to the denominator for stability. Default 1e-8. */
  eps: number;
  /** L2 penalty lambda, added to the gradient. Default 0. */
  weightDecay: number;
  /** Momentum factor mu. Default 0. */
  momentum: number;
  /** Normalize by the estimated variance (Graves 2013) instead of the raw second moment. Default false. */
  centered: boolean;
  /** Maximize the objective (negate the gradient). Default false. */
  maximize: boolean;
}

/**
 * RMSprop (Hinton, Lecture 6e), `torch.optim.RMSprop` (its 1.13 update, exactly):
 *
 *   g = grad (negated if maximize) + lambda p
 *   v = alpha v + (1 - alpha) g^2
 *   centered: gbar = alpha gbar + (1 - alpha) g,  d = sqrt(v - gbar^2) + eps;  else d = sqrt(v) + eps
 *   mu > 0: b = mu b + g / d,  p = p - lr b;    else p = p - lr g / d
 *
 * State per parameter: `step`, `square_avg` (v), `momentum_buffer` (b, if momentum > 0),
 * `grad_avg` (gbar, if centered). Defaults: lr 1e-2, alpha 0.99, eps 1e-8.
 *
 * @example
 * const opt = new RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(
    params: tf.Variable[] | ParamGroup<RMSpropOptions>[],
    opts: Partial<RMSpropOptions> = {},
  ) {
    super('RMSprop', params, {
      lr: opts.lr ?? 1e-2,
      alpha: opts.alpha ?? 0.99,
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      momentum: opts.momentum ?? 0,
      centered: opts.centered ?? false,
      maximize: opts.maximize ?? false,
    });
  }

  protected checkOptions(o: RMSpropOptions, context: string): void {
    nonNegative('RMSprop', context, o, ['lr', 'alpha', 'eps', 'weightDecay', 'momentum']);
    booleans('RMSprop', context, o, ['centered', 'maximize']);
  }

  protected stateSpec(o: RMSpropOptions): Record<string, StateKind> {
    const spec: Record<string, StateKind> = { step: 'number', square_avg: 'tensor' };
    if (o.momentum > 0) spec.momentum_buffer = 'tensor';
    if (o.centered) spec.grad_avg = 'tensor';
    return spec;
  }

  protected initState(p: tf.Variable, o: ResolvedParamGroup<RMSpropOptions>): ParamState {
    const s: ParamState = { step: 0, square_avg: tf.zerosLike(p) };
    if (o.momentum > 0) s.momentum_buffer = tf.zerosLike(p);
    if (o.centered) s.grad_avg = tf.zerosLike(p);
    return s;
  }

  protected update(
    p: tf.Variable,
    grad: tf.Tensor,
    s: ParamState,
    o: ResolvedParamGroup<RMSpropOptions>,
  ): void {
    s.step = (s.step as number) + 1;
    this.apply(p, s, () => {
      const g = regularizedGrad(p, grad, o.maximize, o.weightDecay);
      const v = tf.add(
        tf.mul(s.square_avg as tf.Tensor, o.alpha),
        tf.mul(tf.mul(g, 1 - o.alpha), g),
      );
      const state: Record<string, tf.Tensor> = { square_avg: v };
      let avg: tf.Tensor;
      if (o.centered) {
        const gAvg = tf.add(tf.mul(s.grad_avg as tf.Tensor, o.alpha), tf.mul(g, 1 - o.alpha));
        state.grad_avg = gAvg;
        avg = tf.sqrt(tf.sub(v, tf.mul(gAvg, gAvg)));
      } else {
        avg = tf.sqrt(v);
      }
      avg = tf.add(avg, o.eps);
      if (o.momentum > 0) {
        const buf = tf.add(tf.mul(s.momentum_buffer as tf.Tensor, o.momentum), tf.div(g, avg));
        state.momentum_buffer = buf;
        return { param: tf.add(p, tf.mul(buf, -o.lr)), state };
      }
      return { param: tf.add(p, tf.div(tf.mul(g, -o.lr), avg)), state };
    });
  }
}
