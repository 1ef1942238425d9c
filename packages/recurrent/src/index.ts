/**
 * @archzoo/recurrent: recurrent cells and sequence layers (Elman RNN, LSTM, GRU, ...), PyTorch
 * compatible, over tfjs-core.
 */
export {
  type ACTSequenceResult,
  type ACTStepResult,
  AdaptiveComputationTime,
  type AdaptiveComputationTimeOptions,
} from './act.js';
export {
  type BivariateGaussianNllOptions,
  bivariateGaussianNll,
  bivariateGaussianParams,
} from './bivariate_gaussian.js';
export type { CellState, RecurrentCell } from './cell.js';
export {
  ConvLSTMCell,
  type ConvLSTMCellOptions,
  type ConvLstmParams,
  type ConvLstmPeepholes,
  convLstmCell,
} from './conv_lstm.js';
export {
  carry,
  gruCell,
  gruStep,
  type LstmExtras,
  linearT,
  lstmCell,
  lstmStep,
  type Nonlinearity,
  type RecurrentWeights,
  rnnCell,
  rnnStep,
  unstack0,
} from './functional.js';
/**
 * `fusedGruSequence`: a whole one-layer GRU pass over a sequence as ONE tfjs op (the forward over
 * all T steps in one kernel, a hand-written backpropagation through time in another); cpu and wasm
 * backends only. `gruSequence` dispatches here where it can.
 */
export {
  fusedGruSequence,
  type GruSequenceArgs,
  type GruSequenceResult,
} from './fused/gru_sequence.js';
/**
 * `fusedLstmSequence`: a whole one-layer LSTM pass over a sequence as ONE tfjs op (the forward
 * over all T steps in one kernel, a hand-written backpropagation through time in another); cpu
 * and wasm backends only. `lstmSequence` dispatches here where it can.
 */
export {
  fusedLstmSequence,
  type LstmSequenceArgs,
  type LstmSequenceResult,
} from './fused/lstm_sequence.js';
/** `fusedSequenceSupported(backendName?)`: true where the fused sequence ops run (cpu, wasm). */
export { fusedSequenceSupported } from './fused/register.js';
export {
  GatedRNNCell,
  type GatedRNNCellOptions,
  type GatedRnnParams,
  gatedRnnCell,
} from './gated.js';
export { GRU, type GRUOptions } from './gru.js';
export { GRUCell, type GRUCellOptions } from './gru_cell.js';
export { type Bias, type ChronoInit, gateBiases, uniformParameter } from './init.js';
export {
  LeakyRNNCell,
  type LeakyRNNCellOptions,
  type LeakyRnnParams,
  leakyRnnCell,
} from './leaky.js';
export { LSTM, type LSTMForwardOptions, type LSTMOptions, type LSTMOutput } from './lstm.js';
export { LSTMCell, type LSTMCellOptions } from './lstm_cell.js';
export {
  MinimalRNNCell,
  type MinimalRNNCellOptions,
  type MinimalRnnParams,
  minimalRnnCell,
} from './minimal_rnn.js';
export {
  type CellSpec,
  type DirectionWeights,
  type RecurrentForwardOptions,
  RecurrentLayer,
  type RecurrentLayerOptions,
} from './recurrent_layer.js';
export { RNN, type RNNOptions, type RNNOutput } from './rnn.js';
export { RNNCell, type RNNCellOptions } from './rnn_cell.js';
export { type RunCellOptions, type RunCellResult, runCell } from './run_cell.js';
export {
  gruSequence,
  lstmSequence,
  lstmSequenceExtended,
  rnnSequence,
  type SequenceArgs,
  type SequenceResult,
} from './sequence_ops.js';
export {
  type SocialForwardOptions,
  SocialLSTM,
  type SocialLSTMOptions,
  type SocialStepOptions,
} from './social_lstm.js';
export { type SocialPoolingOptions, socialPooling } from './social_pooling.js';
