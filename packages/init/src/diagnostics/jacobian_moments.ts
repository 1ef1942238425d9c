/**
 * Moments of the input-output Jacobian at initialization: Hanin 2018, "Which neural net
 * architectures give rise to exploding and vanishing gradients?" (NeurIPS).
 *
 * For a ReLU network with widths n_0, ..., n_L, He weights (Var = 2 / fan_in, symmetric) and zero
 * biases, every entry Z = d out_p / d x_q of the Jacobian has E[Z^2] = 1/n_0 whatever the
 * architecture, while E[Z^4] is bounded above and below by constants times
 * (1/n_0^2) exp(c beta),  beta = sum over hidden layers of 1/n_l:
 * the fluctuations grow with the sum of reciprocal widths, so many thin layers explode or vanish
 * and, for a fixed budget of neurons, equal widths are best.
 */
import { type Activation, type ActivationName, activation, RELU } from '../activations.js';
import type { RandomOptions } from '../options.js';
import { defaultGenerator } from '../random.js';
import { networkJacobian } from './jacobian.js';
import { sampleDenseNetwork } from './random_networks.js';

/**
 * Hanin's beta = sum_{l=1}^{L-1} 1/n_l over the hidden layers of widths [n_0, ..., n_L].
 *
 * @example
 * haninBeta([10, 20, 20, 5]); // 1/20 + 1/20 = 0.1
 */
export function haninBeta(widths: readonly number[]): number {
  let beta = 0;
  for (let l = 1; l < widths.length - 1; l++) beta += 1 / widths[l]!;
  return beta;
}

/**
 * Exact E[Z^2] and E[Z^4] of a Jacobian entry for Gaussian He weights and zero biases, widths
 * [n_0, ..., n_L]:
 * - `output: 'relu'` (ReLU after every layer, all weights N(0, 2/fan_in), Hanin's setting):
 *   E[Z^2] = 1/n_0,  E[Z^4] = (6 / n_0^2) prod_{l=1}^{L-1} (1 + 5/n_l);
 * - `output: 'linear'` (no ReLU after the last layer, its weights N(0, 1/fan_in)):
 *   E[Z^2] = 1/n_0,  E[Z^4] = (3 / n_0^2) prod_{l=1}^{L-1} (1 + 5/n_l).
 * Derivation: with u_l = D_l W_l ... D_1 W_1 e_q and s_l = |u_l|^2, flipping the sign of a row
 * of W_l leaves the law unchanged, so each ReLU gate D_l,i is Bernoulli(1/2) independently of
 * (W_l u_{l-1})_i^2 = (2 s_{l-1} / n_{l-1}) xi_i^2, xi_i ~ N(0, 1). Hence
 * s_l = (2 s_{l-1} / n_{l-1}) chi, chi = sum_{i <= n_l} D_i xi_i^2, E[chi] = n_l / 2,
 * E[chi^2] = (n_l^2 / 4)(1 + 5/n_l), and E[s_{L-1}^2] = (n_{L-1} / n_0)^2 prod (1 + 5/n_l).
 * Finally Z = D (W_L u_{L-1})_p with E[xi^4] = 3 and E[D] = 1/2 (relu) or 1 (linear).
 * The product is about exp(5 beta) for wide layers. Checked by Monte Carlo in the tests.
 *
 * @example
 * reluJacobianMoments([4, 10, 10, 4]); // { m2: 0.25, m4: (6 / 16) * 1.5 * 1.5 }
 */
export function reluJacobianMoments(
  widths: readonly number[],
  opts: { output?: 'relu' | 'linear' } = {},
): { m2: number; m4: number } {
  const n0 = widths[0]!;
  let prod = 1;
  for (let l = 1; l < widths.length - 1; l++) prod *= 1 + 5 / widths[l]!;
  const c = (opts.output ?? 'relu') === 'relu' ? 6 : 3;
  return { m2: 1 / n0, m4: (c / (n0 * n0)) * prod };
}

