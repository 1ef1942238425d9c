/**
 * What nn.RNN, nn.LSTM and nn.GRU share (PyTorch's `RNNBase`): stacked layers, two directions,
 * inter-layer dropout, batch-first or time-first input, initial states, per-sample lengths and
 * masks, and a stateful streaming mode. Each subclass only says how one layer runs in one
 * direction (through sequence_ops.ts) and what its states are.
 */
import {
  checkTensor,
  dropout,
  fail,
  finiteNumber,
  Module,
  positiveInt,
  shapeString,
} from '@archzoo/core';
import { defaultGenerator, type Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import { checkState, lengthsMask, userMask } from './checks.js';
import { unstack0 } from './functional.js';
import { type Bias, type ChronoInit, gateBiases, uniformParameter } from './init.js';

/** Options shared by RNN, LSTM and GRU (PyTorch's names, camelCase). */
export interface RecurrentLayerOptions {
  /** Features of each input step. */
  inputSize: number;
  /** Features of the hidden state. */
  hiddenSize: number;
  /** Stacked layers; layer k > 0 reads layer k - 1's output. Default 1. */
  numLayers?: number;
  /** Add the biases b_ih and b_hh. Default true. */
  bias?: boolean;
  /** Input and output are `[B, T, F]` instead of PyTorch's default time-first `[T, B, F]`. Default false. */
  batchFirst?: boolean;
  /** Dropout probability on the output of every layer but the last (training mode only). Default 0. */
  dropout?: number;
  /** Add a second direction that reads each sequence backwards; outputs are concatenated. Default false. */
  bidirectional?: boolean;
  /**
   * Streaming: the final states of one call are the initial states of the next (unless h0/c0 are
   * passed), until `resetStates()`. `detachStates()` cuts the gradient path (truncated BPTT).
   * Default false.
   */
  stateful?: boolean;
  /** Randomness for the initialization and the dropout masks. Default: the global generator. */
  generator?: Generator;
}

/** Per-call options of `forward`. */
export interface RecurrentForwardOptions {
  /** Initial hidden state `[D * numLayers, B, H_out]` (`[D * numLayers, H_out]` unbatched). Default zeros. */
  h0?: tf.Tensor | null;
  /**
   * Valid steps per sample (numbers or an int32 tensor `[B]`, each in [0, T]): later steps leave
   * the state untouched and give zero output, as `pack_padded_sequence(enforce_sorted=False)`;
   * the backward direction reads each sample from its own last valid step.
   */
  lengths?: readonly number[] | tf.Tensor;
  /**
   * 0/1 mask `[B, T]` (batchFirst) or `[T, B]`: at a 0 the state is carried unchanged and the
   * output is 0. The backward direction runs over the same mask in reverse time.
   */
  mask?: tf.Tensor;
}

/** The weights of one layer in one direction, in PyTorch's layout. */
export interface DirectionWeights {
  weight_ih: tf.Variable<tf.Rank.R2>;
  weight_hh: tf.Variable<tf.Rank.R2>;
  bias_ih: Bias;
  bias_hh: Bias;
  /** LSTM projection `[P, H]`. */
  weight_hr: tf.Variable<tf.Rank.R2> | null;
  /** LSTM peepholes `[H]` (archzoo only). */
  weight_ci: Bias;
  weight_cf: Bias;
  weight_co: Bias;
}

/** What a subclass tells the base about its cell. */
export interface CellSpec {
  mode: 'RNN' | 'LSTM' | 'GRU';
  projSize?: number;
  peepholes?: boolean;
  chrono?: ChronoInit;
}

/** Base of RNN, LSTM and GRU. */
export abstract class RecurrentLayer extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly stateful: boolean;
  /** P of a projected LSTM, else 0. */
  readonly projSize: number;
  /** The weights per layer and direction, index `layer * D + direction`; also own fields named as PyTorch's. */
  readonly #weights: DirectionWeights[] = [];
  readonly #generator: Generator | undefined;
  /** Stateful mode: the carried states, each `[D * numLayers, B, size]`. */
  #states: tf.Tensor[] | null = null;

  protected constructor(opts: RecurrentLayerOptions, spec: CellSpec) {
    super();
    const where = spec.mode;
    this.inputSize = positiveInt(where, 'inputSize', opts.inputSize);
    const h = positiveInt(where, 'hiddenSize', opts.hiddenSize);
    this.hiddenSize = h;
    this.numLayers = positiveInt(where, 'numLayers', opts.numLayers ?? 1);
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = finiteNumber(where, 'dropout', opts.dropout ?? 0, 0, 1);
    this.bidirectional = opts.bidirectional ?? false;
    this.stateful = opts.stateful ?? false;
    this.projSize = spec.projSize ?? 0;
    this.#generator = opts.generator;
    const gates = spec.mode === 'LSTM' ? 4 : spec.mode === 'GRU' ? 3 : 1;
    const out = this.projSize || h;
    const g = opts.generator;
    // Creation order = state-dict order, PyTorch's: per layer, per direction,
    // weight_ih, weight_hh, bias_ih, bias_hh, weight_hr (then archzoo's peepholes).
    for (let layer = 0; layer < this.numLayers; layer++) {
      const inSize = layer === 0 ? this.inputSize : out * this.directions;
      for (let d = 0; d < this.directions; d++) {
        const b = gateBiases(where, spec.mode, h, opts.bias ?? true, spec.chrono, g);
        const peep = spec.peepholes === true;
        const w: DirectionWeights = {
          weight_ih: uniformParameter([gates * h, inSize], h, g),
          weight_hh: uniformParameter([gates * h, out], h, g),
          bias_ih: b.bias_ih,
          bias_hh: b.bias_hh,
          weight_hr: this.projSize > 0 ? uniformParameter([this.projSize, h], h, g) : null,
          weight_ci: peep ? uniformParameter([h], h, g) : null,
          weight_cf: peep ? uniformParameter([h], h, g) : null,
          weight_co: peep ? uniformParameter([h], h, g) : null,
        };
        // Torch's names as own fields (Module finds parameters by field name): weight_ih_l0, ...
        const suffix = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        for (const [name, v] of Object.entries(w)) if (v) Reflect.set(this, name + suffix, v);
        this.#weights.push(w);
      }
    }
  }

  /** D: 2 when bidirectional, else 1. */
  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Width of h and of each direction's output: P with a projection, else H. */
  get outputSize(): number {
    return this.projSize || this.hiddenSize;
  }

  /** The weights of `layer` (forward direction, or the backward one when `reverse`). */
  layerWeights(layer: number, reverse = false): DirectionWeights {
    const w = this.#weights[layer * this.directions + (reverse ? 1 : 0)];
    if (!w || (reverse && !this.bidirectional)) {
      fail(`${this.typeName}.layerWeights`, 'layer', `a layer of ${this.numLayers}`, layer);
    }
    return w;
  }

  /** Names and widths of the states: [['h0', H_out]] (RNN, GRU); the LSTM adds ['c0', H]. */
  protected stateSpec(): [string, number][] {
    return [['h0', this.outputSize]];
  }

  /** Runs one layer in one direction over time-first x `[T, B, F]` from `state` (each `[B, size]`). */
  protected abstract runDirection(
    w: DirectionWeights,
    x: tf.Tensor3D,
    state: tf.Tensor2D[],
    mask: tf.Tensor2D | null,
  ): { output: tf.Tensor3D; state: tf.Tensor2D[] };

  /**
   * The whole stack: input `[T, B, I]` (`[B, T, I]` batchFirst, `[T, I]` unbatched), initial
   * states in `stateSpec` order -> output `[T, B, D * H_out]` and final states
   * `[D * numLayers, B, size]` (batch axes dropped for unbatched input).
   */
  protected run(
    input: tf.Tensor,
    initial: (tf.Tensor | null | undefined)[],
    opts: RecurrentForwardOptions,
  ): { output: tf.Tensor; states: tf.Tensor[] } {
    const where = `${this.typeName}.forward`;
    const layout = this.batchFirst ? '[B, T, inputSize]' : '[T, B, inputSize]';
    checkTensor(where, 'input', input, {
      rank: [2, 3],
      layout: `${layout} or [T, inputSize] (unbatched)`,
      dims: { [-1]: this.inputSize },
      dimNames: { [-1]: 'last dimension (inputSize)' },
    });
    const unbatched = input.rank === 2;
    const steps = unbatched || !this.batchFirst ? input.shape[0]! : input.shape[1]!;
    const batch = unbatched ? 1 : this.batchFirst ? input.shape[0]! : input.shape[1]!;
    if (steps === 0) fail(where, 'input', 'at least one time step', shapeString(input.shape));
    const spec = this.stateSpec();
    const stack = this.directions * this.numLayers;
    initial.forEach((t, k) => {
      if (t == null) return;
      const [name, size] = spec[k]!;
      checkState(where, name, t, unbatched ? [stack, size] : [stack, batch, size]);
    });
    if (opts.lengths !== undefined && opts.mask !== undefined) {
      fail(where, 'options', 'lengths or mask, not both', 'both');
    }
    if (this.stateful && this.#states && this.#states[0]!.shape[1] !== batch) {
      const carried = this.#states[0]!.shape[1];
      fail(
        where,
        'input',
        `batch size ${carried} (the carried state's; resetStates() first)`,
        batch,
      );
    }
    const mask =
      opts.lengths !== undefined
        ? lengthsMask(where, opts.lengths, steps, batch)
        : opts.mask !== undefined
          ? userMask(where, opts.mask, steps, batch, this.batchFirst && !unbatched)
          : null;
    const result = tf.tidy(() => {
      // [T, B, I], time-first inside
      let x = (
        unbatched
          ? tf.expandDims(input, 1)
          : this.batchFirst
            ? tf.transpose(input, [1, 0, 2])
            : input
      ) as tf.Tensor3D;
      // Per state kind, the [B, size] slices for each layer and direction.
      const starts = spec.map(([, size], k) => {
        const given = initial[k];
        const s = given
          ? tf.reshape(given, [stack, batch, size])
          : (this.#states?.[k] ?? tf.zeros([stack, batch, size]));
        return unstack0(s) as tf.Tensor2D[];
      });
      const finals: tf.Tensor2D[][] = spec.map(() => []);
      for (let layer = 0; layer < this.numLayers; layer++) {
        const outs: tf.Tensor3D[] = [];
        for (let d = 0; d < this.directions; d++) {
          const i = layer * this.directions + d;
          const rev = <T extends tf.Tensor>(t: T): T => (d === 1 ? tf.reverse(t, 0) : t);
          const r = this.runDirection(
            this.#weights[i]!,
            rev(x),
            starts.map((s) => s[i]!),
            mask ? rev(mask) : null,
          );
          outs.push(rev(r.output)); // [T, B, H_out]
          r.state.forEach((s, k) => {
            finals[k]!.push(s);
          });
        }
        x = outs.length > 1 ? tf.concat(outs, 2) : outs[0]!; // [T, B, D * H_out]
        if (this.training && this.dropout > 0 && layer < this.numLayers - 1) {
          x = dropout(x, this.dropout, this.#generator ?? defaultGenerator()) as tf.Tensor3D;
        }
      }
      const states = finals.map((f) => tf.stack(f)); // [D * numLayers, B, size]
      const output = unbatched
        ? tf.squeeze(x, [1]) // [T, D * H_out]
        : this.batchFirst
          ? tf.transpose(x, [1, 0, 2]) // [B, T, D * H_out]
          : x;
      return { output, states };
    });
    mask?.dispose();
    if (this.stateful) {
      const previous = this.#states;
      this.#states = result.states.map((s) => tf.keep(tf.clone(s)));
      tf.dispose(previous ?? []);
    }
    if (unbatched) {
      const squeezed = result.states.map((s) => tf.squeeze(s, [1])); // [D * numLayers, size]
      tf.dispose(result.states);
      return { output: result.output, states: squeezed };
    }
    return result;
  }

  /** Stateful mode: forget the carried states (the next call starts from zeros or h0/c0). */
  resetStates(): void {
    tf.dispose(this.#states ?? []);
    this.#states = null;
  }

  /**
   * Stateful mode: keep the carried states' values but cut their gradient path, so backprop
   * through later calls stops here (truncated backpropagation through time).
   */
  detachStates(): void {
    if (!this.#states) return;
    // A non-trainable variable on the same data: made by no recorded op, so the tape has no path
    // behind it.
    const detached = this.#states.map((s) => tf.variable(s, false));
    tf.dispose(this.#states);
    this.#states = detached;
  }

  /** Stateful mode: the carried states (read-only views; null before the first call). */
  get carriedStates(): readonly tf.Tensor[] | null {
    return this.#states;
  }

  override dispose(): void {
    this.resetStates();
    super.dispose();
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (this.#weights[0]!.bias_ih === null) parts.push('bias=false');
    if (this.batchFirst) parts.push('batchFirst=true');
    if (this.dropout) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push('bidirectional=true');
    if (this.projSize) parts.push(`projSize=${this.projSize}`);
    if (this.stateful) parts.push('stateful=true');
    return parts.join(', ');
  }
}
