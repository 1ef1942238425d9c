/**
 * The fused LSTM sequence kernels (cpu and wasm): the whole forward pass over T steps in one
 * kernel, and its hand-written backpropagation through time in another. PyTorch's LSTM (gates
 * i, f, g, o in blocks of H), with an optional 0/1 mask `m` per step and sequence:
 *
 *   [a_i, a_f, a_g, a_o] = x_t W_ih^T + b_ih + h W_hh^T + b_hh
 *   i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
 *   c' = f c + i g,  h' = o tanh(c')
 *   h_t = m h' + (1 - m) h_{t-1},  c_t = m c' + (1 - m) c_{t-1},  y_t = m h'
 *
 * Forward: the input projection of all steps is one product; each step is one product
 * h W_hh^T and one pass of the nonlinearities (σ of the four gates at once, the g quarter doubled:
 * tanh(a) = 2σ(2a) - 1). Backward: per step one pass for the gate gradients and one product
 * dA_t W_hh; the weight and bias gradients of all steps in one product at the end (weight_grads.ts).
 */
import type { ValuesBackend } from '@archzoo/core';
import type * as tf from '@tensorflow/tfjs-core';
import { addInto, denseMath, transpose } from './dense_math.js';
import { f32, f32Copy, f32View, type KernelArgs, output, outputArray } from './kernel_args.js';
import { projectInputs } from './projection.js';
import { scatterColumns, weightGrads } from './weight_grads.js';

export const LSTM_SEQUENCE = 'ArchzooLstmSequence';
export const LSTM_SEQUENCE_GRAD = 'ArchzooLstmSequenceGrad';

/**
 * Inputs of `ArchzooLstmSequence`: x `[T, B, I]`, h0 and c0 `[B, H]`, wIh `[4H, I]`, wHh `[4H, H]`,
 * bIh and bHh `[4H]`, mask `[T, B]` (all present: zeros and ones stand in for absent ones).
 * Outputs: y `[T, B, H]`, h_T and c_T `[B, H]`, then what the backward pass reads: the gate
 * activations `[T, B, 4H]`, tanh(c') `[T, B, H]`, h_{t-1} and c_{t-1} of every step `[T, B, H]`.
 */
export function lstmSequenceKernel({ inputs, backend: be }: KernelArgs): tf.TensorInfo[] {
  const backend = be as unknown as ValuesBackend;
  const math = denseMath(backend);
  const [T, B] = inputs.x!.shape as [number, number, number];
  const H = inputs.h0!.shape[1]!;
  const G = 4 * H;
  const x = f32(backend, inputs.x!);
  const mask = f32(backend, inputs.mask!);
  const bIh = f32(backend, inputs.bIh!);
  const bHh = f32(backend, inputs.bHh!);
  const bias = bIh.map((b, j) => b + bHh[j]!);
  const xp = projectInputs(math, x, T * B, f32(backend, inputs.wIh!), bias, 'lstm.xp'); // [T * B, 4H]
  // [T, B, 4H]: pre-activations, then activations (each array is overwritten whole, step by step)
  const gates = outputArray(backend, 'lstm.gates', T * B * G);
  const tanhC = outputArray(backend, 'lstm.tanhC', T * B * H);
  const hPrev = outputArray(backend, 'lstm.hPrev', T * B * H);
  const cPrev = outputArray(backend, 'lstm.cPrev', T * B * H);
  const y = outputArray(backend, 'lstm.y', T * B * H);
  const h = f32Copy(backend, inputs.h0!);
  const c = f32Copy(backend, inputs.c0!);
  const cNew = new Float32Array(B * H);
  const wHhT = math.hold(transpose(f32(backend, inputs.wHh!), G, H), H, G); // [H, 4H]
  try {
    for (let t = 0; t < T; t++) {
      const s = t * B * G;
      const sh = t * B * H;
      hPrev.set(h, sh);
      cPrev.set(c, sh);
      math.matmul(h, B, wHhT, gates, s); // h W_hh^T: [B, 4H]
      const a = gates.subarray(s, s + B * G);
      addProjection(a, xp, s, B, H);
      math.sigmoid(a);
      const tc = tanhC.subarray(sh, sh + B * H);
      cellUpdate(a, c, cNew, tc, B, H);
      math.sigmoid(tc);
      hiddenUpdate(a, tc, cNew, mask, t * B, h, c, y, sh, B, H);
    }
  } finally {
    math.release(wHhT);
  }
  return [
    output(backend, y, [T, B, H]),
    output(backend, h, [B, H]),
    output(backend, c, [B, H]),
    output(backend, gates, [T, B, G]),
    output(backend, tanhC, [T, B, H]),
    output(backend, hPrev, [T, B, H]),
    output(backend, cPrev, [T, B, H]),
  ];
}

/**
 * Inputs of `ArchzooLstmSequenceGrad`: the gradients dy `[T, B, H]`, dh `[B, H]`, dc `[B, H]` of
 * the outputs (each optional: absent means zero), the saved gates, tanhC, hPrev, cPrev, and x,
 * wHh, mask. Outputs: the pre-activation gradients of all steps, transposed, dA^T `[4H, T * B]`,
 * dh0, dc0 `[B, H]`,
 * dW_ih `[4H, I]`, dW_hh `[4H, H]`, db `[4H]` (the gradient of b_ih and of b_hh alike).
 */
