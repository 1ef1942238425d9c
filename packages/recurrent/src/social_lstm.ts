import { checkTensor, fail, finiteNumber, Linear, Module, positiveInt } from '@archzoo/core';
import type { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { bivariateGaussianParams } from './bivariate_gaussian.js';
import type { CellState, RecurrentCell } from './cell.js';
import { checkStateList } from './cell_utils.js';
import { LSTMCell } from './lstm_cell.js';
import { maskedState, maskOutput } from './run_cell.js';
import { socialPooling } from './social_pooling.js';

export interface SocialLSTMOptions {
  /** Features of each agent's LSTM state. Default 128 (the paper's). */
  hiddenSize?: number;
  /** Size of the position embedding e and of the social embedding a. Default 64 (the paper's). */
  embeddingSize?: number;
  /** N_0: grid cells per side of the neighbourhood. Default 8 (the paper's 8 x 8 pooling). */
  gridSize?: number;
  /** N_s: side of the neighbourhood, in the positions' units. Default 32 (the paper's, in pixels). */
  neighborhoodSize?: number;
  /** Randomness for the initialization. Default: the global generator. */
  generator?: Generator;
}

/** Per-step extras of `SocialLSTM.step`. */
export interface SocialStepOptions {
  /** `[N]` scene of each agent (agents of different scenes never interact). Default: one scene. */
  sceneIds?: tf.Tensor | readonly number[];
  /** `[N]` 1 for agents present at this step; absent ones keep their state and output zeros. */
  presence?: tf.Tensor;
}

/** Options of `SocialLSTM.forward`. */
export interface SocialForwardOptions {
  /** `[h, c]`, each `[N, hiddenSize]`. Default zeros. */
  state?: CellState;
  /** `[N]` scene id per agent. Default: one scene. */
  sceneIds?: tf.Tensor | readonly number[];
  /** `[T, N]` 1 where the agent is present. Default: always. */
  presence?: tf.Tensor;
}

/**
 * Social LSTM (Alexandre Alahi, Kratarth Goel, Vignesh Ramanathan, Alexandre Robicquet, Li
 * Fei-Fei, Silvio Savarese, "Social LSTM: Human Trajectory Prediction in Crowded Spaces", CVPR
 * 2016): one LSTM per agent, all sharing weights, that talk through a social pooling layer
 * ("one LSTM per object; interaction between objects: add communication in the graph of LSTMs",
 * in the notes). At each step t, for every agent i at (x_i, y_i):
 *
 *   H_i = socialPooling(positions, h^{t-1})                  N_0 x N_0 grid of neighbours' h
 *   e_i = ReLU(W_e (x_i, y_i) + b_e),   a_i = ReLU(W_a H_i + b_a)
 *   (h_i, c_i) = LSTM([e_i, a_i], (h_i, c_i))
 *   (μx, μy, σx, σy, ρ) = (W_p h_i + b_p, with exp on σ and tanh on ρ)   next-position Gaussian
 *
 * Train with `bivariateGaussianNll` against the next positions. Several scenes batch together as
 * one set of N agents with `sceneIds`; agents entering and leaving use `presence`.
 * Shapes: x (positions) `[N, 2]`, state `[h, c]` each `[N, hiddenSize]`, output `[N, 5]`.
 * Parameters: input_embed (Linear 2 -> E), social_embed (Linear N_0² hidden -> E), cell
 * (`LSTMCell` 2E -> hidden, `torch.nn.LSTMCell` names), output (Linear hidden -> 5).
 *
 * @example
 * const model = new SocialLSTM({ hiddenSize: 32, embeddingSize: 16, gridSize: 4, neighborhoodSize: 2 });
 * const { outputs } = model.forward(tf.randomUniform([8, 5, 2]), { sceneIds: [0, 0, 0, 1, 1] }); // [8, 5, 5]
 */
export class SocialLSTM extends Module implements RecurrentCell {
  readonly inputSize = 2;
  readonly hiddenSize: number;
  readonly embeddingSize: number;
  readonly gridSize: number;
  readonly neighborhoodSize: number;
  input_embed: Linear;
  social_embed: Linear;
  cell: LSTMCell;
  output: Linear;

  constructor(opts: SocialLSTMOptions = {}) {
    super();
    const n = this.typeName;
    this.hiddenSize = positiveInt(n, 'hiddenSize', opts.hiddenSize ?? 128);
    this.embeddingSize = positiveInt(n, 'embeddingSize', opts.embeddingSize ?? 64);
    this.gridSize = positiveInt(n, 'gridSize', opts.gridSize ?? 8);
    this.neighborhoodSize = finiteNumber(n, 'neighborhoodSize', opts.neighborhoodSize ?? 32, 0);
    if (!(this.neighborhoodSize > 0))
      fail(n, 'option neighborhoodSize', 'a number > 0', this.neighborhoodSize);
    const [e, h, g] = [this.embeddingSize, this.hiddenSize, opts.generator];
    this.input_embed = new Linear({ inFeatures: 2, outFeatures: e, generator: g });
    this.social_embed = new Linear({
      inFeatures: this.gridSize ** 2 * h,
      outFeatures: e,
      generator: g,
    });
    this.cell = new LSTMCell({ inputSize: 2 * e, hiddenSize: h, generator: g });
    this.output = new Linear({ inFeatures: h, outFeatures: 5, generator: g });
  }

  initialState(batch: number): CellState {
    return [tf.zeros([batch, this.hiddenSize]), tf.zeros([batch, this.hiddenSize])];
  }

  /** One time step for N agents: positions `[N, 2]` -> Gaussian parameters `[N, 5]` and the new `[h, c]`. */
  step(
    x: tf.Tensor,
    state: CellState,
    opts: SocialStepOptions = {},
  ): { output: tf.Tensor; state: CellState } {
    const where = `${this.typeName}.step`;
    const pos = checkTensor(where, 'positions', x, {
      rank: 2,
      layout: '[N, 2]',
      dims: { 1: 2 },
      dimNames: { 1: 'dimension 1 (x, y)' },
    });
    const agents = pos.shape[0]!;
    checkStateList(where, state, 2);
    state.forEach((s, k) => {
      checkTensor(where, `state[${k}]`, s, {
        rank: 2,
        layout: '[N, hiddenSize]',
        dims: { 0: agents, 1: this.hiddenSize },
        dimNames: { 0: 'dimension 0 (agents, that of positions)', 1: 'dimension 1 (hiddenSize)' },
      });
    });
    if (opts.presence) {
      checkTensor(where, 'presence', opts.presence, {
        rank: 1,
        dtype: ['float32', 'int32', 'bool'],
        dims: { 0: agents },
        dimNames: { 0: 'dimension 0 (agents)' },
      });
    }
    const [h, c] = state as [tf.Tensor, tf.Tensor];
    return tf.tidy(() => {
      const pooled = socialPooling(pos, h, {
        neighborhoodSize: this.neighborhoodSize,
        gridSize: this.gridSize,
        sceneIds: opts.sceneIds,
        mask: opts.presence,
      }); // [N, G² hidden]
      const e = tf.relu(this.input_embed.forward(pos)); // [N, E]
      const a = tf.relu(this.social_embed.forward(pooled)); // [N, E]
      const { state: next } = this.cell.step(tf.concat([e, a], 1), [h, c]);
      const out = bivariateGaussianParams(this.output.forward(next[0]!)); // [N, 5]
      if (!opts.presence) return { output: out, state: next };
      const p = tf.cast(opts.presence, 'float32'); // [N]
      return { output: maskOutput(out, p), state: maskedState(next, state, p) };
    });
  }

  /**
   * The whole sequence: positions `[T, N, 2]` -> `{ outputs: [T, N, 5], state }`. The output at t
   * is the predicted distribution of the positions at t + 1.
   */
  forward(
    positions: tf.Tensor,
    opts: SocialForwardOptions = {},
  ): { outputs: tf.Tensor; state: CellState } {
    const where = `${this.typeName}.forward`;
    const xs = checkTensor(where, 'positions', positions, {
      rank: 3,
      layout: '[T, N, 2]',
      dims: { 2: 2 },
      dimNames: { 2: 'dimension 2 (x, y)' },
    });
    const [T, N] = xs.shape as [number, number, number];
    if (opts.presence) {
      checkTensor(where, 'presence', opts.presence, {
        rank: 2,
        layout: '[T, N]',
        dtype: ['float32', 'int32', 'bool'],
        dims: { 0: T, 1: N },
        dimNames: { 0: 'dimension 0 (time)', 1: 'dimension 1 (agents)' },
      });
    }
    return tf.tidy(() => {
      let state = opts.state ?? this.initialState(N);
      const presence = opts.presence ? tf.unstack(opts.presence) : null;
      const outs = tf.unstack(xs).map((x, t) => {
        const r = this.step(x, state, { sceneIds: opts.sceneIds, presence: presence?.[t] });
        state = r.state;
        return r.output;
      });
      return { outputs: tf.stack(outs), state };
    });
  }

  override extraRepr(): string {
    return `hiddenSize=${this.hiddenSize}, embeddingSize=${this.embeddingSize}, gridSize=${this.gridSize}, neighborhoodSize=${this.neighborhoodSize}`;
  }
}
