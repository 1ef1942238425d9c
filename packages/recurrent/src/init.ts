/**
 * Initialization of the recurrent weights, written as formulas.
 *
 * PyTorch's default for every weight and bias of nn.RNN, nn.LSTM, nn.GRU and their cells:
 *   w ~ U(-1/sqrt(H), 1/sqrt(H)),  H = hiddenSize
 * (one bound for all, whatever the input size). Chrono initialization (Tallec & Ollivier 2018)
 * replaces the gate biases of an LSTM or GRU (see @archzoo/init's `chronoLstmBias`).
 */
import { fail, finiteNumber, parameter } from '@archzoo/core';
import {
  chronoGruBias,
  chronoLstmBias,
  type Generator,
  type RecurrentBiases,
  torchDefaultUniform,
} from '@archzoo/init';
import type * as tf from '@tensorflow/tfjs-core';

/** Chrono initialization of the gate biases (Tallec & Ollivier 2018). */
export interface ChronoInit {
  /** T_max, the longest dependency (in steps) to keep: b_f ~ log(U[1, T_max - 1]); >= 2. */
  maxLength: number;
}

/** A bias vector `[G * H]`, or null without biases. */
export type Bias = tf.Variable<tf.Rank.R1> | null;

/** A trainable parameter drawn from U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)). */
export function uniformParameter<R extends tf.Rank>(
  shape: number[],
  hiddenSize: number,
  generator: Generator | undefined,
): tf.Variable<R> {
  // bound = 1 / sqrt(hiddenSize), as torch's RNNBase.reset_parameters
  return parameter(torchDefaultUniform(shape, hiddenSize, { generator })) as tf.Variable<R>;
}

/**
 * The two bias vectors of one LSTM or GRU layer: U(-1/sqrt(H), 1/sqrt(H)) each, or chrono's
 * (values in bias_ih, zeros in bias_hh) when `chrono` is given. `null` when `bias` is false.
 */
export function gateBiases(
  where: string,
  mode: 'RNN' | 'LSTM' | 'GRU',
  hiddenSize: number,
  bias: boolean,
  chrono: ChronoInit | undefined,
  generator: Generator | undefined,
): { bias_ih: Bias; bias_hh: Bias } {
  const gates = mode === 'LSTM' ? 4 : mode === 'GRU' ? 3 : 1;
  if (!chrono) {
    if (!bias) return { bias_ih: null, bias_hh: null };
    return {
      bias_ih: uniformParameter([gates * hiddenSize], hiddenSize, generator),
      bias_hh: uniformParameter([gates * hiddenSize], hiddenSize, generator),
    };
  }
  if (mode === 'RNN')
    fail(where, 'option chrono', 'no value (an Elman RNN has no gates)', 'a value');
  if (!bias)
    fail(where, 'option chrono', 'bias: true (chrono sets the gate biases)', 'bias: false');
  const tMax = finiteNumber(where, 'chrono.maxLength', chrono.maxLength, 2);
  const init: RecurrentBiases =
    mode === 'LSTM'
      ? chronoLstmBias(hiddenSize, { tMax, generator })
      : chronoGruBias(hiddenSize, { tMax, generator });
  return {
    bias_ih: parameter(init.biasIh) as tf.Variable<tf.Rank.R1>,
    bias_hh: parameter(init.biasHh) as tf.Variable<tf.Rank.R1>,
  };
}
