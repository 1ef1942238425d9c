import {
  checkTensor,
  fail,
  finiteNumber,
  Linear,
  linear,
  Module,
  positiveInt,
  shapeString,
} from '@archzoo/core';
import type { Generator } from '@archzoo/init';
import * as tf from '@tensorflow/tfjs-core';
import type { CellState, RecurrentCell } from './cell.js';
import { checkSequence, maskedState, maskOutput } from './run_cell.js';

/** One ACT step: the cell's step result plus the ponder statistics of each sample. */
export interface ACTStepResult {
  /** y_t = Σ_n p_t^n y_t^n, shaped like the cell's output. */
  output: tf.Tensor;
  /** s_t = Σ_n p_t^n s_t^n, tensor by tensor. */
  state: CellState;
  /** N(t) `[B]`: ponder steps taken (float32 integers). Constant: it has no gradient. */
  steps: tf.Tensor;
  /** R(t) `[B]` = 1 - Σ_{n < N(t)} h_t^n, differentiable. */
  remainder: tf.Tensor;
  /** ρ_t `[B]` = N(t) + R(t). */
  ponderCost: tf.Tensor;
}

/** ACT over a sequence. */
export interface ACTSequenceResult {
  /** `[T, B, ...]` */
  outputs: tf.Tensor;
  /** The state after the last step. */
  state: CellState;
  /** `[T, B]` N(t). */
  steps: tf.Tensor;
  /** `[T, B]` R(t). */
  remainders: tf.Tensor;
  /** `[B]` the ponder cost P(x) = Σ_t (N(t) + R(t)) (padded steps excluded): add τ · mean(P) to the loss. */
  ponderCost: tf.Tensor;
}

export interface AdaptiveComputationTimeOptions {
  /**
   * The wrapped cell (any `RecurrentCell` that is a `Module`). Its `inputSize` is the ACT input
   * size + 1: each ponder step appends the flag (1 on the first step, 0 after) to the input's
   * last axis.
   */
  cell: RecurrentCell & Module;
  /** M, the most ponder steps per input step. Default 100 (as in the paper). */
  maxPonderSteps?: number;
  /** ε: halt once Σ h_n >= 1 - ε, so that a single step can halt (ε > 0). Default 0.01 (the paper's). */
  epsilon?: number;
  /** Features of the cell's output, flattened per sample, that feed the halting unit. Default `cell.hiddenSize`. */
  haltingInputSize?: number;
  /** Initial halting bias b_h. Default 1: σ(1) ≈ 0.73, so an untrained model halts after about two steps. */
  haltingBias?: number;
  /** Randomness for the halting unit's weight. Default: the global generator. */
  generator?: Generator;
}

/**
 * Adaptive Computation Time (Alex Graves, "Adaptive Computation Time for Recurrent Neural
 * Networks", 2016): a wrapper that runs any recurrent cell a variable number of times per input
 * ("executing n steps after each new input before reading the next one", in the notes) and learns
 * how many. For input x_t and state s_{t-1}, ponder step n = 1, 2, ... computes
 *
 *   s_t^n = S(s_t^{n-1}, [x_t, δ_{n,1}]),  s_t^0 = s_{t-1}       (flag: 1 on the first step)
 *   h_t^n = σ(W_h y_t^n + b_h)                                 halting unit on the cell output
 *   N(t)  = min(M, min{n : Σ_{n' <= n} h_t^{n'} >= 1 - ε})
 *   R(t)  = 1 - Σ_{n < N(t)} h_t^n,  p_t^n = h_t^n (n < N(t)), R(t) (n = N(t))
 *   s_t   = Σ_n p_t^n s_t^n,  y_t = Σ_n p_t^n y_t^n
 *   ρ_t   = N(t) + R(t)        ponder cost; train with loss + τ Σ_t ρ_t
 *
 * The halting unit reads the cell's output y_t^n (Graves writes s_t^n: for Elman-type cells the
 * two are the same h; for an LSTM it is h, not c).
 * N(t) is piecewise constant, so the ponder cost's gradient flows through R(t) only. Samples of a
 * batch halt at different n: the cell keeps stepping until all have halted, and a halted sample's
 * later steps get p = 0. Every state tensor of the cell is averaged (for LSTMs: h and c).
 *
 * Shapes: x `[B, inputSize]` (or `[B, H, W, inputSize]` for convolutional cells), state: the
 * cell's; output: the cell's. Parameters: `cell.*` and halting.weight `[1, haltingInputSize]`,
 * halting.bias `[1]` (a `Linear`).
 *
 * @example
 * const act = new AdaptiveComputationTime({ cell: new GatedRNNCell({ inputSize: 3 + 1, hiddenSize: 8 }) });
 * const { outputs, ponderCost } = act.forward(tf.ones([5, 2, 3])); // outputs [5, 2, 8], ponderCost [2]
 * // loss = task loss + 0.01 * tf.mean(ponderCost)
 */
