/**
 * Chrono initialization: Tallec & Ollivier 2018, "Can recurrent neural networks warp time?"
 * (ICLR).
 *
 * A gated unit with forget-gate value f keeps information for about 1 / (1 - f) steps. To cover
 * dependencies of 1 to T_max steps, draw the forget-gate biases so that sigmoid(b_f) spreads the
 * characteristic times 1 / (1 - sigmoid(b_f)) = 1 + exp(b_f) over [2, T_max]:
 *   b_f ~ log(U[1, T_max - 1]),   b_i = -b_f   (LSTM),
 * all other gate biases zero. In a GRU (h' = (1 - z) * n + z * h in PyTorch) the update gate z
 * plays the forget gate's role and (1 - z) the input gate's, so b_z ~ log(U[1, T_max - 1]) alone.
 *
 * PyTorch keeps two bias vectors per layer, bias_ih and bias_hh, and adds them: the values go in
 * one (`into`, default 'ih') and the other is zero. Gate order: LSTM [i, f, g, o], GRU [r, z, n],
 * each block `hiddenSize` long.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RandomOptions } from './options.js';
import { defaultGenerator } from './random.js';

/** Options of the chrono initializers. */
export interface ChronoOptions extends RandomOptions {
  /** T_max: the longest dependency (in time steps) the network should be able to keep; >= 2. */
  tMax: number;
  /** Which of PyTorch's two bias vectors receives the values. Default 'ih'. */
  into?: 'ih' | 'hh';
}

/** PyTorch's two bias vectors of one recurrent layer. */
export interface RecurrentBiases {
  /** bias_ih_l{k}: [gates * hiddenSize]. */
  biasIh: tf.Tensor1D;
  /** bias_hh_l{k}: [gates * hiddenSize]. */
  biasHh: tf.Tensor1D;
}

/**
 * hiddenSize values b ~ log(U[1, T_max - 1]) (float64).
 *
 * @example
 * chronoValues(4, { tMax: 100 }); // four values in [0, log 99]
 */
export function chronoValues(hiddenSize: number, opts: ChronoOptions): Float64Array {
  const { tMax } = opts;
  if (!(tMax >= 2)) throw new RangeError(`chrono: tMax expected >= 2, got ${tMax}`);
  const g = opts.generator ?? defaultGenerator();
  const out = new Float64Array(hiddenSize);
  for (let i = 0; i < hiddenSize; i++) out[i] = Math.log(1 + (tMax - 2) * g.random());
  return out;
}

function split(values: Float32Array, into: 'ih' | 'hh'): RecurrentBiases {
  const filled = tf.tensor1d(values, 'float32');
  const zero = tf.zeros([values.length]) as tf.Tensor1D;
  return into === 'ih' ? { biasIh: filled, biasHh: zero } : { biasIh: zero, biasHh: filled };
}

/**
 * LSTM chrono biases, PyTorch gate order [i, f, g, o]: b_f ~ log(U[1, T_max - 1]), b_i = -b_f,
 * b_g = b_o = 0. Output: bias_ih and bias_hh, each [4 * hiddenSize].
 *
 * @example
 * const { biasIh, biasHh } = chronoLstmBias(128, { tMax: 784 }); // pixel-by-pixel MNIST
 */
export function chronoLstmBias(hiddenSize: number, opts: ChronoOptions): RecurrentBiases {
  const h = hiddenSize;
  const bf = chronoValues(h, opts);
  const b = new Float32Array(4 * h);
  for (let j = 0; j < h; j++) {
    b[j] = -bf[j]; // input gate
    b[h + j] = bf[j]; // forget gate
  }
  return split(b, opts.into ?? 'ih');
}

/**
 * GRU chrono biases, PyTorch gate order [r, z, n]: b_z ~ log(U[1, T_max - 1]) (the update gate,
 * which keeps the old state with weight z), b_r = b_n = 0. Output: bias_ih and bias_hh, each
 * [3 * hiddenSize]. (b_hn would sit inside r * (W_hn h + b_hn); since b_n = 0 that does not matter.)
 *
 * @example
 * const { biasIh, biasHh } = chronoGruBias(64, { tMax: 1000 });
 */
export function chronoGruBias(hiddenSize: number, opts: ChronoOptions): RecurrentBiases {
  const h = hiddenSize;
  const bz = chronoValues(h, opts);
  const b = new Float32Array(3 * h);
  for (let j = 0; j < h; j++) b[h + j] = bz[j]; // update gate
  return split(b, opts.into ?? 'ih');
}