/** Options of `jacobianMoments`. */
export interface JacobianMomentsOptions extends RandomOptions {
  /** Layer widths [n_0, ..., n_L]. */
  widths: readonly number[];
  /** Independent initializations (and inputs). Default 2000. */
  trials?: number;
  /** Nonlinearity after hidden layers. Default relu. */
  hidden?: ActivationName | Activation;
  /** After the last layer. Default relu (Hanin's setting). */
  output?: ActivationName | Activation;
  /** sigma_w^2 of hidden layers (W ~ N(0, sigma_w^2 / fan_in)). Default 2 (He). */
  sigmaW2?: number;
  /** sigma_w^2 of the last layer. Default 2 if `output` is relu, else 1. */
  outputSigmaW2?: number;
  /** Weights 'gaussian' (default) or 'orthogonal'. */
  init?: 'gaussian' | 'orthogonal';
}

/** Monte Carlo estimates, for plotting. */
export interface JacobianMomentsResult {
  widths: number[];
  trials: number;
  beta: number;
  /** Mean over trials of the trial's mean of Z^2 over all Jacobian entries. */
  m2: number;
  /** Mean over trials of the trial's mean of Z^4. */
  m4: number;
  /** Standard errors of m2 and m4 (trials are independent; entries within one are not). */
  m2StdErr: number;
  m4StdErr: number;
  /** m4 / m2^2: the normalized fourth moment, 3 for a Gaussian entry. */
  kurtosis: number;
}

/**
 * E[Z^2] and E[Z^4] of the Jacobian entries Z = d out_p / d x_q over random initializations:
 * each trial draws a network (zero biases) and an input x ~ N(0, I), computes the Jacobian from
 * VJPs, and averages Z^2 and Z^4 over its entries.
 *
 * @example
 * jacobianMoments({ widths: [8, 16, 16, 16, 8], trials: 2000 }); // compare with reluJacobianMoments
 */
export function jacobianMoments(o: JacobianMomentsOptions): JacobianMomentsResult {
  const g = o.generator ?? defaultGenerator();
  const trials = o.trials ?? 2000;
  const widths = [...o.widths];
  const output = activation(o.output ?? RELU);
  const hidden = activation(o.hidden ?? RELU);
  const sigmaW2 = o.sigmaW2 ?? 2;
  const outputSigmaW2 = o.outputSigmaW2 ?? (output === RELU ? 2 : 1);
  const n0 = widths[0]!;
  let s2 = 0;
  let s2sq = 0;
  let s4 = 0;
  let s4sq = 0;
  for (let t = 0; t < trials; t++) {
    const net = sampleDenseNetwork({ widths, init: o.init, sigmaW2, hidden, output, generator: g });
    // The last layer's own variance: rescale its weights from sigma_w^2 to outputSigmaW2.
    const last = net.layers[net.layers.length - 1]!;
    const f = Math.sqrt(outputSigmaW2 / sigmaW2);
    for (let i = 0; i < last.weight.length; i++) last.weight[i] *= f;
    const x = Float64Array.from({ length: n0 }, () => g.normal());
    const j = networkJacobian(net, x).data;
    let a2 = 0;
    let a4 = 0;
    for (let i = 0; i < j.length; i++) {
      const z2 = j[i] * j[i];
      a2 += z2;
      a4 += z2 * z2;
    }
    a2 /= j.length;
    a4 /= j.length;
    s2 += a2;
    s2sq += a2 * a2;
    s4 += a4;
    s4sq += a4 * a4;
  }
  const m2 = s2 / trials;
  const m4 = s4 / trials;
  const se = (sum: number, sumSq: number) => {
    const mean = sum / trials;
    const variance = Math.max(0, (sumSq - trials * mean * mean) / Math.max(1, trials - 1));
    return Math.sqrt(variance / trials);
  };
  return {
    widths,
    trials,
    beta: haninBeta(widths),
    m2,
    m4,
    m2StdErr: se(s2, s2sq),
    m4StdErr: se(s4, s4sq),
    kurtosis: m4 / (m2 * m2),
  };
}