export class AdaptiveComputationTime extends Module implements RecurrentCell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly maxPonderSteps: number;
  readonly epsilon: number;
  readonly haltingInputSize: number;
  cell: RecurrentCell & Module;
  halting: Linear;

  constructor(opts: AdaptiveComputationTimeOptions) {
    super();
    const n = this.typeName;
    const cell = opts.cell;
    if (!(cell instanceof Module) || typeof (cell as RecurrentCell).step !== 'function') {
      fail(n, 'option cell', 'a RecurrentCell Module (with step and initialState)', cell);
    }
    if (cell.inputSize < 2) {
      fail(
        n,
        'option cell',
        'a cell with inputSize >= 2 (input + 1 flag)',
        `inputSize ${cell.inputSize}`,
      );
    }
    this.cell = cell;
    this.inputSize = cell.inputSize - 1;
    this.hiddenSize = cell.hiddenSize;
    this.maxPonderSteps = positiveInt(n, 'maxPonderSteps', opts.maxPonderSteps ?? 100);
    this.epsilon = finiteNumber(n, 'epsilon', opts.epsilon ?? 0.01, 0, 1);
    if (this.epsilon <= 0 || this.epsilon >= 1)
      fail(n, 'option epsilon', 'a number in (0, 1)', this.epsilon);
    this.haltingInputSize = positiveInt(
      n,
      'haltingInputSize',
      opts.haltingInputSize ?? cell.hiddenSize,
    );
    this.halting = new Linear({
      inFeatures: this.haltingInputSize,
      outFeatures: 1,
      generator: opts.generator,
    });
    const b = finiteNumber(n, 'haltingBias', opts.haltingBias ?? 1);
    tf.tidy(() => this.halting.bias!.assign(tf.fill([1], b)));
  }

  initialState(batch: number, spatial?: readonly [number, number]): CellState {
    return this.cell.initialState(batch, spatial);
  }

  /** One input step, pondered (see the class). Does not dispose its inputs. */
  step(x: tf.Tensor, state: CellState): ACTStepResult {
    const where = `${this.typeName}.step`;
    const xt = checkTensor(where, 'input', x, {
      rank: [2, 3, 4, 5],
      dims: { [-1]: this.inputSize },
      dimNames: { [-1]: 'last dimension (inputSize = cell.inputSize - 1)' },
    });
    if (!Array.isArray(state) || state.length === 0) {
      fail(where, 'state', 'a non-empty array of tensors (the cell state)', typeof state);
    }
    const B = xt.shape[0]!;
    const M = this.maxPonderSteps;
    const threshold = 1 - this.epsilon;
    return tf.tidy(() => {
      const flagShape = [...xt.shape.slice(0, -1), 1];
      const running = new Float32Array(B).fill(1); // 1 while the sample has not halted
      const cum = new Float64Array(B); // Σ_{n' < n} h^{n'} of running samples, for the decisions
      const steps = new Float32Array(B);
      let cumT: tf.Tensor = tf.zeros([B]); // the same sum, differentiable
      let remainder: tf.Tensor = tf.zeros([B]);
      let s = state;
      let accS: tf.Tensor[] | null = null;
      let accY: tf.Tensor | null = null;
      const perSample = (p: tf.Tensor, t: tf.Tensor) =>
        tf.mul(t, tf.reshape(p, [B, ...new Array<number>(t.rank - 1).fill(1)]));
      for (let n = 1; n <= M; n++) {
        const flag = tf.fill(flagShape, n === 1 ? 1 : 0);
        const { output: y, state: next } = this.cell.step(tf.concat([xt, flag], -1), s);
        s = next;
        const flat = tf.reshape(y, [B, -1]); // [B, haltingInputSize]
        if (flat.shape[1] !== this.haltingInputSize) {
          fail(
            where,
            'cell output',
            `${this.haltingInputSize} features per sample (haltingInputSize)`,
            `shape ${shapeString(y.shape)}`,
          );
        }
        const h = tf.reshape(tf.sigmoid(linear(flat, this.halting.weight, this.halting.bias)), [B]); // [B]
        const hv = h.dataSync();
        const last = new Float32Array(B); // 1 where the sample halts at this step
        const cont = new Float32Array(B); // 1 where it runs on
        for (let b = 0; b < B; b++) {
          if (running[b] === 0) continue;
          steps[b] += 1;
          if (n === M || cum[b]! + hv[b]! >= threshold) last[b] = 1;
          else cont[b] = 1;
        }
        const lastT = tf.tensor1d(last);
        const contT = tf.tensor1d(cont);
        const rem = tf.mul(lastT, tf.sub(1, cumT)); // R where halting now
        const p = tf.add(rem, tf.mul(contT, h)); // p_t^n, 0 for halted samples
        accY = accY ? tf.add(accY, perSample(p, y)) : perSample(p, y);
        const acc: tf.Tensor[] | null = accS;
        accS = acc
          ? s.map((t, k) => tf.add(acc[k]!, perSample(p, t)))
          : s.map((t) => perSample(p, t));
        remainder = tf.add(remainder, rem);
        cumT = tf.add(cumT, tf.mul(contT, h));
        let any = false;
        for (let b = 0; b < B; b++) {
          if (cont[b] === 1) cum[b] += hv[b]!;
          running[b] = cont[b]!;
          any ||= cont[b] === 1;
        }
        if (!any) break;
      }
      const stepsT = tf.tensor1d(steps);
      return {
        output: accY!,
        state: accS!,
        steps: stepsT,
        remainder,
        ponderCost: tf.add(stepsT, remainder),
      };
    });
  }

  /**
   * The pondered sequence: xs `[T, B, ...]` (time major) -> outputs `[T, B, ...]`, the final
   * state and the ponder statistics. `mask` `[T, B]` (1 real, 0 padding): padded steps keep the
   * state, output zeros and add nothing to the ponder cost.
   */
  forward(
    xs: tf.Tensor,
    opts: { state?: CellState; mask?: tf.Tensor; spatial?: readonly [number, number] } = {},
  ): ACTSequenceResult {
    const { batch: B, spatial } = checkSequence(
      `${this.typeName}.forward`,
      xs,
      opts.mask,
      opts.spatial,
    );
    return tf.tidy(() => {
      let state = opts.state ?? this.initialState(B, spatial);
      const masks = opts.mask ? tf.unstack(tf.cast(opts.mask, 'float32')) : null;
      const outs: tf.Tensor[] = [];
      const steps: tf.Tensor[] = [];
      const rems: tf.Tensor[] = [];
      let ponder: tf.Tensor = tf.zeros([B]);
      tf.unstack(xs).forEach((x, t) => {
        const r = this.step(x, state);
        const m = masks?.[t];
        outs.push(m ? maskOutput(r.output, m) : r.output);
        steps.push(m ? tf.mul(r.steps, m) : r.steps);
        rems.push(m ? tf.mul(r.remainder, m) : r.remainder);
        ponder = tf.add(ponder, m ? tf.mul(r.ponderCost, m) : r.ponderCost);
        state = m ? maskedState(r.state, state, m) : r.state;
      });
      return {
        outputs: tf.stack(outs),
        state,
        steps: tf.stack(steps),
        remainders: tf.stack(rems),
        ponderCost: ponder,
      };
    });
  }

  override extraRepr(): string {
    return `inputSize=${this.inputSize}, maxPonderSteps=${this.maxPonderSteps}, epsilon=${this.epsilon}`;
  }
}