export function lstmSequenceGradKernel({ inputs, backend: be }: KernelArgs): tf.TensorInfo[] {
  const backend = be as unknown as ValuesBackend;
  const math = denseMath(backend);
  const [T, B, I] = inputs.x!.shape as [number, number, number];
  const H = inputs.wHh!.shape[1]!;
  const G = 4 * H;
  const dH = inputs.dh ? f32Copy(backend, inputs.dh) : new Float32Array(B * H);
  const dC = inputs.dc ? f32Copy(backend, inputs.dc) : new Float32Array(B * H);
  const view = (name: string) => f32View(backend, inputs[name]!); // taken again after each product
  const dAT = outputArray(backend, 'lstm.dAT', G * T * B); // [4H, T * B]: every step's dA, transposed
  const dA = new Float32Array(B * G); // this step's [B, 4H]
  const rec = new Float32Array(B * H);
  const wHh = math.hold(f32(backend, inputs.wHh!), G, H); // [4H, H]
  try {
    for (let t = T - 1; t >= 0; t--) {
      const dy = inputs.dy ? view('dy') : null;
      stepGrad(dA, view('gates'), view('tanhC'), view('cPrev'), view('mask'), dy, dH, dC, t, B, H);
      math.matmul(dA, B, wHh, rec); // dA_t W_hh: [B, H]
      addInto(dH, rec);
      scatterColumns(dA, B, G, dAT, T * B, t * B);
    }
  } finally {
    math.release(wHh);
  }
  const grads = weightGrads(math, dAT, G, T * B, [
    { values: view('hPrev'), cols: H },
    { values: view('x'), cols: I },
  ]); // (reads the views before its product allocates)
  return [
    output(backend, dAT, [G, T * B]),
    output(backend, dH, [B, H]),
    output(backend, dC, [B, H]),
    output(backend, grads.weights[1]!, [G, I]),
    output(backend, grads.weights[0]!, [G, H]),
    output(backend, grads.bias, [G]),
  ];
}

// The per-step passes, as small functions: V8 optimizes a function called for every step much
// sooner than the long loops of a kernel body it enters once per call (about 10x faster here).

/** a += xp of this step, then the g quarter doubled (tanh(a) = 2σ(2a) - 1): a `[B, 4H]`. */
function addProjection(a: Float32Array, xp: Float32Array, xo: number, B: number, H: number): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const r = b * G;
    for (let j = 0; j < G; j++) a[r + j]! += xp[xo + r + j]!;
    for (let j = 2 * H; j < 3 * H; j++) a[r + j]! *= 2;
  }
}

/** a holds σ of the gates: g = 2σ - 1 in place, c' = f c + i g into cNew, tc = 2 c'. */
function cellUpdate(
  a: Float32Array,
  c: Float32Array,
  cNew: Float32Array,
  tc: Float32Array,
  B: number,
  H: number,
): void {
  for (let b = 0; b < B; b++) {
    const r = b * 4 * H;
    for (let j = 0; j < H; j++) {
      const g = 2 * a[r + 2 * H + j]! - 1;
      a[r + 2 * H + j] = g;
      const cn = a[r + H + j]! * c[b * H + j]! + a[r + j]! * g; // f c + i g
      cNew[b * H + j] = cn;
      tc[b * H + j] = 2 * cn; // tanh(c') = 2σ(2c') - 1
    }
  }
}

/**
 * tc holds σ(2c'): tanh(c') in place, h' = o tanh(c'), then the masked update of h and c and the
 * step's output y (from offset yo).
 */
function hiddenUpdate(
  a: Float32Array,
  tc: Float32Array,
  cNew: Float32Array,
  mask: Float32Array,
  mo: number,
  h: Float32Array,
  c: Float32Array,
  y: Float32Array,
  yo: number,
  B: number,
  H: number,
): void {
  for (let b = 0; b < B; b++) {
    const m = mask[mo + b]!;
    const r = b * 4 * H + 3 * H;
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const tcn = 2 * tc[k]! - 1;
      tc[k] = tcn;
      const hn = a[r + j]! * tcn; // o tanh(c')
      if (m === 1) {
        h[k] = hn;
        c[k] = cNew[k]!;
        y[yo + k] = hn;
      } else {
        h[k] = m * hn + (1 - m) * h[k]!;
        c[k] = m * cNew[k]! + (1 - m) * c[k]!;
        y[yo + k] = m * hn;
      }
    }
  }
}

/**
 * Step t of the backward pass: the gate pre-activation gradients into dA `[B, 4H]`, and dH, dC
 * carried to step t - 1 (before the product dA W_hh, which the caller adds to dH).
 */
function stepGrad(
  dA: Float32Array,
  gates: Float32Array,
  tanhC: Float32Array,
  cPrev: Float32Array,
  mask: Float32Array,
  dy: Float32Array | null,
  dH: Float32Array,
  dC: Float32Array,
  t: number,
  B: number,
  H: number,
): void {
  const G = 4 * H;
  const s = t * B * G;
  const sh = t * B * H;
  for (let b = 0; b < B; b++) {
    const m = mask[t * B + b]!;
    const r = s + b * G;
    const d = b * G;
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const q = sh + k;
      const dhn = m * (dH[k]! + (dy ? dy[q]! : 0)); // dL/dh'
      const i = gates[r + j]!;
      const f = gates[r + H + j]!;
      const g = gates[r + 2 * H + j]!;
      const o = gates[r + 3 * H + j]!;
      const tc = tanhC[q]!;
      const dcn = m * dC[k]! + dhn * o * (1 - tc * tc); // dL/dc'
      dA[d + j] = dcn * g * i * (1 - i);
      dA[d + H + j] = dcn * cPrev[q]! * f * (1 - f);
      dA[d + 2 * H + j] = dcn * i * (1 - g * g);
      dA[d + 3 * H + j] = dhn * tc * o * (1 - o);
      dC[k] = (1 - m) * dC[k]! + dcn * f;
      dH[k] = (1 - m) * dH[k]!;
    }
  }
}
